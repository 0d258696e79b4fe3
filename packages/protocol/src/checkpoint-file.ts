/**
 * The checkpoint file (docs/audit.md "Verifying offline"): the chain's answers to the
 * questions the bundle verifier asks the ledger — checkpoints of the audit log, key
 * registry records, leaves and room heads — recorded once by `cairn checkpoint`, so that
 * `cairn-verify` can check a bundle on a machine without access to the ledger.
 *
 * Each entry pairs a question with the chain's answer, `null` meaning "the chain has
 * none", so a file can say that a checkpoint does NOT exist (a forged one) as well as
 * what one holds. A question the file does not answer is not guessed at: the verifier
 * stops (exit 2).
 *
 * Trust: version 1 holds no signatures of its own; it is worth what its source is
 * worth (whoever read the chain and how). `cosignatures` is reserved for witness
 * cosignatures (C2SP signed-note cosignatures); version 1 requires it empty, so a
 * verifier never seems to accept cosignatures it does not check.
 */
import { z } from "zod";
import { LedgerCheckpoint, LedgerLeaf, LedgerRoomHead } from "./ledger/audit";
import { LedgerIndex, LedgerRef, LedgerTime } from "./ledger/formats";
import { LedgerKeyRecord } from "./ledger/keys";

export const CHECKPOINT_FILE_FORMAT = "cairn-checkpoint-file";
export const CHECKPOINT_FILE_VERSION = 1;

/** A checkpoint as the chain committed it, with room for witness cosignatures (none in version 1). */
export const CheckpointFileCheckpoint = LedgerCheckpoint.extend({
  cosignatures: z
    .array(z.unknown())
    .max(0, "witness cosignatures are not defined in checkpoint file version 1"),
}).strict();
export type CheckpointFileCheckpoint = z.infer<typeof CheckpointFileCheckpoint>;

const CheckpointAnswer = z
  .object({ treeSize: LedgerIndex.min(1), checkpoint: CheckpointFileCheckpoint.nullable() })
  .strict()
  .refine((a) => a.checkpoint === null || a.checkpoint.treeSize === a.treeSize, {
    message: "checkpoint.treeSize must equal treeSize",
  });

const KeysAnswer = z
  .object({ userRef: LedgerRef, record: LedgerKeyRecord.nullable() })
  .strict()
  .refine((a) => a.record === null || a.record.userRef === a.userRef, {
    message: "record.userRef must equal userRef",
  });

const LeafAnswer = z
  .object({ index: LedgerIndex, leaf: LedgerLeaf.nullable() })
  .strict()
  .refine((a) => a.leaf === null || a.leaf.index === a.index, {
    message: "leaf.index must equal index",
  });

/** The room's head as of a checkpoint (Audit:GetRoomHead), for an export's completeness. */
const RoomHeadAnswer = z
  .object({ roomRef: LedgerRef, treeSize: LedgerIndex.min(1), head: LedgerRoomHead.nullable() })
  .strict()
  .refine((a) => a.head === null || (a.head.roomRef === a.roomRef && a.head.treeSize <= a.treeSize), {
    message: "head must be the room's, committed at or before treeSize",
  });

function unique<T>(
  items: readonly T[],
  key: (item: T) => string | number,
  ctx: z.RefinementCtx,
  path: string,
): void {
  const seen = new Set<string | number>();
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k))
      ctx.addIssue({ code: "custom", message: `answered twice: ${String(k)}`, path: [path, i] });
    seen.add(k);
  });
}

export const CheckpointFile = z
  .object({
    format: z.literal(CHECKPOINT_FILE_FORMAT),
    version: z.literal(CHECKPOINT_FILE_VERSION),
    /** Which ledger was read. */
    ledger: z.enum(["embedded", "fabric"]),
    recordedAt: LedgerTime,
    /** How the chain was read (the command, the ledger and the peer or database): what the file's trust rests on. */
    source: z.string().min(1).max(2000),
    checkpoints: z.array(CheckpointAnswer),
    keys: z.array(KeysAnswer),
    leaves: z.array(LeafAnswer),
    /** Absent from files recorded before room heads (completeness is then not checked offline). */
    roomHeads: z.array(RoomHeadAnswer).optional(),
  })
  .strict()
  .superRefine((file, ctx) => {
    unique(file.checkpoints, (a) => a.treeSize, ctx, "checkpoints");
    unique(file.keys, (a) => a.userRef, ctx, "keys");
    unique(file.leaves, (a) => a.index, ctx, "leaves");
    unique(file.roomHeads ?? [], (a) => `${a.roomRef}@${a.treeSize}`, ctx, "roomHeads");
  });
export type CheckpointFile = z.infer<typeof CheckpointFile>;
