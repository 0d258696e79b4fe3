import "server-only";
import { createPrismaClient } from "@cairn/db";
import { env } from "../env";

type Prisma = ReturnType<typeof createPrismaClient>;
const holder = globalThis as typeof globalThis & { __cairnPrisma?: Prisma };

/** The app's one Prisma client (kept on globalThis so dev reloads reuse the pool). */
export function db(): Prisma {
  holder.__cairnPrisma ??= createPrismaClient(env().DATABASE_URL);
  return holder.__cairnPrisma;
}
export type { Prisma };
