/**
 * The relay's Socket.IO events as typed maps, for `Server<…>` in the relay and
 * `Socket<…>` in the browser: every payload and ack is the type of its zod schema
 * (schemas.ts), so emitting an unknown event or a wrongly shaped payload does not
 * compile. The relay still parses every incoming payload with the schema: the types
 * say what a well-behaved peer sends, not what arrives.
 */
import type { z } from "zod";
import type {
  EVENTS,
  AckSharesEvent,
  Ack,
  DeliveredShare,
  KeysChangedEvent,
  MembersAddedEvent,
  MembersRemovedEvent,
  SendMessageAck,
  SendMessageEvent,
  SendSharesEvent,
  StoredMessage,
  SubscribeRoomEvent,
} from "./schemas";
import type { LedgerCheckpoint } from "./ledger/audit";

/** The callback a client passes to receive the relay's answer to an event. */
export type AckCallback<T> = (response: Ack<T>) => void;

/** What the relay answers to `shares:send`: how many shares it queued. */
export interface SendSharesAck {
  queued: number;
}
/** What the relay answers to `shares:ack`: how many shares it marked delivered. */
export interface AckSharesAck {
  acknowledged: number;
}
/** `room:subscribe` answers with nothing beyond `ok`. */
export type SubscribeRoomAck = Record<string, never>;

/**
 * Events a client emits. The relay answers every one with an {@link Ack}; for
 * `room:subscribe` and `shares:ack` the browser does not wait for it, so the callback
 * is optional there.
 */
export interface ClientToServerEvents {
  [EVENTS.sendMessage]: (event: SendMessageEvent, ack: AckCallback<SendMessageAck>) => void;
  [EVENTS.subscribeRoom]: (event: z.infer<typeof SubscribeRoomEvent>, ack?: AckCallback<SubscribeRoomAck>) => void;
  [EVENTS.sendShares]: (event: SendSharesEvent, ack: AckCallback<SendSharesAck>) => void;
  [EVENTS.ackShares]: (event: z.infer<typeof AckSharesEvent>, ack?: AckCallback<AckSharesAck>) => void;
}

/** Events the relay emits to clients. */
export interface ServerToClientEvents {
  /** A message stored in one of the socket's rooms (fan-out). */
  [EVENTS.newMessage]: (message: StoredMessage) => void;
  /** Session shares for this device, queued or just sent. */
  [EVENTS.newShares]: (shares: DeliveredShare[]) => void;
  /** A checkpoint anchored on the ledger. */
  [EVENTS.checkpoint]: (checkpoint: LedgerCheckpoint) => void;
  /** Members left or were removed from a room (to its sockets and the removed users' own). */
  [EVENTS.membersRemoved]: (event: MembersRemovedEvent) => void;
  /** Users were added to a room (to its sockets, the new members' included). */
  [EVENTS.membersAdded]: (event: MembersAddedEvent) => void;
  /** Members of a room registered or revoked a device: their keys changed. */
  [EVENTS.keysChanged]: (event: KeysChangedEvent) => void;
}

/** No events of our own between relays: several relays share rooms through the Socket.IO adapter only (apps/relay adapter.ts). */
export type InterServerEvents = Record<never, never>;

/**
 * What the relay keeps in `socket.data` after the handshake: the session's user and
 * the device it named. `SigningKey` is that device's signing public key in the form
 * the relay verifies with (a node:crypto KeyObject), parsed once per connection.
 */
export interface SocketData<SigningKey> {
  userId: string;
  username: string;
  deviceId: string;
  signingKey: SigningKey;
}

/** Names of the events a client emits. */
export type ClientEventName = keyof ClientToServerEvents;
/** The payload of client event `E`. */
export type ClientEventPayload<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[0];
/** The data of the relay's successful ack to client event `E` (besides `ok: true`). */
export type ClientEventAck<E extends ClientEventName> =
  NonNullable<Parameters<ClientToServerEvents[E]>[1]> extends AckCallback<infer T extends object> ? T : never;
