import "server-only";
import type { PrismaClient } from "@cairn/db";
import { CairnError } from "@cairn/protocol";
import { ROLES, requireAdmin, type Role } from "./roles";

export interface UserRoleView {
  id: string;
  username: string;
  role: Role;
  createdAt: string;
}

/** Every account with its role, oldest first. @throws CairnError FORBIDDEN for non-admins */
export async function listUsers(prisma: PrismaClient, actorId: string): Promise<UserRoleView[]> {
  await requireAdmin(prisma, actorId);
  const users = await prisma.user.findMany({
    select: { id: true, username: true, role: true, createdAt: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  return users.map((u) => ({
    id: u.id,
    username: u.username,
    role: (ROLES as readonly string[]).includes(u.role) ? (u.role as Role) : "member",
    createdAt: u.createdAt.toISOString(),
  }));
}

/**
 * Grants (`compliance`) or revokes (`member`) the compliance role. The admin role is
 * not assignable here: admins cannot be demoted or created from the UI, so no admin
 * can lock the others out. Every change is logged with both ids.
 * @throws CairnError FORBIDDEN for non-admins or when the target is an admin; USER_NOT_FOUND
 */
export async function setComplianceRole(
  prisma: PrismaClient,
  actorId: string,
  targetId: string,
  role: "compliance" | "member",
): Promise<UserRoleView> {
  await requireAdmin(prisma, actorId);
  const target = await prisma.user.findUnique({ where: { id: targetId }, select: { role: true } });
  if (!target) throw new CairnError("USER_NOT_FOUND", "No such user.");
  if (target.role === "admin") throw new CairnError("FORBIDDEN", "An admin's role cannot be changed here.");
  const updated = await prisma.user.update({
    where: { id: targetId },
    data: { role },
    select: { id: true, username: true, role: true, createdAt: true },
  });
  console.info(`[web] role change: actor=${actorId} target=${targetId} from=${target.role} to=${role} at=${new Date().toISOString()}`);
  return { id: updated.id, username: updated.username, role, createdAt: updated.createdAt.toISOString() };
}
