/**
 * The first account is the admin from the moment it exists (issue 11): sign-up calls
 * this in the transaction that creates the user, so no window exists in which an
 * installation has accounts and no admin (`cairn export --by <first user>` works at
 * once). Same rule as the web app's role bootstrap (apps/web roles.ts, kept for
 * installations whose first account predates this): only while no admin exists, and
 * only the earliest account.
 */
import type { Tx } from "./client";

/** Any fixed 64-bit key: serialises concurrent first sign-ups (pg_advisory_xact_lock). */
const FIRST_ADMIN_LOCK = 0x636169726e_01n;

/**
 * Makes `userId` admin when no account is admin yet and it is the earliest account.
 * Holds a transaction-scoped advisory lock first: two sign-ups in concurrent
 * transactions cannot both see "no admin" (READ COMMITTED would let them), because the
 * second one's check runs only after the first has committed.
 * @returns true when the user became admin
 */
export async function claimFirstAdmin(tx: Tx, userId: string): Promise<boolean> {
  await tx.$queryRaw`SELECT pg_advisory_xact_lock(${FIRST_ADMIN_LOCK})::text`;
  const promoted = await tx.$executeRaw`
    UPDATE "User" SET "role" = 'admin'
    WHERE "id" = ${userId}::uuid
      AND NOT EXISTS (SELECT 1 FROM "User" WHERE "role" = 'admin')
      AND "id" = (SELECT "id" FROM "User" ORDER BY "createdAt" ASC, "id" ASC LIMIT 1)`;
  return promoted === 1;
}
