/**
 * The benchmark's message writer, in its own thread so that computing leaf hashes and
 * talking to PostgreSQL does not stall the ledger worker's event loop (in the relay,
 * writes and anchoring are also separate activities). Posts each ack as it happens.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createPrismaClient } from "@cairn/db";
import pg from "pg";
import { steadyGroupedLoad, steadyLoad, storeGroup, type Fixture } from "./load";

export interface WriterJob {
  kind: "store" | "group" | "backlog";
  dbUrl: string;
  userId: string;
  roomIds: string[];
  next: number;
  rate: number;
  seconds: number;
  /** For "backlog": messages to write, 1,000 per transaction. */
  count: number;
}

export type WriterMessage =
  | { type: "acked"; leafIndices: number[]; at: number }
  | { type: "done"; result: unknown; next: number };

const job = workerData as WriterJob;
const port = parentPort;
if (!port) throw new Error("load-thread.ts runs as a worker thread");
const prisma = createPrismaClient(job.dbUrl);
const sql = new pg.Client({ connectionString: job.dbUrl });
await sql.connect();
const fx: Fixture = { prisma, userId: job.userId, roomIds: job.roomIds, next: job.next };
const onStored = (leafIndices: number[]) => port.postMessage({ type: "acked", leafIndices, at: performance.timeOrigin + performance.now() });

let result: unknown;
if (job.kind === "store") {
  const r = await steadyLoad(fx, job.rate, job.seconds, onStored);
  result = { ...r, acks: undefined };
} else if (job.kind === "group") {
  const r = await steadyGroupedLoad(fx, sql, job.rate, job.seconds, onStored);
  result = { ...r, acks: undefined };
} else {
  const t0 = performance.now();
  for (let left = job.count; left > 0; left -= 1000) await storeGroup(fx, sql, Math.min(1000, left));
  result = { elapsedMs: performance.now() - t0 };
}
await prisma.$disconnect();
await sql.end();
port.postMessage({ type: "done", result, next: fx.next });
