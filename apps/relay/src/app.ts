/**
 * The relay: authenticates each connection by the web session cookie and a device
 * of that user, joins the user's rooms, and carries ciphertext only. A message is
 * acknowledged only after its envelope, room sequence number and audit leaf are
 * committed in one transaction.
 */
import type { Server as HttpServer } from "node:http";
import { isRoomMember, sqlPool, type PrismaClient } from "@cairn/db";
import {
  AckSharesEvent,
  CairnError,
  EVENTS,
  MAX_EVENT_BYTES,
  DecodedSendMessageEvent,
  type SendMessageEvent,
  SendSharesEvent,
  SubscribeRoomEvent,
  type ClientToServerEvents,
  type DeliveredShare,
  type LedgerCheckpoint,
  type InterServerEvents,
  type MembershipRemovalReason,
  type SendMessageAck,
  type ServerToClientEvents,
  type SocketData,
  type StoredMessage,
} from "@cairn/protocol";
import { Server, type ServerOptions, type Socket } from "socket.io";
import { limitEvents, onEvent } from "./handler";
import type { EventLimits } from "./rate-limit";
import { errorFields, type Logger } from "@cairn/log";
import { inlineVerifier, pooledVerifier, type SigningKey } from "./signatures";
import { deliverQueuedShares, queueShares, markSharesDelivered } from "./shares";
import { originGuard } from "./origin";
import { createInFlight } from "./in-flight";
import { authenticate } from "./handshake";
import { createGroupCommit, type GroupCommitOptions } from "./group-commit";
import { DEFAULT_SLOW_CONSUMER_LIMITS, watchSlowConsumers, type SlowConsumerLimits } from "./slow-consumers";

export interface RelayDeps {
  prisma: PrismaClient;
  log: Logger;
  /** Origins allowed to open credentialed connections (the web app); every other Origin is refused. */
  corsOrigins: string[];
  /** Let handshakes without an Origin header through (non-browser clients); default false. */
  allowMissingOrigin?: boolean;
  /** Rate limits of client events (rate-limit/); none when absent. */
  limits?: EventLimits;
  /** Called after each stored message (wakes the anchor worker). */
  onStored?: () => void;
  /** Group commit and the process-wide bound on envelopes being stored (group-commit.ts). */
  groupCommit?: GroupCommitOptions;
  /** Sends one socket may have unacknowledged; beyond it the relay answers OVERLOADED. Default 32. */
  maxSendsPerSocket?: number;
  /**
   * Socket.IO adapter that shares rooms with other relay processes (several relays);
   * default: this process only.
   */
  adapter?: ServerOptions["adapter"];
  /** When a socket that stops reading is disconnected (slow-consumers.ts); default DEFAULT_SLOW_CONSUMER_LIMITS. */
  slowConsumers?: Partial<SlowConsumerLimits>;
  /** Worker threads that verify envelope signatures (signatures.ts); 0, the default, verifies on the event loop. */
  signatureWorkers?: number;
}

/** What the relay keeps per connection: the user, the device and its signing key. */
export type RelaySocketData = SocketData<SigningKey>;
/** The relay's Socket.IO server, typed by the event maps of @cairn/protocol. */
export type RelayServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, RelaySocketData>;
/** One client connection of {@link RelayServer}. */
export type RelaySocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, RelaySocketData>;

const ROOM_PREFIX = "room:";
export const roomChannel = (roomId: string) => `${ROOM_PREFIX}${roomId}`;
export const deviceChannel = (deviceId: string) => `device:${deviceId}`;
export const userChannel = (userId: string) => `user:${userId}`;

export interface Relay {
  io: RelayServer;
  // Every relay process hears each server event itself (LISTEN/NOTIFY), so the methods
  // below act on this process's sockets only (`io.local`): through a shared adapter
  // they would reach each client once per relay.
  /**
   * Joins the live sockets of users just added to a room to its channel, then tells the
   * room (the new members included) `room:members-added`.
   */
  joinRoom(roomId: string, userIds: string[]): void;
  /** Members of these rooms registered or revoked a device: the rooms hear `room:keys-changed`. */
  keysChanged(roomIds: string[], userIds: string[]): void;
  /**
   * Members left or were removed: their live sockets leave the room's channel at once
   * (nothing new of the room reaches them), then the room and they hear
   * `room:members-removed`.
   */
  leaveRoom(roomId: string, userIds: string[], reason: MembershipRemovalReason): void;
  /** The room channels each open socket of this process is in, as (user, room) pairs. */
  joinedRooms(): { userId: string; roomId: string }[];
  broadcastCheckpoint(checkpoint: LedgerCheckpoint): void;
  /** Disconnects every open socket of a device that was just revoked. */
  dropDevice(deviceId: string): void;
  /** The user and device of every open socket of this process (a device may appear more than once). */
  connectedDevices(): { userId: string; deviceId: string }[];
  /**
   * Refuses new handshakes from now on and waits until every event received has been
   * acknowledged, or `timeoutMs`; resolves with the number still unacknowledged.
   */
  drain(timeoutMs: number): Promise<number>;
  /** Events received whose ack has not been sent yet. */
  inFlight(): number;
  close(): Promise<void>;
}

