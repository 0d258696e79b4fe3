"use client";
/**
 * The browser's relay connection (Socket.IO): sends encrypted messages with a client
 * message id and resends every unacknowledged one after a reconnect (the relay stores
 * a resend once and answers with the same ack), delivers session shares to the
 * crypto worker and acknowledges them, and passes new messages and checkpoints on.
 */
import {
  LedgerCheckpoint,
  DeliveredShare,
  EVENTS,
  SendMessageAck,
  StoredMessage,
  type ClientToServerEvents,
  type SendMessageEvent,
  type ServerToClientEvents,
  type UserKeys,
  type WireSessionShare,
} from "@cairn/protocol";
import { io, type Socket } from "socket.io-client";
import { z } from "zod";
import type { CryptoApi } from "../worker/api";

/** What the relay client needs besides the socket (passed in, so tests can supply their own). */
export interface RelayDeps {
  crypto: CryptoApi;
  /** Member keys of a room, from the key directory (GET /api/rooms/:id/keys). */
  roomKeys: (roomId: string) => Promise<UserKeys[]>;
}

export class RelayError extends Error {
  override readonly name = "RelayError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Outgoing {
  event: SendMessageEvent;
  resolve: (ack: SendMessageAck) => void;
  reject: (err: RelayError) => void;
}

type Listener<T> = (value: T) => void;

/**
 * The relay connection, typed by the event maps of @cairn/protocol. Listeners still
 * take `unknown` and parse: the types say what the relay should send, not what arrives.
 */
