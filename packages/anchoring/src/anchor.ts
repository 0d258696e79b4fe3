/**
 * One round of anchoring: the leaves the chain does not hold yet go up as one
 * batch, sized to what is pending (docs/audit.md), and the checkpoint the chain
 * returns is recorded. The chain's own tree size is the starting point, so a crash
 * between append and record resumes without appending twice.
 */
import { fromHex, hex } from "@cairn/protocol";
import { anchoredTreeSize, auditNodeStore, leavesFrom, recordCheckpoint, roomHeadsIn, type PrismaClient } from "@cairn/db";
import { indexSubtrees } from "@cairn/audit";
import type { Ledger, LedgerCheckpoint } from "@cairn/ledger";

export interface AnchorRound {
  /** The new checkpoint, or null when nothing was pending. */
  checkpoint: LedgerCheckpoint | null;
  appended: number;
}

/** The chain's tree size, recording its latest checkpoint here if this database missed it. */
export async function syncFromChain(prisma: PrismaClient, ledger: Ledger): Promise<number> {
  const latest = await ledger.getLatestCheckpoint();
  if (!latest) return 0;
  if ((await anchoredTreeSize(prisma)) < latest.treeSize) await recordCheckpoint(prisma, latest);
  // Catch up the proof index after a crash between recording and indexing; a failure
  // here must not stop anchoring (the next round indexes again and reports it).
  await indexProofNodes(prisma, latest).catch(() => undefined);
  return latest.treeSize;
}

/**
 * Stores the perfect-subtree hashes (AuditNode) of every leaf up to the checkpoint,
 * checked against the chain's root, so proofs take O(log n) reads (docs/audit.md).
 * Incremental: reads the frontier of what is indexed and only the new leaves.
 */
export async function indexProofNodes(
  prisma: PrismaClient,
  cp: LedgerCheckpoint,
  known?: { from: number; leafHashes: readonly Uint8Array[] },
): Promise<number> {
  return indexSubtrees(auditNodeStore(prisma), cp.treeSize, { expectedRoot: fromHex(cp.rootHash), known });
}

/**
 * Appends what is pending, with the head of every room whose messages the batch holds
 * (under `roomRefOf(roomId)`), so the chain alone can say how many messages a room had
 * at each checkpoint.
 */
export async function anchorRound(
  prisma: PrismaClient,
  ledger: Ledger,
  chainTreeSize: number,
  maxBatch: number,
  roomRefOf: (roomId: string) => string,
): Promise<AnchorRound> {
  const leaves = await leavesFrom(prisma, chainTreeSize, maxBatch);
  // Leaves commit in index order, but cut at any gap rather than trust it.
  let count = 0;
  while (count < leaves.length && leaves[count]?.leafIndex === chainTreeSize + count) count++;
  if (count === 0) return { checkpoint: null, appended: 0 };
  const heads = await roomHeadsIn(prisma, chainTreeSize, chainTreeSize + count);
  const checkpoint = await ledger.appendBatch({
    startIndex: chainTreeSize,
    leafHashes: leaves.slice(0, count).map((l) => hex(l.leafHash)),
    roomHeads: heads.map((h) => ({ roomRef: roomRefOf(h.roomId), roomSeq: h.roomSeq, leafIndex: h.leafIndex })),
  });
  await recordCheckpoint(prisma, checkpoint);
  await indexProofNodes(prisma, checkpoint, { from: chainTreeSize, leafHashes: leaves.slice(0, count).map((l) => l.leafHash) });
  return { checkpoint, appended: count };
}
