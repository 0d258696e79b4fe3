import type { PrismaClient } from "./client";

export interface PendingLeaf {
  leafIndex: number;
  leafHash: Uint8Array;
}

/** Leaves from `fromIndex` on, in log order (at most `limit`). */
export async function leavesFrom(prisma: PrismaClient, fromIndex: number, limit: number): Promise<PendingLeaf[]> {
  const rows = await prisma.auditLeaf.findMany({
    where: { leafIndex: { gte: BigInt(fromIndex) } },
    orderBy: { leafIndex: "asc" },
    take: limit,
    select: { leafIndex: true, leafHash: true },
  });
  return rows.map((r) => ({ leafIndex: Number(r.leafIndex), leafHash: r.leafHash }));
}

/** Tree size of the newest checkpoint this database knows the ledger committed. */
export async function anchoredTreeSize(prisma: PrismaClient): Promise<number> {
  const c = await prisma.checkpoint.findFirst({ orderBy: { treeSize: "desc" }, select: { treeSize: true } });
  return c ? Number(c.treeSize) : 0;
}

/**
 * Records a checkpoint the ledger committed. Idempotent and race-safe: the anchor
 * worker and the chain-event follower may record the same one at the same moment.
 */
export async function recordCheckpoint(
  prisma: PrismaClient,
  c: { treeSize: number; rootHash: Uint8Array; txId: string; ledgerTime: Date },
): Promise<void> {
  await prisma.$executeRaw`
    INSERT INTO "Checkpoint" ("treeSize", "rootHash", "txId", "ledgerTime")
    VALUES (${BigInt(c.treeSize)}, ${new Uint8Array(c.rootHash)}, ${c.txId}, ${c.ledgerTime})
    ON CONFLICT ("treeSize") DO NOTHING`;
}
