/**
 * A chat tab that survives its relay dying, as the web client should: every send has
 * a client message id and stays in an outbox until acked; a lost connection is opened
 * again on the next relay that answers; then each room is resumed from the highest
 * room sequence number received without a gap (a fetch of what live fan-out missed),
 * and every unacked send is sent again under the same client message id with the same
 * envelope. Deliveries are kept by (room, roomSeq), so duplicates are counted, not kept.
 */
import type { PrismaClient } from "@cairn/db";
import {
  EVENTS,
  isRetryable,
  type Ack,
  type SendMessageAck,
  type StoredMessage,
  type WireEnvelope,
} from "@cairn/protocol";
import { connectClient, signedEnvelope, type ChatClient, type Device } from "./relay-harness";

export interface Delivery {
  signature: string;
  via: "live" | "fetch";
  /** The relay URL this tab was connected to when it heard it live. */
  relay?: string;
  at: number;
}

interface Outgoing {
  roomId: string;
  envelope: WireEnvelope;
}

/** Every tab's sends: envelope signature → the relay it was first sent through (null: sent while disconnected). */
export type SendLog = Map<string, string | null>;

export class RelayTab {
  socket: ChatClient | null = null;
  /** The relay URL of the open connection (the last one while reconnecting). */
  relay: string;
  readonly outbox = new Map<string, Outgoing>();
  readonly received = new Map<string, Map<number, Delivery>>();
  /** Live deliveries of a (room, roomSeq) already heard live on the same connection. */
  liveDuplicates = 0;
  /** A (room, roomSeq) heard with another envelope than the first time. */
  mismatches = 0;
  readonly refused: string[] = [];
  reconnects = 0;
  private sent = 0;
  private connection = 0;
  private stopped = false;
  private reconnecting: Promise<void> | null = null;

  constructor(
    readonly name: string,
    readonly device: Device,
    readonly rooms: string[],
    /** Relays in the order this tab tries them; the first is where it starts. */
    private readonly relays: string[],
    private readonly prisma: PrismaClient,
    private readonly sends: SendLog,
  ) {
    const first = relays[0];
    if (!first) throw new Error("a tab needs a relay");
    this.relay = first;
    for (const r of rooms) this.received.set(r, new Map());
  }

  async open(): Promise<void> {
    await this.attach(await connectClient(this.relay, this.device), this.relay);
  }

  /** Queues a new message for `roomId` and sends it if connected; returns its client message id. */
  send(roomId: string): string {
    const clientMsgId = `${this.name}-${String(this.sent++).padStart(6, "0")}`;
    const envelope = signedEnvelope(this.device, roomId);
    this.outbox.set(clientMsgId, { roomId, envelope });
    this.sends.set(envelope.signature, this.socket ? this.relay : null);
    if (this.socket) this.emit(this.socket, clientMsgId);
    return clientMsgId;
  }

  /** The highest roomSeq of `roomId` received with every one before it. */
  contiguous(roomId: string): number {
    const got = this.received.get(roomId);
    let n = 0;
    while (got?.has(n + 1)) n++;
    return n;
  }

  /** Fetches, for every room, what came after the last roomSeq received without a gap. */
  async resume(): Promise<number> {
    let fetched = 0;
    for (const roomId of this.rooms) {
      const after = this.contiguous(roomId);
      const rows = await this.prisma.envelope.findMany({
        where: { roomId, roomSeq: { gt: after } },
        orderBy: { roomSeq: "asc" },
        select: { roomSeq: true, signature: true },
      });
      for (const row of rows) {
        if (this.record(roomId, row.roomSeq, Buffer.from(row.signature).toString("base64url"), "fetch")) fetched++;
      }
    }
    return fetched;
  }

  close(): void {
    this.stopped = true;
    this.socket?.disconnect();
  }

  /** Resolves when a reconnect in progress is done (at once when none is). */
  settled(): Promise<void> {
    return this.reconnecting ?? Promise.resolve();
  }

  private async attach(socket: ChatClient, relay: string): Promise<void> {
    const connection = ++this.connection;
    const heard = new Set<string>();
    socket.on(EVENTS.newMessage, (m: StoredMessage) => {
      const key = `${m.roomId}:${m.roomSeq}`;
      if (heard.has(key)) this.liveDuplicates++;
      heard.add(key);
      this.record(m.roomId, m.roomSeq, m.envelope.signature, "live", relay);
    });
    socket.once("disconnect", () => {
      if (this.stopped || connection !== this.connection) return;
      this.socket = null;
      this.reconnecting = this.reconnect().finally(() => (this.reconnecting = null));
    });
    this.socket = socket;
    this.relay = relay;
    // Whatever live fan-out missed while away (or before this socket joined its rooms).
    await this.resume();
    for (const id of this.outbox.keys()) this.emit(socket, id);
  }

  private async reconnect(): Promise<void> {
    for (let round = 0; round < 200 && !this.stopped; round++) {
      for (const relay of this.relays) {
        try {
          const socket = await connectClient(relay, this.device);
          this.reconnects++;
          await this.attach(socket, relay);
          return;
        } catch {
          // that relay is gone: try the next one
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!this.stopped) throw new Error(`${this.name}: no relay answered`);
  }

  private record(roomId: string, roomSeq: number, signature: string, via: Delivery["via"], relay?: string): boolean {
    const got = this.received.get(roomId);
    if (!got) throw new Error(`${this.name} heard of a room it is not in`);
    const before = got.get(roomSeq);
    if (before) {
      if (before.signature !== signature) this.mismatches++;
      return false;
    }
    got.set(roomSeq, { signature, via, at: Date.now(), ...(relay ? { relay } : {}) });
    return true;
  }

  private emit(socket: ChatClient, clientMsgId: string): void {
    const out = this.outbox.get(clientMsgId);
    if (!out) return;
    socket
      .timeout(20_000)
      .emitWithAck(EVENTS.sendMessage, { clientMsgId, envelope: out.envelope })
      .then(
        (answer: unknown) => {
          const ack = answer as Ack<SendMessageAck>;
          if (ack.ok) {
            this.outbox.delete(clientMsgId);
            return;
          }
          if (!isRetryable(ack.error.code)) {
            this.refused.push(`${clientMsgId}: ${ack.error.code}`);
            this.outbox.delete(clientMsgId);
            return;
          }
          setTimeout(() => {
            if (this.socket === socket && socket.connected) this.emit(socket, clientMsgId);
          }, ack.error.retryAfterMs ?? 200);
        },
        () => {
          // No answer: the connection dropped (the reconnect resends) or it timed out (send again here).
          if (this.socket === socket && socket.connected) this.emit(socket, clientMsgId);
        },
      );
  }
}
