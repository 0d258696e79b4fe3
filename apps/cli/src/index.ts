#!/usr/bin/env node
/** `cairn` — Cairn's command line: start the stack, and (more to come) admin tasks. */
import { Command, InvalidArgumentError } from "commander";
import { startStack } from "./stack/start";
import { REPO_ROOT } from "./stack/paths";
import path from "node:path";
import { cliEnv } from "./env";

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError("a port number, 1–65535");
  return n;
}

const program = new Command().name("cairn").description("Cairn: end-to-end encrypted team chat with an audit trail on chain");

program
  .command("start")
  .description("start PostgreSQL (embedded unless DATABASE_URL is set), the relay and the web app")
  .option("--web-port <port>", "web app port", port, 3000)
  .option("--relay-port <port>", "relay port", port, 3001)
  .option("--pg-port <port>", "embedded PostgreSQL port", port, 54329)
  .option("--data-dir <dir>", "where Cairn keeps its data", path.join(REPO_ROOT, ".data"))
  .option("--fresh", "delete the data directory first", false)
  .option("--quiet", "do not echo the relay's and web app's logs", false)
  .action(async (opts: { webPort: number; relayPort: number; pgPort: number; dataDir: string; fresh: boolean; quiet: boolean }) => {
    const env = cliEnv();
    await startStack({ ...opts, ledger: env.CAIRN_LEDGER, databaseUrl: env.DATABASE_URL });
  });

await program.parseAsync(process.argv);
