"use client";
/**
 * The relay as a room controller uses it: the RelayClient's own methods, plus the
 * `room:members-removed` events of its socket, parsed with the protocol's schema
 * (what arrives is not trusted to be well formed).
 */
import { EVENTS, MembersRemovedEvent } from "@cairn/protocol";
import type { RelayClient } from "../relay";
import type { RoomDeps } from "./room-controller";

export function roomRelay(client: RelayClient): RoomDeps["relay"] {
  return {
    get connected() {
      return client.connected;
    },
    subscribe: (roomId) => client.subscribe(roomId),
    send: (roomId, text) => client.send(roomId, text),
    onMessage: (l) => client.onMessage(l),
    onSharesOpened: (l) => client.onSharesOpened(l),
    onCheckpoint: (l) => client.onCheckpoint(l),
    onStatus: (l) => client.onStatus(l),
    onMembersRemoved: (l) => {
      const handler = (raw: unknown) => {
        const event = MembersRemovedEvent.safeParse(raw);
        if (event.success) l(event.data);
      };
      client.socket.on(EVENTS.membersRemoved, handler);
      return () => void client.socket.off(EVENTS.membersRemoved, handler);
    },
  };
}
