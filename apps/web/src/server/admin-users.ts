import "server-only";
import { endUserSessions, type PrismaClient } from "@cairn/db";
import { CairnError } from "@cairn/protocol";
import { ROLES, requireAdmin, type Role } from "./roles";

export interface UserRoleView {
  id: string;
  username: string;
  role: Role;
  createdAt: string;
}

/** An account as the admin's people list shows it (issue 9): status, devices, rooms. */
export interface AdminUserView extends UserRoleView {
  status: "active" | "deactivated";
  deactivatedAt: string | null;
  devices: { active: number; total: number };
  rooms: { id: string; name: string }[];
}

const asRole = (stored: string): Role => ((ROLES as readonly string[]).includes(stored) ? (stored as Role) : "member");

/** Every account with its role, status, devices and rooms, oldest first. @throws CairnError FORBIDDEN for non-admins */
export async function listUsers(prisma: PrismaClient, actorId: string): Promise<AdminUserView[]> {
  await requireAdmin(prisma, actorId);
  const users = await prisma.user.findMany({
    select: {
      id: true,
      username: true,
      role: true,
      createdAt: true,
      deactivatedAt: true,
      devices: { select: { revokedAt: true } },
      memberships: { select: { room: { select: { id: true, name: true } } }, orderBy: { joinedAt: "asc" } },
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  return users.map((u) => ({
    id: u.id,
    username: u.username,
    role: asRole(u.role),
    createdAt: u.createdAt.toISOString(),
    status: u.deactivatedAt ? "deactivated" : "active",
    deactivatedAt: u.deactivatedAt ? u.deactivatedAt.toISOString() : null,
    devices: { active: u.devices.filter((d) => d.revokedAt === null).length, total: u.devices.length },
    rooms: u.memberships.map((m) => m.room),
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
  // A privilege change ends the user's sessions (they log in again under the new role).
  const updated = await prisma.$transaction(async (tx) => {
    const row = await tx.user.update({
      where: { id: targetId },
      data: { role },
      select: { id: true, username: true, role: true, createdAt: true },
    });
    if (target.role !== role) await endUserSessions(tx, targetId);
    return row;
  });
  console.info(`[web] role change: actor=${actorId} target=${targetId} from=${target.role} to=${role} at=${new Date().toISOString()}`);
  return { id: updated.id, username: updated.username, role, createdAt: updated.createdAt.toISOString() };
}
