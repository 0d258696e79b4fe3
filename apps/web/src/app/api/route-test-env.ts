/**
 * For tests that call route handlers directly: a migrated test database as the app's
 * DATABASE_URL, with `env` set for the app's settings, both undone after the file (the
 * Argon2id pool and the app's Prisma client closed, the database dropped, the
 * environment restored). Registers its own beforeAll/afterAll; read `db()` inside tests.
 */
import { ready } from "@cairn/crypto";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { afterAll, beforeAll } from "vitest";

export function routeTestEnv(env: Record<string, string>): { db(): TestDatabase } {
  let tdb: TestDatabase | undefined;
  const saved = { ...process.env };
  beforeAll(async () => {
    await ready();
    tdb = await createTestDatabase();
    Object.assign(process.env, { DATABASE_URL: tdb.url, ...env });
  });
  afterAll(async () => {
    const { authHashes } = await import("@/server/auth-hash");
    await authHashes().close();
    const { db } = await import("@/server/db");
    await db().$disconnect();
    await tdb?.drop();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });
  return {
    db: () => {
      if (!tdb) throw new Error("routeTestEnv: the database exists only inside tests");
      return tdb;
    },
  };
}
