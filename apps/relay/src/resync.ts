/**
 * What the relay re-reads after its server-event listener reconnects (PostgreSQL
 * restarted, or the connection dropped): notifications sent meanwhile are lost, so
 * the state they announced is read back from the database for the sockets open now.
 * - devices revoked meanwhile: their sockets are disconnected;
 * - memberships: every live socket is (re-)joined to each room its user is in, and
 *   leaves each room its user is no longer in (left or removed meanwhile);
 * - the latest checkpoint: broadcast to every client.
 */
import { latestCheckpoint, type PrismaClient } from "@cairn/db";
import { errorFields, type Logger } from "@cairn/log";
import type { Relay } from "./app";

export interface ResyncResult {
  devicesDropped: number;
  roomsJoined: number;
  /** (user, room) pairs whose sockets left a room the user is no longer in. */
  roomsLeft: number;
  checkpointTreeSize: number | null;
}

/** Ids per query: keeps each `IN (...)` list well under PostgreSQL's parameter limit. */
const CHUNK = 1_000;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

type ResyncTarget = Pick<
  Relay,
  "connectedDevices" | "dropDevice" | "joinRoom" | "leaveRoom" | "joinedRooms" | "broadcastCheckpoint"
>;

export async function resyncRelay(relay: ResyncTarget, prisma: PrismaClient): Promise<ResyncResult> {
  const open = relay.connectedDevices();
  // Taken before memberships are read: a socket joined to a room after that read is not judged by it.
  const joined = relay.joinedRooms();
  const deviceIds = [...new Set(open.map((d) => d.deviceId))];
  const userIds = [...new Set(open.map((d) => d.userId))];

  let devicesDropped = 0;
  for (const ids of chunks(deviceIds)) {
    const revoked = await prisma.device.findMany({
      where: { id: { in: ids }, revokedAt: { not: null } },
      select: { id: true },
    });
    for (const { id } of revoked) relay.dropDevice(id);
    devicesDropped += revoked.length;
  }

  const usersByRoom = new Map<string, string[]>();
  const member = new Set<string>();
  for (const ids of chunks(userIds)) {
    const rows = await prisma.roomMember.findMany({
      where: { userId: { in: ids } },
      select: { roomId: true, userId: true },
    });
    for (const { roomId, userId } of rows) {
      usersByRoom.set(roomId, [...(usersByRoom.get(roomId) ?? []), userId]);
      member.add(`${roomId}/${userId}`);
    }
  }
  for (const [roomId, members] of usersByRoom) relay.joinRoom(roomId, members);

  // Sockets still in rooms their user left or was removed from (the notification was lost).
  const stale = new Map<string, Set<string>>();
  const asked = new Set(userIds);
  for (const { userId, roomId } of joined) {
    if (member.has(`${roomId}/${userId}`) || !asked.has(userId)) continue;
    stale.set(roomId, (stale.get(roomId) ?? new Set()).add(userId));
  }
  let roomsLeft = 0;
  for (const [roomId, users] of stale) {
    const list = [...users];
    // At most 200 users per event, as clients parse it (MembersRemovedEvent).
    for (let i = 0; i < list.length; i += 200) relay.leaveRoom(roomId, list.slice(i, i + 200), "removed");
    roomsLeft += list.length;
  }

  const checkpoint = await latestCheckpoint(prisma);
  if (checkpoint) relay.broadcastCheckpoint(checkpoint);
  return { devicesDropped, roomsJoined: usersByRoom.size, roomsLeft, checkpointTreeSize: checkpoint?.treeSize ?? null };
}

/**
 * {@link resyncRelay}, retried with backoff while the database is still coming back;
 * logs the outcome (counts only). Never rejects.
 */
export async function resyncAfterReconnect(
  relay: ResyncTarget,
  prisma: PrismaClient,
  log: Logger,
  opts: { attempts?: number; initialDelayMs?: number } = {},
): Promise<ResyncResult | null> {
  const attempts = opts.attempts ?? 6;
  let delay = opts.initialDelayMs ?? 250;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const result = await resyncRelay(relay, prisma);
      log.info("relay resynced after reconnect", { ...result });
      return result;
    } catch (err) {
      log.warn("relay resync failed", { ...errorFields(err), attempt, of: attempts });
      if (attempt < attempts) await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  }
  return null;
}
