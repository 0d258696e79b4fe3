/**
 * The Audit contract's records: checkpoints of the global Merkle log, one leaf with
 * the checkpoint that anchored it, one appended batch, and the appender grants and
 * caller description the contract keeps and returns.
 */
import { z } from "zod";
import { LedgerActor, LedgerHash, LedgerIndex, LedgerMspId, LedgerRef, LedgerTime, LedgerTxId } from "./formats";

/**
 * A checkpoint of the audit log as the chain records it. `time` is the appending
 * transaction's time: the one name for it in Cairn's code (the database keeps it in
 * the Checkpoint.ledgerTime column; bundles and the chain's JSON call it `time`).
 */
export const LedgerCheckpoint = z.object({
  /** Leaves covered: a checkpoint follows a batch, so at least 1. */
  treeSize: LedgerIndex.min(1),
  /** RFC 9162 root of the first treeSize leaves. */
  rootHash: LedgerHash,
  txId: LedgerTxId,
  time: LedgerTime,
});
export type LedgerCheckpoint = z.infer<typeof LedgerCheckpoint>;

/** One leaf (Audit:GetLeaf) and the checkpoint of the batch that appended it. */
export const LedgerLeaf = z
  .object({
    index: LedgerIndex,
    leafHash: LedgerHash,
    checkpoint: LedgerCheckpoint,
  })
  .superRefine((leaf, ctx) => {
    if (leaf.index >= leaf.checkpoint.treeSize) {
      ctx.addIssue({ code: "custom", message: "index must be below the checkpoint's treeSize", path: ["index"] });
    }
  });
export type LedgerLeaf = z.infer<typeof LedgerLeaf>;

/**
 * A room's head as one batch committed it (Audit:AppendBatch, docs/audit.md
 * "Completeness"): the room's latest message sequence number and its leaf, as of the
 * checkpoint of `treeSize`. `roomRef` is a keyed hash of the room id (never the id or a
 * name): the chain alone answers how many messages a room had at any checkpoint.
 */
export const LedgerRoomHeadInput = z.object({
  roomRef: LedgerRef,
  /** The room's highest message sequence number among the batch's leaves. */
  roomSeq: LedgerIndex.min(1),
  /** That message's leaf index (inside the batch). */
  leafIndex: LedgerIndex,
});
export type LedgerRoomHeadInput = z.infer<typeof LedgerRoomHeadInput>;

/** A room head as the chain stores and returns it (Audit:GetRoomHead). */
export const LedgerRoomHead = LedgerRoomHeadInput.extend({
  /** The checkpoint it was committed with (the batch's end). */
  treeSize: LedgerIndex.min(1),
  txId: LedgerTxId,
}).superRefine((head, ctx) => {
  if (head.leafIndex >= head.treeSize) ctx.addIssue({ code: "custom", message: "leafIndex must be below treeSize", path: ["leafIndex"] });
});
export type LedgerRoomHead = z.infer<typeof LedgerRoomHead>;

/** Most leaves one batch holds (chaincode MAX_BATCH_LEAVES). */
export const LEDGER_MAX_BATCH_LEAVES = 20_000;

/** A batch holds exactly the leaves [startIndex, treeSize) and carries its own checkpoint. */
function checkBatch(
  batch: { startIndex: number; treeSize: number; checkpoint: LedgerCheckpoint },
  leaves: number,
  ctx: z.RefinementCtx,
): void {
  if (leaves < 1 || batch.treeSize !== batch.startIndex + leaves) {
    ctx.addIssue({ code: "custom", message: "must hold treeSize - startIndex (at least 1) leaf hashes", path: ["leafHashes"] });
  }
  if (batch.checkpoint.treeSize !== batch.treeSize) {
    ctx.addIssue({ code: "custom", message: "checkpoint must be the batch's own (same treeSize)", path: ["checkpoint"] });
  }
}

/** A batch as the chain stores and returns it (Audit:GetBatch): the leaf hashes concatenated. */
export const LedgerBatchRecord = z
  .object({
    startIndex: LedgerIndex,
    /** Tree size after the batch (its end, exclusive). */
    treeSize: LedgerIndex.min(1),
    /** Lowercase hex of the leaf hashes of [startIndex, treeSize), concatenated. */
    leafHashes: z
      .string()
      .max(LEDGER_MAX_BATCH_LEAVES * 64)
      .regex(/^(?:[0-9a-f]{64})+$/, "must be concatenated 64-character lowercase hex hashes"),
    checkpoint: LedgerCheckpoint,
  })
  .superRefine((batch, ctx) => checkBatch(batch, batch.leafHashes.length / 64, ctx));
export type LedgerBatchRecord = z.infer<typeof LedgerBatchRecord>;

/** A batch as the Ledger interface hands it out (Ledger.getBatch): one hash per leaf. */
export const LedgerBatch = z
  .object({
    startIndex: LedgerIndex,
    treeSize: LedgerIndex.min(1),
    /** Leaf hashes of leaves [startIndex, treeSize). */
    leafHashes: z.array(LedgerHash).max(LEDGER_MAX_BATCH_LEAVES),
    checkpoint: LedgerCheckpoint,
  })
  .superRefine((batch, ctx) => checkBatch(batch, batch.leafHashes.length, ctx));
export type LedgerBatch = z.infer<typeof LedgerBatch>;

/** The chain's batch with its hashes split, one per leaf (the record must have parsed). */
export function splitBatchRecord(record: LedgerBatchRecord): LedgerBatch {
  const leafHashes: string[] = [];
  for (let i = 0; i < record.leafHashes.length; i += 64) leafHashes.push(record.leafHashes.slice(i, i + 64));
  return { startIndex: record.startIndex, treeSize: record.treeSize, leafHashes, checkpoint: record.checkpoint };
}

/** An identity allowed to append (Audit:AuthorizeAppender's record). */
export const LedgerAppenderGrant = z.object({
  mspId: LedgerMspId,
  idHash: LedgerRef,
  grantedBy: LedgerActor,
  txId: LedgerTxId,
  time: LedgerTime,
});
export type LedgerAppenderGrant = z.infer<typeof LedgerAppenderGrant>;

/** The calling identity as the chaincode sees it (Audit:WhoAmI). */
export const LedgerWhoAmI = z.object({
  mspId: LedgerMspId,
  idHash: LedgerRef,
  admin: z.boolean(),
  appender: z.boolean(),
});
export type LedgerWhoAmI = z.infer<typeof LedgerWhoAmI>;
