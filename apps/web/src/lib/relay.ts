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
  isRetryable,
  SendMessageAck,
  StoredMessage,
  type Ack,
  type ClientToServerEvents,
  type SendSharesAck,
  type SendMessageEvent,
  type ServerToClientEvents,
  type RoomEventView,
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
  /** A room's member keys and membership chain (GET /api/rooms/:id/keys). */
  roomKeys: (roomId: string) => Promise<{ users: UserKeys[]; events: RoomEventView[] }>;
  /** How long the relay has to answer a send (default ACK_TIMEOUT_MS). */
  ackTimeoutMs?: number;
  /** The wait before a resend (default {@link resendDelay}). */
  resendDelay?: (attempts: number, retryAfterMs?: number) => number;
  /** Socket.IO transports (default WebSocket, then long polling). */
  transports?: ("websocket" | "polling")[];
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
  /** Sends so far, the first included. */
  attempts: number;
  /** A resend waiting for its backoff to pass. */
  timer?: ReturnType<typeof setTimeout> | undefined;
}

/** How long the relay has to answer a send before it is sent again (idempotently). */
export const ACK_TIMEOUT_MS = 10_000;
/** Sends of one message (timeouts and retryable refusals) before it is reported as failed. */
export const MAX_SEND_ATTEMPTS = 8;
const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 8_000;
/** The longest wait a relay's `retryAfterMs` can impose (it is the server's word). */
const RETRY_AFTER_MAX_MS = 60_000;

/**
 * The wait before resend `attempts + 1`: exponential with jitter, and never shorter
 * than what the relay asked for.
 */
export function resendDelay(attempts: number, retryAfterMs = 0, random = Math.random): number {
  const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  const asked = Number.isFinite(retryAfterMs) ? Math.min(Math.max(0, retryAfterMs), RETRY_AFTER_MAX_MS) : 0;
  return Math.max(asked, Math.round(backoff * (0.5 + random() / 2)));
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
    this.socket = io(url, { withCredentials: true, auth: { deviceId }, transports: deps.transports ?? ["websocket", "polling"] });
    this.socket.on("connect", () => {
      for (const roomId of this.subscribed) this.socket.emit(EVENTS.subscribeRoom, { roomId });
      // Everything unacknowledged goes again at once: the relay answers a resend with the first ack.
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
    for (const out of this.outbox.values()) {
      clearTimeout(out.timer);
      out.reject(new RelayError("CLOSED", "Disconnected."));
    }
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
        const out: Outgoing = { event: { clientMsgId, envelope }, resolve, reject, attempts: 0 };
        this.outbox.set(clientMsgId, out);
        if (this.socket.connected) this.emitMessage(out);
      });
    } catch (err) {
      // Not stored: the transcript must not name it as a predecessor.
      if (err instanceof RelayError && err.code !== "CLOSED") await this.deps.crypto.messageFailed(roomId, envelope).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Sends (or resends) one message. No ack within ACK_TIMEOUT_MS, or a retryable
   * refusal (the relay at capacity, its database restarting), sends it again after a
   * backoff; the relay stores it once whatever the number of sends.
   */
  private emitMessage(out: Outgoing): void {
    const id = out.event.clientMsgId;
    clearTimeout(out.timer);
    out.timer = undefined;
    out.attempts += 1;
    this.socket.timeout(this.deps.ackTimeoutMs ?? ACK_TIMEOUT_MS).emit(EVENTS.sendMessage, out.event, (err, raw) => {
      if (this.outbox.get(id) !== out) return;
      if (err) {
        this.retryOrFail(out, new RelayError("TIMEOUT", "The relay did not answer in time."));
      } else if (raw.ok) {
        this.outbox.delete(id);
        const ack = SendMessageAck.safeParse(raw);
        if (ack.success) out.resolve(ack.data);
        else out.reject(new RelayError("BAD_RESPONSE", "The relay sent an unexpected ack."));
      } else if (isRetryable(raw.error.code)) {
        this.retryOrFail(out, new RelayError(raw.error.code, raw.error.message), raw.error.retryAfterMs);
      } else {
        this.outbox.delete(id);
        out.reject(new RelayError(raw.error.code, raw.error.message));
      }
    });
  }

  private retryOrFail(out: Outgoing, err: RelayError, retryAfterMs?: number): void {
    const id = out.event.clientMsgId;
    if (out.attempts >= MAX_SEND_ATTEMPTS) {
      this.outbox.delete(id);
      out.reject(err);
      return;
    }
    out.timer = setTimeout(() => {
      out.timer = undefined;
      // While disconnected, the reconnect sends it (and everything else unacknowledged).
      if (this.outbox.get(id) === out && this.socket.connected) this.emitMessage(out);
    }, (this.deps.resendDelay ?? resendDelay)(out.attempts, retryAfterMs));
  }

  private async sendShares(roomId: string, shares: WireSessionShare[]): Promise<void> {
    if (!this.socket.connected) await new Promise<void>((resolve) => this.socket.once("connect", () => resolve()));
    for (let i = 0; i < shares.length; i += 200) {
      const batch = shares.slice(i, i + 200);
      // With a timeout, Socket.IO's types lose the ack's type: it is the event map's.
      const answer = this.socket
        .timeout(this.deps.ackTimeoutMs ?? ACK_TIMEOUT_MS)
        .emitWithAck(EVENTS.sendShares, { shares: batch }) as Promise<Ack<SendSharesAck>>;
      const ack = await answer.catch(
        (): Ack<SendSharesAck> => ({ ok: false, error: { code: "TIMEOUT", message: "The relay did not answer in time." } }),
      );
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
          const keys = await this.deps.roomKeys(roomId).catch(() => null);
          if (keys) await this.deps.crypto.setRoomMembers(roomId, keys.users, keys.events);
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
