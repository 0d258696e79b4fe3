"use client";
/**
 * The relay as a room controller uses it: the RelayClient's own methods, plus the
 * `room:members-removed`, `room:members-added` and `room:keys-changed` events of its
 * socket, parsed with the protocol's schemas (what arrives is not trusted to be well formed).
 */
import { EVENTS, KeysChangedEvent, MembersAddedEvent, MembersRemovedEvent } from "@cairn/protocol";
import type { z } from "zod";
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
    onMembersRemoved: (l) => listen(client, EVENTS.membersRemoved, MembersRemovedEvent, l),
    onMembersAdded: (l) => listen(client, EVENTS.membersAdded, MembersAddedEvent, l),
    onKeysChanged: (l) => listen(client, EVENTS.keysChanged, KeysChangedEvent, l),
  };
}

type RoomEventName = typeof EVENTS.membersRemoved | typeof EVENTS.membersAdded | typeof EVENTS.keysChanged;

/** Calls `l` with each `event` the socket receives that `schema` accepts (others are dropped); returns the unsubscribe. */
function listen<T>(client: RelayClient, event: RoomEventName, schema: z.ZodType<T>, l: (e: T) => void): () => void {
  const handler = (raw: unknown) => {
    const parsed = schema.safeParse(raw);
    if (parsed.success) l(parsed.data);
  };
  client.socket.on(event, handler);
  return () => void client.socket.off(event, handler);
}