export function createRelay(httpServer: HttpServer, deps: RelayDeps): Relay {
  const { prisma, log } = deps;
  const inFlight = createInFlight();
  const writer = createGroupCommit(sqlPool(prisma), deps.groupCommit);
  const maxSendsPerSocket = deps.maxSendsPerSocket ?? 32;
  const signatures = deps.signatureWorkers ? pooledVerifier(deps.signatureWorkers) : inlineVerifier();
  let draining = false;
  const io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, RelaySocketData>(httpServer, {
    cors: { origin: deps.corsOrigins, credentials: true },
    // `cors` does not cover WebSocket upgrades: every handshake's Origin is checked here.
    allowRequest: originGuard(
      { origins: deps.corsOrigins, allowMissingOrigin: deps.allowMissingOrigin ?? false },
      () => draining,
    ),
    // Hard transport cap well above the 64 KiB event limit, so oversized events get
    // an error ack (checked per event) instead of a dropped connection.
    maxHttpBufferSize: 16 * MAX_EVENT_BYTES,
    serveClient: false,
    ...(deps.adapter ? { adapter: deps.adapter } : {}),
  });
  if (deps.limits) limitEvents(io, deps.limits);
  const stopWatching = watchSlowConsumers(io, log, { ...DEFAULT_SLOW_CONSUMER_LIMITS, ...deps.slowConsumers });

  io.use(authenticate(prisma, log));

  io.on("connection", (socket) => {
    const { data } = socket;
    inFlight.track(socket);
    // Handlers are registered at once (events sent right after connecting are not
    // lost) and wait until the socket has joined its rooms.
    const ready = onConnect(socket, data);
    ready.catch(() => undefined); // logged in onConnect; handlers see the rejection
    registerHandlers(socket, data, ready);
  });

  async function onConnect(socket: RelaySocket, data: RelaySocketData): Promise<void> {
    try {
      const memberships = await prisma.roomMember.findMany({
        where: { userId: data.userId },
        select: { roomId: true },
      });
      await socket.join([
        userChannel(data.userId),
        deviceChannel(data.deviceId),
        ...memberships.map((m) => roomChannel(m.roomId)),
      ]);
      await reconcileRooms(socket, data.userId);
      await prisma.device.update({ where: { id: data.deviceId }, data: { lastSeenAt: new Date() } });
      const queued = await deliverQueuedShares(prisma, data.deviceId);
      if (queued.length > 0) socket.emit(EVENTS.newShares, queued);
      log.info("connected", { userId: data.userId, deviceId: data.deviceId, rooms: memberships.length });
    } catch (err) {
      log.error("connection setup failed", errorFields(err));
      socket.disconnect(true);
      throw err;
    }
  }

  /**
   * A membership added or removed between the first read and the join was announced
   * while this socket was in no channel yet: read again and join or leave to match.
   */
  async function reconcileRooms(socket: RelaySocket, userId: string): Promise<void> {
    const now = new Set(
      (await prisma.roomMember.findMany({ where: { userId }, select: { roomId: true } })).map((m) => roomChannel(m.roomId)),
    );
    const joined = [...socket.rooms].filter((r) => r.startsWith(ROOM_PREFIX));
    for (const channel of joined) if (!now.has(channel)) await socket.leave(channel);
    const missing = [...now].filter((c) => !socket.rooms.has(c));
    if (missing.length > 0) await socket.join(missing);
  }

  async function requireMember(roomId: string, userId: string): Promise<void> {
    if (await isRoomMember(prisma, roomId, userId)) return;
    const room = await prisma.room.findUnique({ where: { id: roomId }, select: { id: true } });
    if (!room) throw new CairnError("ROOM_NOT_FOUND", "No such room.");
    throw new CairnError("NOT_A_MEMBER", "You are not a member of this room.");
  }

  function registerHandlers(socket: RelaySocket, data: RelaySocketData, ready: Promise<void>): void {
    let sending = 0;
    const admitSend = () => {
      if (sending >= maxSendsPerSocket) {
        throw new CairnError("OVERLOADED", `At most ${maxSendsPerSocket} unacknowledged sends per connection.`, {
          retryAfterMs: 100,
        });
      }
      writer.admit();
      sending += 1;
      return () => {
        sending -= 1;
      };
    };
    onEvent(socket, EVENTS.sendMessage, DecodedSendMessageEvent, log, sendMessage, admitSend);

    /** `input` is decoded once by its schema; `sent` is the same event as the client sent it (fanned out as is). */
    async function sendMessage(input: DecodedSendMessageEvent, sent: SendMessageEvent): Promise<SendMessageAck> {
      await ready;
      const { envelope } = input;
      if (envelope.senderDeviceId !== data.deviceId) {
        throw new CairnError("FORBIDDEN", "Envelopes must be sent from their sender device.");
      }
      if (!(await signatures.valid(envelope, data.signingKey))) {
        throw new CairnError("BAD_SIGNATURE", "The envelope's signature does not verify.");
      }
      // Membership is checked by the storing statement itself, against committed rows.
      const stored = await writer.store({ envelope, clientMsgId: input.clientMsgId, senderUserId: data.userId });
      if (stored.created) {
        deps.onStored?.();
        // Everything the room needs is in hand: no second read of what was just written.
        const message: StoredMessage = {
          roomId: envelope.roomId,
          roomSeq: stored.roomSeq,
          leafIndex: stored.leafIndex,
          serverTime: stored.serverTime.toISOString(),
          senderUserId: data.userId,
          senderUsername: data.username,
          envelope: sent.envelope,
          anchoredTreeSize: null,
        };
        io.to(roomChannel(envelope.roomId)).emit(EVENTS.newMessage, message);
        log.debug("message stored", {
          roomId: envelope.roomId,
          roomSeq: stored.roomSeq,
          leafIndex: stored.leafIndex,
          bytes: envelope.ciphertext.length,
        });
      }
      return { roomSeq: stored.roomSeq, leafIndex: stored.leafIndex, serverTime: stored.serverTime.toISOString() };
    }

    onEvent(socket, EVENTS.subscribeRoom, SubscribeRoomEvent, log, async ({ roomId }) => {
      await ready;
      await requireMember(roomId, data.userId);
      await socket.join(roomChannel(roomId));
      return {};
    });

    onEvent(socket, EVENTS.sendShares, SendSharesEvent, log, async ({ shares }) => {
      await ready;
      const delivered = await queueShares(prisma, { senderUserId: data.userId, senderDeviceId: data.deviceId, shares });
      const byDevice = new Map<string, DeliveredShare[]>();
      for (const d of delivered) {
        const list = byDevice.get(d.share.recipientDeviceId) ?? [];
        list.push(d);
        byDevice.set(d.share.recipientDeviceId, list);
      }
      for (const [deviceId, list] of byDevice) io.to(deviceChannel(deviceId)).emit(EVENTS.newShares, list);
      return { queued: delivered.length };
    });

    onEvent(socket, EVENTS.ackShares, AckSharesEvent, log, async ({ ids }) => {
      await ready;
      const count = await markSharesDelivered(prisma, data.deviceId, ids);
      return { acknowledged: count };
    });
  }

  return {
    io,
    joinRoom(roomId, userIds) {
      for (const userId of userIds) io.local.in(userChannel(userId)).socketsJoin(roomChannel(roomId));
      if (userIds.length > 0) io.local.to(roomChannel(roomId)).emit(EVENTS.membersAdded, { roomId, userIds });
    },
    keysChanged(roomIds, userIds) {
      if (userIds.length === 0) return;
      for (const roomId of roomIds) io.local.to(roomChannel(roomId)).emit(EVENTS.keysChanged, { roomId, userIds });
    },
    leaveRoom(roomId, userIds, reason) {
      for (const userId of userIds) io.local.in(userChannel(userId)).socketsLeave(roomChannel(roomId));
      // The remaining members refresh their member list; the removed users' own sockets show it.
      io.local
        .to(roomChannel(roomId))
        .to(userIds.map(userChannel))
        .emit(EVENTS.membersRemoved, { roomId, userIds, reason });
      log.info("members left room", { roomId, users: userIds.length, reason });
    },
    joinedRooms() {
      const out: { userId: string; roomId: string }[] = [];
      for (const s of io.of("/").sockets.values()) {
        for (const channel of s.rooms) {
          if (channel.startsWith(ROOM_PREFIX)) out.push({ userId: s.data.userId, roomId: channel.slice(ROOM_PREFIX.length) });
        }
      }
      return out;
    },
    broadcastCheckpoint(checkpoint) {
      io.local.emit(EVENTS.checkpoint, checkpoint);
    },
    dropDevice(deviceId) {
      io.local.in(deviceChannel(deviceId)).disconnectSockets(true);
      log.info("revoked device disconnected", { deviceId });
    },
    connectedDevices() {
      return [...io.of("/").sockets.values()].map((s) => ({ userId: s.data.userId, deviceId: s.data.deviceId }));
    },
    drain(timeoutMs) {
      draining = true;
      return inFlight.settled(timeoutMs);
    },
    inFlight: () => inFlight.pending(),
    close: () =>
      new Promise<void>((resolve) => {
        stopWatching();
        void io.close(() => void signatures.close().then(resolve, resolve));
      }),
  };
}
