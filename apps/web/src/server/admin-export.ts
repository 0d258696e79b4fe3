import "server-only";
import type { LedgerKind } from "@cairn/audit";
import type { PrismaClient } from "@cairn/db";

/** The admin export is the shared exporter of @cairn/db (the same one `cairn export` uses). */
export {
  planExport,
  writeExport,
  type ExportPlan,
  type ExportResult,
  type WriteExportOptions,
} from "@cairn/db/export";

/** Which ledger this deployment anchors to: the embedded ledger keeps its block log in Cairn's database. */
export async function ledgerKindOf(prisma: PrismaClient): Promise<LedgerKind> {
  const block = await prisma.ledgerBlock.findFirst({ select: { number: true } });
  return block ? "embedded" : "fabric";
}
