/**
 * What the relay re-reads after its server-event listener reconnects (PostgreSQL
 * restarted, or the connection dropped): notifications sent meanwhile are lost, so
 * the state they announced is read back from the database for the sockets open now.
 * - devices revoked meanwhile: their sockets are disconnected;
 * - memberships: every live socket is (re-)joined to each room its user is in;
 * - the latest checkpoint: broadcast to every client.
 */
import { latestCheckpoint, type PrismaClient } from "@cairn/db";
import { errorFields, type Logger } from "@cairn/log";
import type { Relay } from "./app";

export interface ResyncResult {
  devicesDropped: number;
  roomsJoined: number;
  checkpointTreeSize: number | null;
}

/** Ids per query: keeps each `IN (...)` list well under PostgreSQL's parameter limit. */
const CHUNK = 1_000;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

type ResyncTarget = Pick<Relay, "connectedDevices" | "dropDevice" | "joinRoom" | "broadcastCheckpoint">;

export async function resyncRelay(relay: ResyncTarget, prisma: PrismaClient): Promise<ResyncResult> {
  const open = relay.connectedDevices();
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
  for (const ids of chunks(userIds)) {
    const rows = await prisma.roomMember.findMany({
      where: { userId: { in: ids } },
      select: { roomId: true, userId: true },
    });
    for (const { roomId, userId } of rows) usersByRoom.set(roomId, [...(usersByRoom.get(roomId) ?? []), userId]);
  }
  for (const [roomId, members] of usersByRoom) relay.joinRoom(roomId, members);

  const checkpoint = await latestCheckpoint(prisma);
  if (checkpoint) relay.broadcastCheckpoint(checkpoint);
  return { devicesDropped, roomsJoined: usersByRoom.size, checkpointTreeSize: checkpoint?.treeSize ?? null };
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
