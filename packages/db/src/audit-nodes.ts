/**
 * The AuditNode table: hashes of the audit log's perfect subtrees, written as
 * batches are anchored, so a proof reads O(log n) rows in one query. This file is
 * storage only; what to store is computed by @cairn/audit (`indexSubtrees`), which
 * takes {@link auditNodeStore} as its store.
 */
import type { PrismaClient } from "./client";

export interface AuditNodeRow {
  level: number;
  index: number;
  hash: Uint8Array;
}

export interface AuditNodeRef {
  readonly level: number;
  readonly index: number;
}

/** Map key of a node, as @cairn/audit's `subtreeKey`. */
function key(level: number, index: number): string {
  return `${level}:${index}`;
}

/**
 * Reads the given nodes in one query; absent ones are missing from the map.
 * @throws TypeError when a ref is not a pair of non-negative safe integers
 */
export async function readAuditNodes(prisma: PrismaClient, refs: readonly AuditNodeRef[]): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  if (refs.length === 0) return out;
  for (const r of refs) {
    if (!Number.isSafeInteger(r.level) || !Number.isSafeInteger(r.index) || r.level < 0 || r.index < 0) {
      throw new TypeError("node refs must be non-negative safe integers");
    }
  }
  const unique = new Map<string, AuditNodeRef>();
  for (const r of refs) unique.set(key(r.level, r.index), r);
  const levels = [...unique.values()].map((r) => r.level);
  const indexes = [...unique.values()].map((r) => String(r.index));
  // LATERAL makes it one primary-key lookup per ref: a hash join would scan the whole table.
  const rows = await prisma.$queryRaw<{ level: number; index: bigint; hash: Uint8Array }[]>`
    SELECT q.level, q.index, n.hash
    FROM unnest(${levels}::int[], ${indexes}::bigint[]) AS q(level, index)
    CROSS JOIN LATERAL (
      SELECT a.hash FROM "AuditNode" a WHERE a.level = q.level AND a.index = q.index
    ) n`;
  for (const row of rows) out.set(key(row.level, Number(row.index)), row.hash);
  return out;
}

/**
 * Stores nodes, 20,000 per statement (arrays through unnest: one round trip instead of
 * Prisma's per-row parameters); existing (level, index) rows are left as they are.
 */
export async function writeAuditNodes(prisma: PrismaClient, nodes: readonly AuditNodeRow[]): Promise<void> {
  for (let from = 0; from < nodes.length; from += 20_000) {
    const part = nodes.slice(from, from + 20_000);
    const levels = part.map((n) => n.level);
    const indexes = part.map((n) => String(n.index));
    const hashes = part.map((n) => Buffer.from(n.hash.buffer, n.hash.byteOffset, n.hash.byteLength).toString("hex"));
    await prisma.$executeRaw`
      INSERT INTO "AuditNode" (level, index, hash)
      SELECT l, i, decode(h, 'hex') FROM unnest(${levels}::int[], ${indexes}::bigint[], ${hashes}::text[]) AS t(l, i, h)
      ON CONFLICT (level, index) DO NOTHING`;
  }
}

/** Number of leaves whose subtrees are stored: nodes are written in log order, a prefix at a time. */
export async function indexedLeafCount(prisma: PrismaClient): Promise<number> {
  const row = await prisma.auditNode.findFirst({ where: { level: 0 }, orderBy: { index: "desc" }, select: { index: true } });
  return row ? Number(row.index) + 1 : 0;
}

/** Leaf hashes [from, from + limit) of the audit log, in order. */
export async function leafHashesFrom(prisma: PrismaClient, from: number, limit: number): Promise<Uint8Array[]> {
  const rows = await prisma.auditLeaf.findMany({
    where: { leafIndex: { gte: BigInt(from), lt: BigInt(from + limit) } },
    orderBy: { leafIndex: "asc" },
    select: { leafIndex: true, leafHash: true },
  });
  const out: Uint8Array[] = [];
  for (const r of rows) {
    if (Number(r.leafIndex) !== from + out.length) break; // stop at a gap: only a contiguous prefix is indexable
    out.push(r.leafHash);
  }
  return out;
}

/**
 * The AuditNode table as @cairn/audit's `SubtreeStore` (structurally typed, so this
 * package does not depend on @cairn/audit).
 */
export function auditNodeStore(prisma: PrismaClient) {
  return {
    read: (refs: readonly AuditNodeRef[]) => readAuditNodes(prisma, refs),
    indexedSize: () => indexedLeafCount(prisma),
    leaves: (from: number, limit: number) => leafHashesFrom(prisma, from, limit),
    write: (nodes: readonly AuditNodeRow[]) => writeAuditNodes(prisma, nodes),
  };
}
