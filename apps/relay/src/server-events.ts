/**
 * What the relay does with each server event (@cairn/db notify.ts) it hears over
 * LISTEN/NOTIFY: members added join their live sockets to the room, members removed
 * leave it at once, revoked devices are disconnected, a new checkpoint is broadcast.
 */
import { latestCheckpoint, type PrismaClient, type ServerEvent } from "@cairn/db";
import { errorFields, type Logger } from "@cairn/log";
import type { Relay } from "./app";

export type ServerEventTarget = Pick<Relay, "joinRoom" | "leaveRoom" | "dropDevice" | "broadcastCheckpoint">;

/** Applies one event; never throws (a failed checkpoint read is logged). */
export function applyServerEvent(relay: ServerEventTarget, prisma: PrismaClient, log: Logger, event: ServerEvent): void {
  switch (event.type) {
    case "membership":
      relay.joinRoom(event.roomId, event.userIds);
      return;
    case "membershipRemoved":
      relay.leaveRoom(event.roomId, event.userIds, event.reason);
      return;
    case "deviceRevoked":
      relay.dropDevice(event.deviceId);
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
