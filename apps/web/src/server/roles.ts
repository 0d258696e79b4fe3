import "server-only";
import type { PrismaClient } from "@cairn/db";
import { CairnError } from "@cairn/protocol";

/**
 * Roles (docs/architecture.md, trust model, issue 5): admins run the server, manage people and export audit
 * trails; compliance officers verify exports; members chat. Stored in User.role.
 */
export const ROLES = ["admin", "compliance", "member"] as const;
export type Role = (typeof ROLES)[number];

/** What a role may do in the audit pages. */
export interface AuditAccess {
  role: Role;
  /** Export bundles, see the dashboard, assign the compliance role. */
  canAdminister: boolean;
  /** Open the compliance (verification) page. */
  canVerify: boolean;
}

function asRole(stored: string): Role {
  return (ROLES as readonly string[]).includes(stored) ? (stored as Role) : "member";
}

export function accessOf(role: Role): AuditAccess {
  return { role, canAdminister: role === "admin", canVerify: role === "admin" || role === "compliance" };
}

/**
 * The user's role. Bootstrap rule: while no account holds "admin", the earliest-created
 * account (ties broken by id) IS the admin, and the first time its role is resolved it
 * is written down, so the rule is a one-time claim, not a standing privilege of "the
 * oldest user". One statement, so two concurrent first requests cannot both promote:
 * only the single earliest row ever qualifies, and only while no admin exists.
 * @throws CairnError UNAUTHENTICATED when the user no longer exists
 */
export async function resolveRole(prisma: PrismaClient, userId: string): Promise<Role> {
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { role: true } });
  if (!user) throw new CairnError("UNAUTHENTICATED", "Please log in.");
  if (user.role === "admin") return "admin";
  const promoted = await prisma.$executeRaw`
    UPDATE "User" SET "role" = 'admin'
    WHERE "id" = ${userId}::uuid
      AND NOT EXISTS (SELECT 1 FROM "User" WHERE "role" = 'admin')
      AND "id" = (SELECT "id" FROM "User" ORDER BY "createdAt" ASC, "id" ASC LIMIT 1)`;
  if (promoted === 1) {
    console.info(`[web] role bootstrap: user ${userId} is the first account and no admin existed: now admin`);
    return "admin";
  }
  return asRole(user.role);
}

/** @throws CairnError FORBIDDEN unless the user may administer (admins only) */
export async function requireAdmin(prisma: PrismaClient, userId: string): Promise<Role> {
  const role = await resolveRole(prisma, userId);
  if (!accessOf(role).canAdminister) throw new CairnError("FORBIDDEN", "Only admins may do this.");
  return role;
}

/** @throws CairnError FORBIDDEN unless the user is an admin or a compliance officer */
export async function requireVerifier(prisma: PrismaClient, userId: string): Promise<Role> {
  const role = await resolveRole(prisma, userId);
  if (!accessOf(role).canVerify) throw new CairnError("FORBIDDEN", "Only admins and compliance officers may see the compliance pages.");
  return role;
}
