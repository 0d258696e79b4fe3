/**
 * The server side of `pnpm bench connections`, in a process of its own so that its
 * memory and file descriptors are the server's alone: either the real relay
 * (`createRelay` on port 0, real PostgreSQL from DATABASE_URL) or a bare Socket.IO
 * server that joins each socket to one room and does nothing else. Started with
 * --expose-gc and an IPC channel; answers "measure" with its memory after a full GC,
 * its open file descriptors, its CPU time so far and how many sockets it holds.
 *
 *   node --expose-gc --import tsx tests/bench/connections-server.ts <relay|bare>
 */
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createPrismaClient } from "@cairn/db";
import { createLogger } from "@cairn/log";
import { createRelay } from "@cairn/relay";
import { Server } from "socket.io";

export interface ServerReady {
  type: "ready";
  url: string;
}
export interface Measurement {
  type: "measurement";
  sockets: number;
  heapUsed: number;
  external: number;
  rss: number;
  fds: number;
  /** CPU time this process has used so far (user + system), in microseconds. */
  cpuMicros: number;
  maxOpenFiles: string;
}

const kind = process.argv[2];
if (kind !== "relay" && kind !== "bare")
  throw new Error("usage: connections-server.ts <relay|bare>");
if (!process.send) throw new Error("connections-server.ts must be started with an IPC channel");
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("connections-server.ts must be started with --expose-gc");

const http = createServer();
let sockets: () => number;
if (kind === "relay") {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error("DATABASE_URL is required for the relay");
  const origin = process.env.BENCH_ORIGIN ?? "http://localhost:3000";
  const relay = createRelay(http, {
    prisma: createPrismaClient(databaseUrl),
    log: createLogger("error", () => {}),
    corsOrigins: [origin],
  });
  sockets = () => relay.io.engine.clientsCount;
} else {
  const io = new Server(http, { serveClient: false });
  io.on("connection", (socket) => {
    const auth = socket.handshake.auth as { roomId?: unknown };
    void socket.join(`room:${typeof auth.roomId === "string" ? auth.roomId : ""}`);
  });
  sockets = () => io.engine.clientsCount;
}
await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
const ready: ServerReady = {
  type: "ready",
  url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
};
process.send(ready);

/** This process's open-files limit (`ulimit -n`), as the kernel reports it. */
const maxOpenFiles = (): string => {
  const line = readFileSync("/proc/self/limits", "utf8")
    .split("\n")
    .find((l) => l.startsWith("Max open files"));
  if (!line) return "unknown";
  const [soft, hard] = line
    .replace(/^Max open files\s+/, "")
    .trim()
    .split(/\s+/);
  return `${soft ?? "?"} soft / ${hard ?? "?"} hard`;
};

process.on("message", (msg: { type?: string }) => {
  if (msg.type !== "measure") return;
  // Two collections, a tick apart, so that what is left is what the sockets hold.
  gc();
  setImmediate(() => {
    gc();
    const m = process.memoryUsage();
    const cpu = process.cpuUsage();
    const answer: Measurement = {
      type: "measurement",
      sockets: sockets(),
      heapUsed: m.heapUsed,
      external: m.external,
      rss: m.rss,
      fds: readdirSync("/proc/self/fd").length,
      cpuMicros: cpu.user + cpu.system,
      maxOpenFiles: maxOpenFiles(),
    };
    process.send?.(answer);
  });
});
process.on("disconnect", () => process.exit(0));
