import { fromHex, type LedgerCheckpoint } from "@cairn/protocol";
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

/** A room's latest message among some leaves. */
export interface RoomHeadRow {
  roomId: string;
  roomSeq: number;
  leafIndex: number;
}

/**
 * Per room with messages among the leaves [from, to): its highest room sequence number
 * and that message's leaf (what each anchored batch commits, docs/audit.md "Completeness").
 */
export async function roomHeadsIn(prisma: PrismaClient, from: number, to: number): Promise<RoomHeadRow[]> {
  const rows = await prisma.$queryRaw<{ roomId: string; roomSeq: number; leafIndex: bigint }[]>`
    SELECT DISTINCT ON ("roomId") "roomId"::text AS "roomId", "roomSeq", "leafIndex"
    FROM "Envelope" WHERE "leafIndex" >= ${BigInt(from)} AND "leafIndex" < ${BigInt(to)}
    ORDER BY "roomId", "roomSeq" DESC`;
  return rows.map((r) => ({ roomId: r.roomId, roomSeq: Number(r.roomSeq), leafIndex: Number(r.leafIndex) }));
}

/** Tree size of the newest checkpoint this database knows the ledger committed. */
export async function anchoredTreeSize(prisma: PrismaClient): Promise<number> {
  const c = await prisma.checkpoint.findFirst({ orderBy: { treeSize: "desc" }, select: { treeSize: true } });
  return c ? Number(c.treeSize) : 0;
}

/**
 * Records a checkpoint the ledger committed, as the ledger returned it. Idempotent and
 * race-safe: the anchor worker and the chain-event follower may record the same one at
 * the same moment. The checkpoint's `time` is kept in the Checkpoint.ledgerTime column
 * (its name predates the shared record; renaming it would take a migration for nothing).
 * @throws TypeError when rootHash is not hex
 */
export async function recordCheckpoint(prisma: PrismaClient, c: LedgerCheckpoint): Promise<void> {
  const rootHash = new Uint8Array(fromHex(c.rootHash));
  await prisma.$executeRaw`
    INSERT INTO "Checkpoint" ("treeSize", "rootHash", "txId", "ledgerTime")
    VALUES (${BigInt(c.treeSize)}, ${rootHash}, ${c.txId}, ${new Date(c.time)})
    ON CONFLICT ("treeSize") DO NOTHING`;
}
