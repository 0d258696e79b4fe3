/**
 * What the relay does with each server event (@cairn/db notify.ts) it hears over
 * LISTEN/NOTIFY: members added join their live sockets to the room (which hears
 * `room:members-added`), members removed leave it at once, a device registered or
 * revoked tells the user's rooms `room:keys-changed` (a revoked one is disconnected too),
 * a new checkpoint is broadcast.
 */
import { latestCheckpoint, type PrismaClient, type ServerEvent } from "@cairn/db";
import { errorFields, type Logger } from "@cairn/log";
import type { Relay } from "./app";

export type ServerEventTarget = Pick<Relay, "joinRoom" | "leaveRoom" | "dropDevice" | "broadcastCheckpoint" | "keysChanged">;

/** Tells every room `userId` is a member of that their keys changed; a failed read is logged. */
function announceKeysChanged(relay: ServerEventTarget, prisma: PrismaClient, log: Logger, userId: string): void {
  prisma.roomMember
    .findMany({ where: { userId }, select: { roomId: true } })
    .then((rows) => relay.keysChanged(rows.map((r) => r.roomId), [userId]))
    .catch((err: unknown) => log.warn("keys-changed lookup failed", { userId, ...errorFields(err) }));
}

/** Applies one event; never throws (a failed read is logged). */
export function applyServerEvent(relay: ServerEventTarget, prisma: PrismaClient, log: Logger, event: ServerEvent): void {
  switch (event.type) {
    case "membership":
      relay.joinRoom(event.roomId, event.userIds);
      return;
    case "membershipRemoved":
      relay.leaveRoom(event.roomId, event.userIds, event.reason);
      return;
    case "deviceRegistered":
      announceKeysChanged(relay, prisma, log, event.userId);
      return;
    case "deviceRevoked":
      relay.dropDevice(event.deviceId);
      announceKeysChanged(relay, prisma, log, event.userId);
      return;
    case "checkpoint":
      latestCheckpoint(prisma)
        .then((cp) => {
          if (cp) relay.broadcastCheckpoint(cp);
        })
        .catch((err: unknown) => log.warn("checkpoint broadcast failed", errorFields(err)));
      return;
  }
}
