/**
 * Test databases: each call creates a fresh, migrated database on a real
 * PostgreSQL — the one `vitest-global-setup` started (CAIRN_TEST_PG_URL), an
 * external server named by DATABASE_URL, or else one embedded server per process.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createPrismaClient, type PrismaClient } from "./client";
import { startEmbeddedPostgres, type RunningPostgres } from "./embedded-postgres";
import { migrate } from "./migrate";

let ownServer: Promise<RunningPostgres> | undefined;

async function adminUrl(): Promise<string> {
  const fromEnv = process.env.CAIRN_TEST_PG_URL ?? process.env.DATABASE_URL;
  if (fromEnv) return fromEnv;
  ownServer ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "cairn-pg-"));
  await chmod(dir, 0o755); // the postgres user must reach its data directory inside
    const server = await startEmbeddedPostgres({ dataDir: path.join(dir, "data") });
    process.once("exit", () => void server.stop());
    return server;
  })();
  return (await ownServer).adminUrl;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface TestDatabase {
  url: string;
  prisma: PrismaClient;
  drop(): Promise<void>;
}

export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const admin = await adminUrl();
  const name = `cairn_test_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = withDatabase(admin, name);
  if (opts.migrate !== false) await migrate(url);
  const prisma = createPrismaClient(url, { max: 5 });
  return {
    url,
    prisma,
    drop: async () => {
      await prisma.$disconnect();
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
