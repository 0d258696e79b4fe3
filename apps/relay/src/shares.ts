/**
 * Session shares (sealed sender keys) are queued per recipient device until that
 * device acknowledges them, so a device that comes online later still gets them.
 * The relay cannot open them; it checks who may send what to whom.
 */
import type { PrismaClient } from "@cairn/db";
import { CairnError, WireSessionShare, type DeliveredShare } from "@cairn/protocol";

export async function queueShares(
  prisma: PrismaClient,
  input: { senderUserId: string; senderDeviceId: string; shares: WireSessionShare[] },
): Promise<DeliveredShare[]> {
  const roomIds = [...new Set(input.shares.map((s) => s.roomId))];
  const recipientIds = [...new Set(input.shares.map((s) => s.recipientDeviceId))];
  for (const share of input.shares) {
    if (share.senderDeviceId !== input.senderDeviceId) {
      throw new CairnError("FORBIDDEN", "Shares must come from their sender device.");
    }
  }
  const memberships = await prisma.roomMember.findMany({
    where: { roomId: { in: roomIds } },
    select: { roomId: true, userId: true },
  });
  const members = new Set(memberships.map((m) => `${m.roomId}/${m.userId}`));
  for (const roomId of roomIds) {
    if (!members.has(`${roomId}/${input.senderUserId}`)) {
      throw new CairnError("NOT_A_MEMBER", "You are not a member of this room.");
    }
  }
  const devices = await prisma.device.findMany({
    where: { id: { in: recipientIds }, revokedAt: null },
    select: { id: true, userId: true },
  });
  const ownerOf = new Map(devices.map((d) => [d.id, d.userId]));
  for (const share of input.shares) {
    const owner = ownerOf.get(share.recipientDeviceId);
    if (!owner) throw new CairnError("DEVICE_UNKNOWN", "A recipient device is unknown or revoked.");
    if (!members.has(`${share.roomId}/${owner}`)) {
      throw new CairnError("NOT_A_MEMBER", "A recipient device does not belong to a room member.");
    }
  }
  const rows = await prisma.$transaction(
    input.shares.map((share) =>
      prisma.sessionShare.create({
        data: {
          recipientDeviceId: share.recipientDeviceId,
          senderDeviceId: share.senderDeviceId,
          roomId: share.roomId,
          payload: share,
        },
        select: { id: true },
      }),
    ),
  );
  return rows.map((row, i) => ({ id: row.id.toString(), share: input.shares[i] as WireSessionShare }));
}

/** Every share still waiting for this device, oldest first. */
export async function deliverQueuedShares(prisma: PrismaClient, deviceId: string): Promise<DeliveredShare[]> {
  const rows = await prisma.sessionShare.findMany({
    where: { recipientDeviceId: deviceId, deliveredAt: null },
    orderBy: { id: "asc" },
    take: 1000,
  });
  const out: DeliveredShare[] = [];
  for (const row of rows) {
    const parsed = WireSessionShare.safeParse(row.payload);
    if (parsed.success) out.push({ id: row.id.toString(), share: parsed.data });
  }
  return out;
}

export async function markSharesDelivered(prisma: PrismaClient, deviceId: string, ids: string[]): Promise<number> {
  const numeric = ids.filter((id) => /^\d{1,19}$/.test(id)).map((id) => BigInt(id));
  const result = await prisma.sessionShare.updateMany({
    where: { id: { in: numeric }, recipientDeviceId: deviceId, deliveredAt: null },
    data: { deliveredAt: new Date() },
  });
  return result.count;
}
