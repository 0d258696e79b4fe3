/**
 * A relay ledger worker alone in its own process, so a fault test can kill it with
 * SIGKILL mid-batch: DATABASE_URL in the environment; prints "started" when up.
 */
import { createPrismaClient } from "@cairn/db";
import { createEmbeddedLedger } from "@cairn/ledger";
import { startLedgerWorker } from "@cairn/anchoring";
import { createLogger } from "@cairn/log";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error("DATABASE_URL is required");
const prisma = createPrismaClient(databaseUrl);
startLedgerWorker({
  prisma,
  ledger: createEmbeddedLedger({ prisma }),
  databaseUrl,
  serverSecret: "ef".repeat(32),
  log: createLogger("warn"),
  intervalMs: 10,
  maxBatch: 25,
});
process.stdout.write("started\n");
