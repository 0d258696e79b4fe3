import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client";

export { PrismaClient };
export { Prisma } from "./generated/prisma/client";

const pools = new WeakMap<PrismaClient, pg.Pool>();

/**
 * A Prisma client over node-postgres (no native engine: works offline). Its pg pool
 * is also reachable through {@link sqlPool}, for the few hot statements that plain
 * `pg` runs faster than Prisma (measured in BENCHMARKS.md "## relay").
 */
export function createPrismaClient(databaseUrl: string, opts: { max?: number } = {}): PrismaClient {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: opts.max ?? 10 });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(prisma, pool);
  return prisma;
}

/** The pg pool under a client made by {@link createPrismaClient}. */
export function sqlPool(prisma: PrismaClient): pg.Pool {
  const pool = pools.get(prisma);
  if (!pool) throw new Error("sqlPool: this PrismaClient was not made by createPrismaClient");
  return pool;
}

/** The transaction client handed to `prisma.$transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
