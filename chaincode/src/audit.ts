/**
 * Audit: the global append-only Merkle log (docs/audit.md) anchored on chain.
 *
 * State layout, sized for Fabric's cost per putState (three writes per batch,
 * whatever its size):
 *   audit/head                       {treeSize, frontier[hex], checkpoint}
 *   audit/batch/<treeSize, 16 digits> {startIndex, treeSize, leafHashes (concatenated hex), checkpoint}
 *   audit/checkpoint/<treeSize>       {treeSize, rootHash, txId, time}
 *   audit/room/<roomRef>/<inverted treeSize> {roomRef, roomSeq, leafIndex, treeSize, txId}
 *     one per room the batch touches; the tree size is stored inverted (2^53 - 1 minus
 *     it, 16 digits), so the first key at or above invert(C) is the room's head as of
 *     checkpoint C: one range read answers GetRoomHead.
 * A batch is keyed by its END (the tree size after it), so the first batch key at or
 * above pad(i + 1) is the batch holding leaf i: one range read answers GetLeaf.
 */
import { appendLeaves, frontierRoot, type Frontier } from "@cairn/audit";
import {
  fromHex,
  hex,
  LEDGER_MAX_BATCH_LEAVES,
  type LedgerAppenderGrant,
  type LedgerBatchRecord,
  type LedgerCheckpoint,
  type LedgerLeaf,
  LedgerRoomHeadInput,
  type LedgerRoomHead,
  type LedgerWhoAmI,
} from "@cairn/protocol";
import { Contract } from "fabric-contract-api";
import { appenderKey, authorOf, identityHash, isAdmin, isAppender, requireService } from "./access";
import { runDirect, type AdminAction } from "./authority";
import { firstInRange, padIndex, readJson, txTime, writeJson, type CairnContext } from "./context";
import { ChaincodeError } from "./errors";
import { canonicalJson, fromStateBytes, toStateBytes } from "./serialize";
import { decodeHashList, decodeIndex, decodeRef, decodeString } from "./validate";

/** Most leaves one AppendBatch accepts (~1.3 MB of hex; ~23k hashes/s measured at 20k). */
export const MAX_BATCH_LEAVES = LEDGER_MAX_BATCH_LEAVES;

/** A checkpoint as the contract records it (the shared @cairn/protocol shape). */
export type Checkpoint = LedgerCheckpoint;
/** A stored batch: leaf hashes concatenated, with the batch's checkpoint. */
export type BatchRecord = LedgerBatchRecord;
/** One leaf and the checkpoint of its batch. */
export type LeafRecord = LedgerLeaf;

interface AuditHead {
  treeSize: number;
  frontier: string[];
  checkpoint: Checkpoint | null;
}

const HEAD_KEY = "audit/head";
const BATCH_PREFIX = "audit/batch/";
const batchKey = (treeSize: number) => `${BATCH_PREFIX}${padIndex(treeSize)}`;
const checkpointKey = (treeSize: number) => `audit/checkpoint/${padIndex(treeSize)}`;
const roomPrefix = (roomRef: string) => `audit/room/${roomRef}/`;
const roomHeadKey = (roomRef: string, treeSize: number) => `${roomPrefix(roomRef)}${padIndex(Number.MAX_SAFE_INTEGER - treeSize)}`;

