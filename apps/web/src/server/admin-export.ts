import "server-only";
import type { LedgerKind } from "@cairn/audit";
import type { PrismaClient } from "@cairn/db";

/** Which ledger this deployment anchors to: the embedded ledger keeps its block log in Cairn's database. */
export async function ledgerKindOf(prisma: PrismaClient): Promise<LedgerKind> {
  const block = await prisma.ledgerBlock.findFirst({ select: { number: true } });
  return block ? "embedded" : "fabric";
}
