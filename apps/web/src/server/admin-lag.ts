import "server-only";
import type { PrismaClient } from "@cairn/db";

/** One anchored batch: how long its leaves waited for the ledger. */
export interface LagPoint {
  treeSize: number;
  /** Leaves in this batch (treeSize minus the previous checkpoint's). */
  leaves: number;
  txId: string;
  /** The checkpoint's time: its appending transaction's, as the chain records it. */
  time: string;
  /** When the batch's first leaf was created (its commit in Cairn's database). */
  firstLeafAt: string | null;
  /** time − firstLeafAt in milliseconds (null when the leaves are gone). */
  lagMs: number | null;
}

export interface AnchoringStatus {
  /** Size of the newest checkpoint's tree (0 before the first). */
  treeSize: number;
  /** Leaves allocated in the log. */
  leaves: number;
  /** Leaves not yet in any checkpoint. */
  pending: number;
  /** Age of the oldest pending leaf in ms, null when nothing is pending. */
  oldestPendingMs: number | null;
  /** "embedded" when the embedded ledger's block log is in this database, "fabric" when checkpoints exist without it. */
  ledger: "embedded" | "fabric" | "unknown";
  latestCheckpoint: { treeSize: number; txId: string; time: string } | null;
}

interface LagRow {
  treeSize: bigint;
  prev: bigint;
  txId: string;
  ledgerTime: Date;
  firstLeafAt: Date | null;
}

/**
 * The anchoring lag of the newest `limit` checkpoints, oldest first: per checkpoint,
 * ledger time minus the creation time of the earliest leaf of its batch (the leaves
 * between the previous checkpoint's size and its own). Each row costs two index
 * lookups (previous checkpoint by primary key, the batch's leaves by leaf index), so
 * the query does not scan the log.
 */
export async function anchoringLag(prisma: PrismaClient, limit = 200): Promise<LagPoint[]> {
  const n = Math.max(1, Math.min(2000, Math.trunc(limit)));
  const rows = await prisma.$queryRaw<LagRow[]>`
    WITH recent AS (
      SELECT "treeSize", "txId", "ledgerTime" FROM "Checkpoint" ORDER BY "treeSize" DESC LIMIT ${n}
    )
    SELECT r."treeSize", p.prev, r."txId", r."ledgerTime", f."firstLeafAt"
    FROM recent r
    CROSS JOIN LATERAL (
      SELECT COALESCE(MAX(c."treeSize"), 0)::bigint AS prev FROM "Checkpoint" c WHERE c."treeSize" < r."treeSize"
    ) p
    CROSS JOIN LATERAL (
      SELECT MIN(l."createdAt") AS "firstLeafAt" FROM "AuditLeaf" l
      WHERE l."leafIndex" >= p.prev AND l."leafIndex" < r."treeSize"
    ) f
    ORDER BY r."treeSize" ASC`;
  return rows.map((r) => ({
    treeSize: Number(r.treeSize),
    leaves: Number(r.treeSize - r.prev),
    txId: r.txId,
    time: r.ledgerTime.toISOString(),
    firstLeafAt: r.firstLeafAt ? r.firstLeafAt.toISOString() : null,
    lagMs: r.firstLeafAt ? r.ledgerTime.getTime() - r.firstLeafAt.getTime() : null,
  }));
}

/** Tree size, pending leaves and which ledger is in use, for the admin dashboard. */
export async function anchoringStatus(prisma: PrismaClient, now: Date = new Date()): Promise<AnchoringStatus> {
  const [latest, head, blocks] = await Promise.all([
    prisma.checkpoint.findFirst({ orderBy: { treeSize: "desc" } }),
    prisma.auditLeaf.findFirst({ orderBy: { leafIndex: "desc" }, select: { leafIndex: true } }),
    prisma.ledgerBlock.findFirst({ select: { number: true } }),
  ]);
  const treeSize = latest ? Number(latest.treeSize) : 0;
  const leaves = head ? Number(head.leafIndex) + 1 : 0;
  const pending = Math.max(0, leaves - treeSize);
  let oldestPendingMs: number | null = null;
  if (pending > 0) {
    const first = await prisma.auditLeaf.findUnique({ where: { leafIndex: BigInt(treeSize) }, select: { createdAt: true } });
    if (first) oldestPendingMs = Math.max(0, now.getTime() - first.createdAt.getTime());
  }
  return {
    treeSize,
    leaves,
    pending,
    oldestPendingMs,
    ledger: blocks ? "embedded" : latest ? "fabric" : "unknown",
    latestCheckpoint: latest
      ? { treeSize, txId: latest.txId, time: latest.ledgerTime.toISOString() }
      : null,
  };
}
