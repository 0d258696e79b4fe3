/**
 * Ledger transactions requested by the web app (key registrations) wait in an
 * outbox written in the same database transaction as the request, and the relay's
 * ledger worker submits them in order: a ledger outage delays, never loses, them.
 */
import { LEDGER_OUTBOX_PAYLOADS, type LedgerOutboxKind, type LedgerOutboxPayload } from "@cairn/protocol";
import type { PrismaClient, Tx } from "./client";

/**
 * Queues one ledger transaction, checked against its kind's schema (@cairn/protocol),
 * so nothing reaches the outbox that the worker would have to refuse as malformed.
 * @throws ZodError when the payload is not its kind's
 */
export async function enqueueLedgerTx<K extends LedgerOutboxKind>(tx: Tx | PrismaClient, kind: K, payload: LedgerOutboxPayload<K>): Promise<void> {
  await tx.ledgerOutbox.create({ data: { kind, payload: LEDGER_OUTBOX_PAYLOADS[kind].parse(payload) } });
}

export interface OutboxItem {
  id: bigint;
  kind: string;
  payload: unknown;
  attempts: number;
}

/** The oldest pending items, in the order they were requested. */
export async function pendingLedgerTxs(prisma: PrismaClient, limit = 50): Promise<OutboxItem[]> {
  return prisma.ledgerOutbox.findMany({
    where: { doneAt: null },
    orderBy: { id: "asc" },
    take: limit,
    select: { id: true, kind: true, payload: true, attempts: true },
  });
}

export async function markLedgerTxDone(prisma: PrismaClient, id: bigint, txId: string): Promise<void> {
  await prisma.ledgerOutbox.update({ where: { id }, data: { doneAt: new Date(), txId, lastError: null } });
}

/**
 * The ledger refused the item for good (its contract judged the request itself):
 * it is done, with no transaction id and the reason kept for the admin.
 */
export async function markLedgerTxRefused(prisma: PrismaClient, id: bigint, reason: string): Promise<void> {
  await prisma.ledgerOutbox.update({
    where: { id },
    data: { attempts: { increment: 1 }, doneAt: new Date(), txId: null, lastError: reason.slice(0, 500) },
  });
}

export interface RefusedLedgerTx {
  id: bigint;
  kind: string;
  reason: string;
  requestedAt: Date;
  refusedAt: Date;
}

/** The newest items the ledger refused, newest first (for the admin dashboard). */
export async function refusedLedgerTxs(prisma: PrismaClient, limit = 20): Promise<{ total: number; recent: RefusedLedgerTx[] }> {
  const where = { doneAt: { not: null }, txId: null };
  const [total, rows] = await Promise.all([
    prisma.ledgerOutbox.count({ where }),
    prisma.ledgerOutbox.findMany({
      where,
      orderBy: { id: "desc" },
      take: limit,
      select: { id: true, kind: true, lastError: true, createdAt: true, doneAt: true },
    }),
  ]);
  return {
    total,
    recent: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      reason: r.lastError ?? "",
      requestedAt: r.createdAt,
      refusedAt: r.doneAt ?? r.createdAt,
    })),
  };
}

/** A transient failure: the item stays pending, with the attempt counted and the error kept. */
export async function markLedgerTxFailed(prisma: PrismaClient, id: bigint, error: string): Promise<void> {
  await prisma.ledgerOutbox.update({
    where: { id },
    data: { attempts: { increment: 1 }, lastError: error.slice(0, 500) },
  });
}
