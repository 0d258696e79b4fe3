"use client";
/**
 * The relay as a room controller uses it: the RelayClient's own methods, plus the
 * `room:members-removed`, `room:members-added` and `room:keys-changed` events of its socket, parsed with the protocol's schema
 * (what arrives is not trusted to be well formed).
 */
import { EVENTS, KeysChangedEvent, MembersAddedEvent, MembersRemovedEvent } from "@cairn/protocol";
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
    onMembersAdded: (l) => {
      const handler = (raw: unknown) => {
        const event = MembersAddedEvent.safeParse(raw);
        if (event.success) l(event.data);
      };
      client.socket.on(EVENTS.membersAdded, handler);
      return () => void client.socket.off(EVENTS.membersAdded, handler);
    },
    onKeysChanged: (l) => {
      const handler = (raw: unknown) => {
        const event = KeysChangedEvent.safeParse(raw);
        if (event.success) l(event.data);
      };
      client.socket.on(EVENTS.keysChanged, handler);
      return () => void client.socket.off(EVENTS.keysChanged, handler);
    },
  };
}
