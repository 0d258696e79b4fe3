/**
 * Records a checkpoint file from a live ledger (`cairn checkpoint`): the newest
 * checkpoint and, given a bundle, the chain's answer to every question verifying that
 * bundle asks the ledger — each checkpoint line's tree size, each keys line's userRef,
 * the trailer's export leaf and the room's head at the export's checkpoint — so `cairn-verify` can then check it offline.
 */
import {
  CHECKPOINT_FILE_FORMAT,
  CHECKPOINT_FILE_VERSION,
  CheckpointFile,
  type LedgerCheckpoint,
  type LedgerKeyRecord,
  type LedgerLeaf,
  type LedgerRoomHead,
} from "@cairn/protocol";
import { parseBundleLine } from "../bundle/parse";

/** What recording reads of a ledger (structurally @cairn/ledger's Ledger). */
export interface RecordingLedger {
  getLatestCheckpoint(): Promise<LedgerCheckpoint | null>;
  getCheckpoint(treeSize: number): Promise<LedgerCheckpoint | null>;
  getKeys(userRef: string): Promise<LedgerKeyRecord | null>;
  getLeaf(index: number): Promise<LedgerLeaf | null>;
  getRoomHead(roomRef: string, treeSize: number): Promise<LedgerRoomHead | null>;
}

export interface RecordOptions {
  ledger: RecordingLedger;
  ledgerKind: "embedded" | "fabric";
  /** How the chain was read, written into the file (what its trust rests on). */
  source: string;
  /** The bundle's lines (without "\n"); malformed lines are skipped, as the verifier asks nothing about them. */
  bundle?: AsyncIterable<string> | Iterable<string>;
  now?: Date;
}

function withCosignatures(cp: LedgerCheckpoint | null) {
  return cp === null
    ? null
    : {
        treeSize: cp.treeSize,
        rootHash: cp.rootHash,
        txId: cp.txId,
        time: cp.time,
        cosignatures: [],
      };
}

/**
 * @returns the checkpoint file, checked against its schema
 * @throws LedgerError (or the ledger's error) when the ledger cannot be read
 */
export async function recordCheckpointFile(opts: RecordOptions): Promise<CheckpointFile> {
  const { ledger } = opts;
  const treeSizes = new Set<number>();
  const userRefs = new Set<string>();
  const leafIndexes = new Set<number>();
  let completeness: { roomRef: string; treeSize: number } | null = null;
  const latest = await ledger.getLatestCheckpoint();
  if (latest) treeSizes.add(latest.treeSize);
  for await (const text of opts.bundle ?? []) {
    let line: ReturnType<typeof parseBundleLine>;
    try {
      line = parseBundleLine(text);
    } catch {
      continue;
    }
    if (line.type === "header" && line.completeness && line.completeness.treeSize > 0) {
      completeness = line.completeness;
      treeSizes.add(line.completeness.treeSize);
    } else if (line.type === "checkpoint") treeSizes.add(line.treeSize);
    else if (line.type === "keys") userRefs.add(line.userRef);
    else if (line.type === "trailer" && line.exportLeafIndex !== null)
      leafIndexes.add(line.exportLeafIndex);
  }
  const checkpoints = [];
  for (const treeSize of [...treeSizes].sort((a, b) => a - b)) {
    checkpoints.push({
      treeSize,
      checkpoint: withCosignatures(
        treeSize === latest?.treeSize ? latest : await ledger.getCheckpoint(treeSize),
      ),
    });
  }
  const keys = [];
  for (const userRef of [...userRefs].sort())
    keys.push({ userRef, record: await ledger.getKeys(userRef) });
  const leaves = [];
  for (const index of [...leafIndexes].sort((a, b) => a - b))
    leaves.push({ index, leaf: await ledger.getLeaf(index) });
  const roomHeads = completeness
    ? [{ ...completeness, head: await ledger.getRoomHead(completeness.roomRef, completeness.treeSize) }]
    : [];
  return CheckpointFile.parse({
    format: CHECKPOINT_FILE_FORMAT,
    version: CHECKPOINT_FILE_VERSION,
    ledger: opts.ledgerKind,
    recordedAt: (opts.now ?? new Date()).toISOString(),
    source: opts.source,
    checkpoints,
    keys,
    leaves,
    roomHeads,
  });
}
