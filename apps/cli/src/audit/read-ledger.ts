/**
 * The ledger as `cairn verify` and `cairn checkpoint` read it: the embedded chain
 * tables through DATABASE_URL, or Fabric through Org2's peer (the network file's
 * org2User), never Cairn's own tables. `source` says so in words, for the checkpoint
 * file (no credentials in it).
 */
import { openLedger } from "@cairn/anchoring";
import { createPrismaClient, type PrismaClient } from "@cairn/db";
import type { Ledger } from "@cairn/ledger";

export interface ReadLedgerOptions {
  ledger: "embedded" | "fabric";
  databaseUrl?: string;
  networkFile?: string;
}

export interface ReadLedger {
  ledger: Ledger;
  source: string;
  close(): Promise<void>;
}

/** Where a PostgreSQL URL points, without its user or password. */
function databaseOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "(unparsable DATABASE_URL)";
  }
}

/** @throws Error with a message for the operator when the settings do not name a ledger to read */
export function openReadLedger(opts: ReadLedgerOptions): ReadLedger {
  let prisma: PrismaClient | undefined;
  let source: string;
  if (opts.ledger === "embedded") {
    if (!opts.databaseUrl) {
      throw new Error(
        "--ledger embedded reads the chain tables in PostgreSQL: start Cairn (`npm start`) or set DATABASE_URL",
      );
    }
    prisma = createPrismaClient(opts.databaseUrl, { max: 2 });
    source = `the embedded ledger (chain tables in PostgreSQL ${databaseOf(opts.databaseUrl)})`;
  } else {
    source = `Fabric as Org2's client identity (org2User), through the peers in ${opts.networkFile ?? "(no network file)"}`;
  }
  const ledger = openLedger({
    kind: opts.ledger,
    as: "reader",
    prisma,
    networkFile: opts.networkFile,
  });
  return {
    ledger,
    source,
    async close() {
      await ledger.close().catch(() => undefined);
      await prisma?.$disconnect().catch(() => undefined);
    },
  };
}
