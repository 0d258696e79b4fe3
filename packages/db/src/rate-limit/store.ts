/**
 * The PostgreSQL store of every rate limit: rate-limiter-flexible's RateLimiterPostgres
 * over the app's own Prisma client or its node-postgres pool (no second pool; the
 * relay's per-message limit takes the pool: one prepared statement, no Prisma on the
 * hot path), in one table that the web app's and the relay's processes share, so
 * limits hold across processes.
 *
 * The table is the library's (key, points, expire) layout, created by a migration
 * (Prisma model RateLimit).
 */
import type pg from "pg";
import { RateLimiterMemory, RateLimiterPostgres } from "rate-limiter-flexible";
import type { RateSpec } from "./spec";

export const RATE_LIMIT_TABLE = "RateLimit";

/** What the store needs of a Prisma client. */
export interface RawSql {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

/** Where limits are counted: a Prisma client, or the node-postgres pool under one (`sqlPool`). */
export type RateStore = RawSql | pg.Pool;

interface PgQuery {
  text: string;
  values?: unknown[];
}

/** Row values as the library computes with them: PostgreSQL bigint arrives as BigInt. */
function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === "bigint" ? Number(v) : v;
  return out;
}

/** node-postgres's `query({ text, values })`, as RateLimiterPostgres calls a pool, over Prisma. */
export function pgLikeClient(sql: RawSql) {
  return {
    async query(q: PgQuery): Promise<{ rows: Record<string, unknown>[]; rowCount: number }> {
      const values = q.values ?? [];
      if (/^\s*(DELETE|CREATE)\b/i.test(q.text)) {
        const count = await sql.$executeRawUnsafe(q.text, ...values);
        return { rows: [], rowCount: count };
      }
      const rows = await sql.$queryRawUnsafe<Record<string, unknown>[]>(q.text, ...values);
      return { rows: rows.map(plainRow), rowCount: rows.length };
    },
  };
}

/**
 * One limiter in the shared table. Over the limit the key is also blocked in this
 * process's memory until its window ends (no database round trip per refused
 * attempt); while the database cannot be reached, an in-memory limiter with the same
 * numbers stands in.
 */
export function postgresLimiter(
  sql: RateStore,
  keyPrefix: string,
  spec: RateSpec,
  opts: { clearExpired?: boolean } = {},
): RateLimiterPostgres {
  return new RateLimiterPostgres({
    storeClient: "$queryRawUnsafe" in sql ? pgLikeClient(sql) : sql,
    storeType: "pool",
    tableName: RATE_LIMIT_TABLE,
    tableCreated: true,
    clearExpiredByTimeout: opts.clearExpired ?? false,
    keyPrefix,
    points: spec.points,
    duration: spec.durationSec,
    inMemoryBlockOnConsumed: spec.points + 1,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix, points: spec.points, duration: spec.durationSec }),
  });
}