/** Parses AppendBatch's room heads: JSON [{roomRef, roomSeq, leafIndex}], one per room, each leaf inside [start, end). */
function decodeRoomHeads(value: unknown, start: number, end: number): LedgerRoomHeadInput[] {
  const text = decodeString("roomHeadsJson", value, 2, (end - start) * 200 + 2);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ChaincodeError("INVALID_ARGUMENT", "roomHeadsJson is not JSON");
  }
  const parsed = LedgerRoomHeadInput.array().max(end - start).safeParse(json);
  if (!parsed.success) throw new ChaincodeError("INVALID_ARGUMENT", `roomHeadsJson: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  const seen = new Set<string>();
  for (const h of parsed.data) {
    if (seen.has(h.roomRef)) throw new ChaincodeError("INVALID_ARGUMENT", "roomHeadsJson names a room twice");
    seen.add(h.roomRef);
    if (h.leafIndex < start || h.leafIndex >= end) throw new ChaincodeError("INVALID_ARGUMENT", "roomHeadsJson: a head's leaf is outside the batch");
  }
  return parsed.data;
}

/** Name of the chaincode event AppendBatch emits, its payload the checkpoint JSON. */
export const CHECKPOINT_EVENT = "cairn.audit.checkpoint";
const MSP_ID = /^[A-Za-z0-9._-]+$/;

function decodeMspId(value: unknown): string {
  const text = decodeString("mspId", value, 1, 128);
  if (!MSP_ID.test(text)) throw new ChaincodeError("INVALID_ARGUMENT", "mspId has invalid characters");
  return text;
}

async function batchContaining(ctx: CairnContext, index: number): Promise<BatchRecord | null> {
  // Batches are keyed by their end: the first key at or above index + 1 holds the leaf.
  // Tree sizes stop at 2^53 - 1, so index + 1 stays exact.
  const found = await firstInRange(ctx, batchKey(index + 1), `${BATCH_PREFIX}~`);
  return found ? fromStateBytes<BatchRecord>(found.value) : null;
}

const appenderArgs = ([mspId, idHash]: readonly string[]) => ({ msp: decodeMspId(mspId), hash: decodeRef("idHash", idHash) });

/** Audit:AuthorizeAppender's work: the grant, by whoever submits the executing transaction. */
export const authorizeAppender: AdminAction<{ msp: string; hash: string }> = {
  decode: appenderArgs,
  async run(ctx, { msp, hash }) {
    const grant: LedgerAppenderGrant = { mspId: msp, idHash: hash, grantedBy: authorOf(ctx), txId: ctx.stub.getTxID(), time: txTime(ctx) };
    await writeJson(ctx, appenderKey(msp, hash), grant);
    return canonicalJson(grant);
  },
};

export const revokeAppender: AdminAction<{ msp: string; hash: string }> = {
  decode: appenderArgs,
  async run(ctx, { msp, hash }) {
    if ((await readJson<unknown>(ctx, appenderKey(msp, hash))) === null) {
      throw new ChaincodeError("NOT_FOUND", "no such appender grant");
    }
    await ctx.stub.deleteState(appenderKey(msp, hash));
    return canonicalJson({ revoked: true });
  },
};

export class AuditContract extends Contract {
  constructor() {
    super("Audit");
  }

  /**
   * Appends leaf hashes (concatenated lowercase hex, 1..20,000 hashes) starting at
   * `startIndex`, which must equal the log's tree size, with the head of every room
   * whose messages the batch holds (`roomHeadsJson`, "[]" for none). Replaying a stored
   * batch (same start, same hashes) is a no-op returning its checkpoint. Caller: appender.
   * @returns Checkpoint JSON
   */
  async AppendBatch(ctx: CairnContext, startIndex: string, leafHashesHex: string, roomHeadsJson: string): Promise<string> {
    const start = decodeIndex("startIndex", startIndex);
    const hashes = decodeHashList("leafHashesHex", leafHashesHex, MAX_BATCH_LEAVES);
    const roomHeads = decodeRoomHeads(roomHeadsJson, start, start + hashes.length);
    await requireService(ctx, "AppendBatch", false);
    const head = (await readJson<AuditHead>(ctx, HEAD_KEY)) ?? { treeSize: 0, frontier: [], checkpoint: null };
    if (start > head.treeSize) {
      throw new ChaincodeError("OUT_OF_ORDER", `batch starts at ${start} but the log ends at ${head.treeSize}`);
    }
    const end = start + hashes.length;
    if (start < head.treeSize) {
      const stored = await readJson<BatchRecord>(ctx, batchKey(end));
      if (stored && stored.startIndex === start && stored.leafHashes === leafHashesHex) {
        return canonicalJson(stored.checkpoint);
      }
      throw new ChaincodeError(
        "CONFLICT",
        `batch [${start}, ${end}) overlaps the log (ends at ${head.treeSize}) and is not a replay of a stored batch`,
      );
    }
    const frontier: Frontier = { treeSize: head.treeSize, nodes: head.frontier.map(fromHex) };
    const next = appendLeaves(frontier, hashes.map(fromHex));
    const checkpoint: Checkpoint = {
      treeSize: next.treeSize,
      rootHash: hex(frontierRoot(next)),
      txId: ctx.stub.getTxID(),
      time: txTime(ctx),
    };
    await writeJson(ctx, HEAD_KEY, { treeSize: next.treeSize, frontier: next.nodes.map(hex), checkpoint });
    const batch: BatchRecord = { startIndex: start, treeSize: end, leafHashes: leafHashesHex, checkpoint };
    await writeJson(ctx, batchKey(end), batch);
    await writeJson(ctx, checkpointKey(end), checkpoint);
    for (const h of roomHeads) {
      const head: LedgerRoomHead = { roomRef: h.roomRef, roomSeq: h.roomSeq, leafIndex: h.leafIndex, treeSize: end, txId: checkpoint.txId };
      await writeJson(ctx, roomHeadKey(h.roomRef, end), head);
    }
    // Listeners (fabric-gateway chaincode events, resumable with a checkpointer) learn
    // of each new checkpoint; a replay above emits nothing, as it appends nothing.
    ctx.stub.setEvent(CHECKPOINT_EVENT, toStateBytes(checkpoint));
    return canonicalJson(checkpoint);
  }

  /** @returns Checkpoint JSON of the latest batch, or "null" for an empty log */
  async GetLatestCheckpoint(ctx: CairnContext): Promise<string> {
    const head = await readJson<AuditHead>(ctx, HEAD_KEY);
    return canonicalJson(head?.checkpoint ?? null);
  }

  /** @returns Checkpoint JSON recorded at exactly this tree size, or "null" */
  async GetCheckpoint(ctx: CairnContext, treeSize: string): Promise<string> {
    const size = decodeIndex("treeSize", treeSize);
    return canonicalJson(await readJson<Checkpoint>(ctx, checkpointKey(size)));
  }

  /**
   * The room's head as of the checkpoint of `treeSize`: the latest one committed by a
   * batch ending at or before it.
   * @returns RoomHead JSON {roomRef, roomSeq, leafIndex, treeSize, txId}, or "null" when no batch up to then held the room's messages
   */
  async GetRoomHead(ctx: CairnContext, roomRef: string, treeSize: string): Promise<string> {
    const ref = decodeRef("roomRef", roomRef);
    const size = decodeIndex("treeSize", treeSize);
    const found = await firstInRange(ctx, roomHeadKey(ref, size), `${roomPrefix(ref)}~`);
    return canonicalJson(found ? fromStateBytes<LedgerRoomHead>(found.value) : null);
  }

  /** @returns LeafRecord JSON {index, leafHash, checkpoint}, or "null" beyond the log */
  async GetLeaf(ctx: CairnContext, index: string): Promise<string> {
    const i = decodeIndex("index", index);
    const batch = await batchContaining(ctx, i);
    if (!batch) return canonicalJson(null);
    const offset = (i - batch.startIndex) * 64;
    const leaf: LeafRecord = { index: i, leafHash: batch.leafHashes.slice(offset, offset + 64), checkpoint: batch.checkpoint };
    return canonicalJson(leaf);
  }

  /**
   * The whole batch holding leaf `index`: a verifier checks thousands of leaves per call.
   * @returns BatchRecord JSON {startIndex, treeSize, leafHashes (concatenated hex), checkpoint}, or "null"
   */
  async GetBatch(ctx: CairnContext, index: string): Promise<string> {
    const i = decodeIndex("index", index);
    return canonicalJson(await batchContaining(ctx, i));
  }

  /**
   * Authorises an identity to append (the relay's). `idHash` is the SHA-256 hex of the
   * identity's fabric id string; WhoAmI returns it. Caller: admin.
   * @returns the grant JSON
   */
  async AuthorizeAppender(ctx: CairnContext, mspId: string, idHash: string): Promise<string> {
    return runDirect(ctx, "Audit:AuthorizeAppender", authorizeAppender, [mspId, idHash]);
  }

  /** Withdraws an appender grant. Caller: admin (or a quorum, see authority.ts). @returns {"revoked":true} JSON */
  async RevokeAppender(ctx: CairnContext, mspId: string, idHash: string): Promise<string> {
    return runDirect(ctx, "Audit:RevokeAppender", revokeAppender, [mspId, idHash]);
  }

  /** @returns {mspId, idHash, admin, appender} JSON for the calling identity */
  async WhoAmI(ctx: CairnContext): Promise<string> {
    const me: LedgerWhoAmI = {
      mspId: ctx.clientIdentity.getMSPID(),
      idHash: identityHash(ctx),
      admin: isAdmin(ctx),
      appender: await isAppender(ctx),
    };
    return canonicalJson(me);
  }
}
