/**
 * Server-to-server events over PostgreSQL LISTEN/NOTIFY, so every relay process
 * (and the web app's writes) reach every connected socket: a member added to a
 * room joins its live sockets to it; a new checkpoint is pushed to every client.
 * Notifications sent inside a transaction are delivered only if it commits.
 */
import pg from "pg";
import { z } from "zod";
import type { PrismaClient, Tx } from "./client";

export const EVENTS_CHANNEL = "cairn_events";

export const ServerEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("membership"), roomId: z.uuid(), userIds: z.array(z.uuid()).max(200) }),
  z.object({ type: z.literal("checkpoint"), treeSize: z.number().int().min(0) }),
  z.object({ type: z.literal("deviceRevoked"), deviceId: z.string().min(1).max(64) }),
]);
export type ServerEvent = z.infer<typeof ServerEvent>;

export async function publishServerEvent(db: PrismaClient | Tx, event: ServerEvent): Promise<void> {
  await db.$executeRaw`SELECT pg_notify(${EVENTS_CHANNEL}, ${JSON.stringify(ServerEvent.parse(event))})`;
}

export interface ServerEventSubscription {
  close(): Promise<void>;
}

/** Listens on a dedicated connection; malformed payloads are dropped. */
export async function subscribeServerEvents(
  databaseUrl: string,
  onEvent: (event: ServerEvent) => void,
  onError: (err: Error) => void = () => {},
): Promise<ServerEventSubscription> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on("error", onError);
  client.on("notification", (msg) => {
    if (msg.channel !== EVENTS_CHANNEL || !msg.payload) return;
    let json: unknown;
    try {
      json = JSON.parse(msg.payload);
    } catch {
      return;
    }
    const parsed = ServerEvent.safeParse(json);
    if (parsed.success) onEvent(parsed.data);
  });
  await client.connect();
  await client.query(`LISTEN ${EVENTS_CHANNEL}`);
  return { close: () => client.end() };
}
