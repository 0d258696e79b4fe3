/**
 * The stack's database: an external PostgreSQL named by DATABASE_URL, or the
 * embedded one (PostgreSQL binaries from npm) under the data directory.
 */
import { existsSync, readFileSync } from "node:fs";
import pg from "pg";
import { startEmbeddedPostgres, type RunningPostgres } from "@cairn/db/admin";
import path from "node:path";

export interface StackDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** A postgres left running by a launcher that was killed holds the data dir: stop it. */
async function stopOrphan(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, "utf8").split("\n")[0] ?? "", 10);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, "SIGINT"); // fast shutdown
  } catch {
    return; // not running
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ensureDatabase(server: RunningPostgres, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: server.adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}

export async function openStackDatabase(opts: {
  externalUrl: string | undefined;
  dataDir: string;
  port: number;
  /** Password of the embedded server's `postgres` user (made once, kept in the data dir). */
  password: string;
  log: (line: string) => void;
}): Promise<StackDatabase> {
  if (opts.externalUrl) return { url: opts.externalUrl, embedded: false, stop: async () => {} };
  await stopOrphan(opts.dataDir);
  const server = await startEmbeddedPostgres({
    dataDir: opts.dataDir,
    port: opts.port,
    password: opts.password,
    log: opts.log,
  });
  await ensureDatabase(server, "cairn");
  return { url: server.urlFor("cairn"), embedded: true, stop: () => server.stop() };
}
