import "server-only";
/**
 * Offboarding (issue 9): an admin deactivates an account. One transaction: the account
 * is marked (who, when), every session ends, every device is revoked in Cairn (the
 * relay refuses it, its queued shares are dropped, members' clients rotate), the user
 * leaves every room (each room's membership chain records it, unsigned), and the deactivation is an audit leaf of kind "deactivation"
 * (auditDeactivationData) that the ledger worker anchors like any other leaf. The
 * relays hear `deviceRevoked` and `membershipRemoved` on commit.
 *
 * The ledger hears it through the outbox, in the same transaction:
 * KeyRegistry:DeactivateUser revokes every device still active on the chain (unsigned,
 * since the user is not there to sign; the record names the audit leaf and who
 * submitted it) and refuses new devices for the account, so members' clients that read
 * the ledger see the devices revoked.
 */
import { leafHash } from "@cairn/audit";
import { allocateLeaf, enqueueLedgerTx, publishServerEvent, type PrismaClient } from "@cairn/db";
import { auditDeactivationData, CairnError } from "@cairn/protocol";
import { INVALID_CREDENTIALS_MESSAGE } from "./accounts";
import { db } from "./db";
import { appendUnsignedRemoval } from "./membership-events";
import { requireAdmin } from "./roles";

export interface DeactivationResult {
  userId: string;
  deactivatedAt: string;
  deactivatedBy: string;
  /** Index of the audit leaf that records it. */
  leafIndex: number;
  sessionsEnded: number;
  devicesRevoked: number;
  roomsLeft: number;
}

/**
 * @throws CairnError FORBIDDEN (not an admin; oneself; an admin account),
 *   USER_NOT_FOUND, CONFLICT (already deactivated)
 */
export async function deactivateUser(
  prisma: PrismaClient,
  actorId: string,
  targetId: string,
  now = new Date(),
): Promise<DeactivationResult> {
  await requireAdmin(prisma, actorId);
  if (actorId === targetId) throw new CairnError("FORBIDDEN", "You cannot deactivate your own account.");
  const target = await prisma.user.findUnique({ where: { id: targetId }, select: { role: true, deactivatedAt: true } });
  if (!target) throw new CairnError("USER_NOT_FOUND", "No such user.");
  // As with roles: an admin cannot be changed from the UI, so no admin locks the others out.
  if (target.role === "admin") throw new CairnError("FORBIDDEN", "An admin account cannot be deactivated here.");
  if (target.deactivatedAt) throw new CairnError("CONFLICT", "This account is already deactivated.");
  const at = new Date(Math.floor(now.getTime())); // the column keeps milliseconds: the leaf data must match it
  return prisma.$transaction(async (tx) => {
    // The guard: of two concurrent deactivations, one marks the row, the other changes nothing.
    const marked = await tx.user.updateMany({
      where: { id: targetId, deactivatedAt: null },
      data: { deactivatedAt: at, deactivatedBy: actorId },
    });
    if (marked.count === 0) throw new CairnError("CONFLICT", "This account is already deactivated.");
    const sessions = await tx.session.deleteMany({ where: { userId: targetId } });
    const devices = await tx.device.findMany({ where: { userId: targetId, revokedAt: null }, select: { id: true } });
    const deviceIds = devices.map((d) => d.id);
    await tx.device.updateMany({ where: { id: { in: deviceIds } }, data: { revokedAt: at } });
    // Shares still queued for those devices are never delivered now.
    await tx.sessionShare.deleteMany({ where: { recipientDeviceId: { in: deviceIds }, deliveredAt: null } });
    const rooms = await tx.roomMember.findMany({ where: { userId: targetId }, select: { roomId: true }, orderBy: { roomId: "asc" } });
    await tx.roomMember.deleteMany({ where: { userId: targetId } });
    // Each room's chain records the removal, unsigned (the server's word). Rooms are
    // locked in id order before the log head, as the relay's group commit locks them.
    await tx.$queryRaw`SELECT id FROM "Room" WHERE id = ANY(${rooms.map((r) => r.roomId)}::uuid[]) ORDER BY id FOR UPDATE`;
    const { identityPublicKey } = await tx.user.findUniqueOrThrow({ where: { id: targetId }, select: { identityPublicKey: true } });
    for (const { roomId } of rooms) await appendUnsignedRemoval(tx, roomId, [new Uint8Array(identityPublicKey)]);
    // Delivered in this order on commit: the user's open rooms first hear why (their
    // browser logs out), then the relays drop the devices' sockets.
    for (const { roomId } of rooms) {
      await publishServerEvent(tx, { type: "membershipRemoved", roomId, userIds: [targetId], reason: "deactivated" });
    }
    for (const id of deviceIds) await publishServerEvent(tx, { type: "deviceRevoked", userId: targetId, deviceId: id });
    // The AuditHead row (locked by the removals above) stays locked until commit.
    const leafIndex = await allocateLeaf(tx);
    const data = auditDeactivationData({ actorUserId: actorId, targetUserId: targetId, deactivatedAtMs: at.getTime() });
    await tx.auditLeaf.create({ data: { leafIndex: BigInt(leafIndex), leafHash: new Uint8Array(leafHash(data)), kind: "deactivation" } });
    await tx.user.update({ where: { id: targetId }, data: { deactivationLeaf: BigInt(leafIndex) } });
    await enqueueLedgerTx(tx, "deactivateUser", { userId: targetId, auditLeafIndex: leafIndex });
    console.info(
      `[web] deactivation: actor=${actorId} target=${targetId} sessions=${sessions.count} devices=${deviceIds.length} rooms=${rooms.length} leaf=${leafIndex} at=${at.toISOString()}`,
    );
    return {
      userId: targetId,
      deactivatedAt: at.toISOString(),
      deactivatedBy: actorId,
      leafIndex,
      sessionsEnded: sessions.count,
      devicesRevoked: deviceIds.length,
      roomsLeft: rooms.length,
    };
  });
}

/**
 * For the log-in route, after the passphrase checked out: a deactivated account gets
 * the same answer as a wrong passphrase, so the response tells nothing more.
 * @throws CairnError INVALID_CREDENTIALS
 */
export async function refuseDeactivated(userId: string, prisma: PrismaClient = db()): Promise<void> {
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { deactivatedAt: true } });
  if (!user || user.deactivatedAt) throw new CairnError("INVALID_CREDENTIALS", INVALID_CREDENTIALS_MESSAGE);
}