export type RelaySocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export class RelayClient {
  readonly socket: RelaySocket;
  private readonly outbox = new Map<string, Outgoing>();
  private readonly messageListeners = new Set<Listener<StoredMessage>>();
  private readonly checkpointListeners = new Set<Listener<LedgerCheckpoint>>();
  private readonly sharesListeners = new Set<Listener<number>>();
  private readonly statusListeners = new Set<Listener<boolean>>();
  private readonly refusedListeners = new Set<Listener<RelayError>>();
  private readonly subscribed = new Set<string>();

  constructor(
    url: string,
    deviceId: string,
    private readonly deps: RelayDeps,
  ) {
    this.socket = io(url, { withCredentials: true, auth: { deviceId }, transports: ["websocket", "polling"] });
    this.socket.on("connect", () => {
      for (const roomId of this.subscribed) this.socket.emit(EVENTS.subscribeRoom, { roomId });
      for (const out of this.outbox.values()) this.emitMessage(out);
      this.statusListeners.forEach((l) => l(true));
    });
    this.socket.on("disconnect", () => this.statusListeners.forEach((l) => l(false)));
    this.socket.on("connect_error", (err: Error & { data?: { code?: unknown } }) => {
      // The relay's handshake refused this device (revoked, or unknown to the account).
      const code = err.data?.code;
      if (typeof code === "string") this.refusedListeners.forEach((l) => l(new RelayError(code, err.message)));
    });
    this.socket.on(EVENTS.newMessage, (raw: unknown) => {
      const msg = StoredMessage.safeParse(raw);
      if (msg.success) this.messageListeners.forEach((l) => l(msg.data));
    });
    this.socket.on(EVENTS.checkpoint, (raw: unknown) => {
      const cp = LedgerCheckpoint.safeParse(raw);
      if (cp.success) this.checkpointListeners.forEach((l) => l(cp.data));
    });
    this.socket.on(EVENTS.newShares, (raw: unknown) => {
      const shares = z.array(DeliveredShare).safeParse(raw);
      if (shares.success) void this.receiveShares(shares.data);
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  close(): void {
    this.socket.close();
    for (const out of this.outbox.values()) out.reject(new RelayError("CLOSED", "Disconnected."));
    this.outbox.clear();
  }

  onMessage(l: Listener<StoredMessage>): () => void {
    this.messageListeners.add(l);
    return () => this.messageListeners.delete(l);
  }
  onCheckpoint(l: Listener<LedgerCheckpoint>): () => void {
    this.checkpointListeners.add(l);
    return () => this.checkpointListeners.delete(l);
  }
  /** Called with the number of new inbound sessions after shares were opened. */
  onSharesOpened(l: Listener<number>): () => void {
    this.sharesListeners.add(l);
    return () => this.sharesListeners.delete(l);
  }
  /** Called when the relay refuses the connection, with its error code (e.g. DEVICE_REVOKED). */
  onRefused(l: Listener<RelayError>): () => void {
    this.refusedListeners.add(l);
    return () => this.refusedListeners.delete(l);
  }
  onStatus(l: Listener<boolean>): () => void {
    this.statusListeners.add(l);
    return () => this.statusListeners.delete(l);
  }

  /** Joins a room's fan-out (after creating it or being added); repeated after reconnects. */
  subscribe(roomId: string): void {
    this.subscribed.add(roomId);
    if (this.socket.connected) this.socket.emit(EVENTS.subscribeRoom, { roomId });
  }

  /**
   * Encrypts `text` for the room (the worker decides rotation and shares), sends the
   * shares, then the envelope; resolves with the relay's ack.
   * @throws RelayError with the relay's code, or a WorkerError from the crypto worker
   */
  async send(roomId: string, text: string): Promise<SendMessageAck> {
    const { clientMsgId, envelope, shares } = await this.deps.crypto.encrypt(roomId, text);
    try {
      if (shares.length > 0) await this.sendShares(roomId, shares);
      return await new Promise<SendMessageAck>((resolve, reject) => {
        const out: Outgoing = { event: { clientMsgId, envelope }, resolve, reject };
        this.outbox.set(clientMsgId, out);
        if (this.socket.connected) this.emitMessage(out);
      });
    } catch (err) {
      // Not stored: the transcript must not name it as a predecessor.
      if (err instanceof RelayError && err.code !== "CLOSED") await this.deps.crypto.messageFailed(roomId, envelope).catch(() => undefined);
      throw err;
    }
  }

  private emitMessage(out: Outgoing): void {
    this.socket.emit(EVENTS.sendMessage, out.event, (raw) => {
      if (!this.outbox.has(out.event.clientMsgId)) return;
      this.outbox.delete(out.event.clientMsgId);
      if (raw.ok) {
        const ack = SendMessageAck.safeParse(raw);
        if (ack.success) out.resolve(ack.data);
        else out.reject(new RelayError("BAD_RESPONSE", "The relay sent an unexpected ack."));
      } else {
        out.reject(new RelayError(raw.error.code, raw.error.message));
      }
    });
  }

  private async sendShares(roomId: string, shares: WireSessionShare[]): Promise<void> {
    if (!this.socket.connected) await new Promise<void>((resolve) => this.socket.once("connect", () => resolve()));
    for (let i = 0; i < shares.length; i += 200) {
      const batch = shares.slice(i, i + 200);
      const ack = await this.socket.emitWithAck(EVENTS.sendShares, { shares: batch });
      if (!ack.ok) {
        await this.deps.crypto.sharesFailed(roomId);
        throw new RelayError(ack.error.code, ack.error.message);
      }
    }
  }

  private async receiveShares(delivered: DeliveredShare[]): Promise<void> {
    try {
      let result = await this.deps.crypto.openShares(delivered, false);
      let opened = result.opened;
      const done = [...result.done];
      if (result.needKeysFor.length > 0) {
        // Shares from devices we have not verified yet: fetch those rooms' keys, then retry once.
        for (const roomId of result.needKeysFor) {
          const users = await this.deps.roomKeys(roomId).catch(() => null);
          if (users) await this.deps.crypto.setRoomMembers(roomId, users);
        }
        const rest = delivered.filter((d) => !done.includes(d.id));
        result = await this.deps.crypto.openShares(rest, true);
        opened += result.opened;
        done.push(...result.done);
      }
      for (let i = 0; i < done.length; i += 500) {
        this.socket.emit(EVENTS.ackShares, { ids: done.slice(i, i + 500) });
      }
      this.sharesListeners.forEach((l) => l(opened));
    } catch (err) {
      console.error("[cairn] could not open session shares", err);
    }
  }
}
