/**
 * Server-to-server events over PostgreSQL LISTEN/NOTIFY, so every relay process
 * (and the web app's writes) reach every connected socket: a member added to a
 * room joins its live sockets to it, a removed one leaves it; a new checkpoint is
 * pushed to every client.
 * Notifications sent inside a transaction are delivered only if it commits.
 *
 * The listening connection reconnects on its own (capped exponential backoff) when
 * PostgreSQL restarts or the connection drops. Notifications sent while it was away
 * are lost, so each reconnect calls `onReconnect`: the subscriber re-reads the state
 * it may have missed.
 */
import pg from "pg";
import { z } from "zod";
import type { PrismaClient, Tx } from "./client";

export const EVENTS_CHANNEL = "cairn_events";

export const ServerEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("membership"), roomId: z.uuid(), userIds: z.array(z.uuid()).max(200) }),
  /**
   * Members left or were removed (or deactivated): every relay makes their sockets leave
   * the room's channel at once and tells the room (issue 9).
   */
  z.object({
    type: z.literal("membershipRemoved"),
    roomId: z.uuid(),
    userIds: z.array(z.uuid()).min(1).max(200),
    reason: z.enum(["left", "removed", "deactivated"]),
  }),
  z.object({ type: z.literal("checkpoint"), treeSize: z.number().int().min(0) }),
  /** A device was registered: relays tell the user's rooms their keys changed. */
  z.object({ type: z.literal("deviceRegistered"), userId: z.uuid(), deviceId: z.string().min(1).max(64) }),
  /** A device was revoked: relays drop its sockets and tell the user's rooms their keys changed. */
  z.object({ type: z.literal("deviceRevoked"), userId: z.uuid(), deviceId: z.string().min(1).max(64) }),
]);
export type ServerEvent = z.infer<typeof ServerEvent>;

export async function publishServerEvent(db: PrismaClient | Tx, event: ServerEvent): Promise<void> {
  await db.$executeRaw`SELECT pg_notify(${EVENTS_CHANNEL}, ${JSON.stringify(ServerEvent.parse(event))})`;
}

export interface ServerEventSubscription {
  /** Stops listening and reconnecting. */
  close(): Promise<void>;
}

export interface ServerEventOptions {
  /** Connection errors (the subscription keeps reconnecting). */
  onError?: (err: Error) => void;
  /** The connection was lost; notifications are missed until `onReconnect`. */
  onDisconnect?: () => void;
  /** Listening again after a lost connection: re-read what may have been missed. */
  onReconnect?: (info: { attempt: number }) => void | Promise<void>;
  /** First retry delay; doubles per failed attempt up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export const RECONNECT_INITIAL_DELAY_MS = 250;
export const RECONNECT_MAX_DELAY_MS = 10_000;

/** The delay before reconnect attempt `attempt` (1-based): doubling, capped. */
export function reconnectDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 30));
}

function parseNotification(msg: pg.Notification): ServerEvent | null {
  if (msg.channel !== EVENTS_CHANNEL || !msg.payload) return null;
  let json: unknown;
  try {
    json = JSON.parse(msg.payload);
  } catch {
    return null;
  }
  const parsed = ServerEvent.safeParse(json);
  return parsed.success ? parsed.data : null;
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/**
 * Listens on a dedicated connection; malformed payloads are dropped. The first
 * connection must succeed (its error is thrown); later losses reconnect with backoff.
 * A third argument that is a function is the `onError` callback (the older signature).
 */
export async function subscribeServerEvents(
  databaseUrl: string,
  onEvent: (event: ServerEvent) => void,
  options: ServerEventOptions | ((err: Error) => void) = {},
): Promise<ServerEventSubscription> {
  const opts: ServerEventOptions = typeof options === "function" ? { onError: options } : options;
  const onError = opts.onError ?? (() => {});
  const initialMs = opts.initialDelayMs ?? RECONNECT_INITIAL_DELAY_MS;
  const maxMs = opts.maxDelayMs ?? RECONNECT_MAX_DELAY_MS;
  let current: pg.Client | null = null;
  let closed = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | null = null;

  async function listen(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: databaseUrl, keepAlive: true });
    client.on("error", (err) => {
      onError(err);
      lost(client);
    });
    client.on("end", () => lost(client));
    client.on("notification", (msg) => {
      const event = parseNotification(msg);
      if (event) onEvent(event);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    return client;
  }

  function lost(client: pg.Client): void {
    if (client !== current) return; // an attempt that failed, or already handled
    current = null;
    void client.end().catch(() => undefined);
    if (closed) return;
    opts.onDisconnect?.();
    schedule();
  }

  function schedule(): void {
    if (closed || timer) return;
    attempt += 1;
    timer = setTimeout(() => {
      timer = null;
      void reconnect();
    }, reconnectDelay(attempt, initialMs, maxMs));
  }

  async function reconnect(): Promise<void> {
    let client: pg.Client;
    try {
      client = await listen();
    } catch (err) {
      onError(asError(err));
      schedule();
      return;
    }
    if (closed) {
      await client.end().catch(() => undefined);
      return;
    }
    current = client;
    const info = { attempt };
    attempt = 0;
    try {
      await opts.onReconnect?.(info);
    } catch (err) {
      onError(asError(err));
    }
  }

  current = await listen();
  return {
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      const client = current;
      current = null;
      await client?.end();
    },
  };
}
