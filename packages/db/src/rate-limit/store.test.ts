/**
 * The shared PostgreSQL store: two limiters over two separate Prisma clients (as two
 * processes have) spend one budget.
 */
import { createPrismaClient, sqlPool } from "../client";
import { createTestDatabase, type TestDatabase } from "../testing";
import { RateLimiterRes } from "rate-limiter-flexible";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RATE_LIMIT_TABLE, postgresLimiter } from "./store";
import { rateSpec } from "./spec";

let tdb: TestDatabase;
let other: ReturnType<typeof createPrismaClient>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  other = createPrismaClient(tdb.url, { max: 2 });
});
afterAll(async () => {
  await other.$disconnect();
  await tdb.drop();
});

describe("rate-limit store", () => {
  it("shares one budget between processes", async () => {
    const a = postgresLimiter(tdb.prisma, "test:shared", { points: 3, durationSec: 60 });
    const b = postgresLimiter(other, "test:shared", { points: 3, durationSec: 60 });
    await a.consume("k");
    await b.consume("k");
    const third = await a.consume("k");
    expect(third.remainingPoints).toBe(0);
    const refused = await b.consume("k").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimiterRes);
    expect((refused as RateLimiterRes).msBeforeNext).toBeGreaterThan(0);
    const rows = await tdb.prisma.$queryRawUnsafe<{ key: string; points: number }[]>(
      `SELECT key, points FROM "${RATE_LIMIT_TABLE}" WHERE key = 'test:shared:k'`,
    );
    expect(rows).toEqual([{ key: "test:shared:k", points: 4 }]);
    // Another key, another budget; a reward gives a point back.
    expect((await b.consume("j")).remainingPoints).toBe(2);
    await a.reward("j", 1);
    expect((await b.consume("j")).remainingPoints).toBe(2);
  });

  it("counts the same budget through a node-postgres pool as through Prisma", async () => {
    const viaPrisma = postgresLimiter(tdb.prisma, "test:pool", { points: 2, durationSec: 60 });
    const viaPool = postgresLimiter(sqlPool(other), "test:pool", { points: 2, durationSec: 60 });
    expect((await viaPool.consume("k")).remainingPoints).toBe(1);
    expect((await viaPrisma.consume("k")).remainingPoints).toBe(0);
    const refused = await viaPool.consume("k").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimiterRes);
    expect((refused as RateLimiterRes).consumedPoints).toBe(3);
  });

  it('parses "POINTS/SECONDS" and "off", and refuses anything else', () => {
    expect(rateSpec("10/60").parse(undefined)).toEqual({ points: 10, durationSec: 60 });
    expect(rateSpec("10/60").parse(" 5/1 ")).toEqual({ points: 5, durationSec: 1 });
    expect(rateSpec("10/60").parse("off")).toBeNull();
    for (const bad of ["0/60", "5/0", "5", "5/60s", "-1/60", "1.5/60"]) {
      expect(rateSpec("10/60").safeParse(bad).success).toBe(false);
    }
  });
});
