/**
 * vitest globalSetup: one embedded PostgreSQL for a whole test run (unless
 * DATABASE_URL names an external server). Workers find it through CAIRN_TEST_PG_URL.
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "./embedded-postgres";

export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.DATABASE_URL || process.env.CAIRN_TEST_PG_URL) return async () => {};
  const dir = await mkdtemp(path.join(os.tmpdir(), "cairn-pg-"));
  await chmod(dir, 0o755); // the postgres user must reach its data directory inside
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, "data") });
  process.env.CAIRN_TEST_PG_URL = server.adminUrl;
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
