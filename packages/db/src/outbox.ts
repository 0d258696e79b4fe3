/**
 * Ledger transactions requested by the web app (key registrations) wait in an
 * outbox written in the same database transaction as the request, and the relay's
 * ledger worker submits them in order: a ledger outage delays, never loses, them.
 */
import type { PrismaClient, Tx } from "./client";

export type LedgerOutboxKind = "registerIdentity" | "registerDevice" | "revokeDevice";

export async function enqueueLedgerTx(
  tx: Tx | PrismaClient,
  kind: LedgerOutboxKind,
  payload: Record<string, string | number>,
): Promise<void> {
  await tx.ledgerOutbox.create({ data: { kind, payload } });
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

export async function markLedgerTxFailed(prisma: PrismaClient, id: bigint, error: string): Promise<void> {
  await prisma.ledgerOutbox.update({
    where: { id },
    data: { attempts: { increment: 1 }, lastError: error.slice(0, 500) },
  });
}
