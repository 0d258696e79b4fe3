/**
 * `pnpm bench connections`: what each open connection costs a relay process. Opens N
 * real Socket.IO clients (WebSocket, one user and real Ed25519 device per client, rooms
 * of 4, sessions in real PostgreSQL) against the real relay (`createRelay` on port 0),
 * then against a bare Socket.IO server that only joins each socket to a room, in the
 * same run; each server runs in its own process (connections-server.ts), so its heap,
 * RSS and file descriptors are its own. Reports per-socket heap and RSS at each level,
 * their ratio to bare, the file descriptors held and the time to connect, and writes
 * the "## connections" section of BENCHMARKS.md.
 *
 *   node --import tsx tests/bench/connections.ts [--levels 0,500,1000,2000] [--room 4] [--batch 100]
 */
import { fork, type ChildProcess } from "node:child_process";
import { cpus, availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createTestDatabase } from "@cairn/db/testing";
import type { Socket } from "socket.io-client";
import { writeSection } from "../../packages/audit/bench/sections";
import type { Measurement, ServerReady } from "./connections-server";
import { clientFor, connected, makeWorld, ORIGIN, type BenchUser } from "./relay-world";

const { values } = parseArgs({
  options: {
    levels: { type: "string", default: "0,500,1000,2000" },
    room: { type: "string", default: "4" },
    batch: { type: "string", default: "100" },
  },
});
const LEVELS = values.levels
  .split(",")
  .map(Number)
  .filter((n) => Number.isInteger(n) && n >= 0)
  .sort((a, b) => a - b);
const ROOM = Number(values.room);
const BATCH = Number(values.batch);
if (
  LEVELS.length === 0 ||
  !Number.isInteger(ROOM) ||
  ROOM < 1 ||
  !Number.isInteger(BATCH) ||
  BATCH < 1
) {
  throw new Error("--levels must list whole numbers, --room and --batch must be positive");
}
const MAX = LEVELS.at(-1) ?? 0;
const SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), "connections-server.ts");
const WARM_UP = 50;
/** How long the servers sit with every socket open, to see what heartbeats alone cost. */
const IDLE_SECONDS = 5;

type Kind = "relay" | "bare";
interface Level {
  n: number;
  m: Measurement;
  /** Seconds to open the sockets added at this level (and, on the relay, to finish each one's setup). */
  connectSeconds: number;
  added: number;
}

interface BenchServer {
  url: string;
  measure(): Promise<Measurement>;
  close(): Promise<void>;
}

async function startServer(kind: Kind, databaseUrl: string): Promise<BenchServer> {
  const child: ChildProcess = fork(SERVER, [kind], {
    execArgv: ["--expose-gc", "--import", "tsx"],
    env: { ...process.env, DATABASE_URL: databaseUrl, BENCH_ORIGIN: ORIGIN },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (m: ServerReady) => resolve(m.url));
    void exited.then(() => reject(new Error(`the ${kind} server exited before it listened`)));
  });
  return {
    url,
    measure: () =>
      new Promise<Measurement>((resolve) => {
        const on = (m: Measurement) => {
          if (m.type !== "measurement") return;
          child.off("message", on);
          resolve(m);
        };
        child.on("message", on);
        child.send({ type: "measure" });
      }),
    close: async () => {
      child.disconnect();
      await exited;
    },
  };
}

async function until(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Opens clients for `users` in batches; on the relay each one's room subscription is acked (its setup is done). */
async function open(url: string, users: BenchUser[], kind: Kind): Promise<Socket[]> {
  const out: Socket[] = [];
  for (let i = 0; i < users.length; i += BATCH) {
    const batch = users
      .slice(i, i + BATCH)
      .map((u) => ({ u, s: clientFor(url, u, kind === "bare") }));
    await Promise.all(batch.map(({ s }) => connected(s)));
    if (kind === "relay") {
      await Promise.all(
        batch.map(async ({ u, s }) => {
          const ack = (await s
            .timeout(30_000)
            .emitWithAck("room:subscribe", { roomId: u.roomId })) as { ok: boolean };
          if (!ack.ok) throw new Error("the relay refused a room subscription");
        }),
      );
    }
    out.push(...batch.map(({ s }) => s));
  }
  return out;
}

async function runAgainst(
  kind: Kind,
  databaseUrl: string,
  users: BenchUser[],
): Promise<{ levels: Level[]; idleCpu: number }> {
  const server = await startServer(kind, databaseUrl);
  try {
    // Warm up (code paths compiled, the database pool opened), then measure from an empty server.
    const warm = await open(server.url, users.slice(0, WARM_UP), kind);
    for (const s of warm) s.close();
    await until(async () => (await server.measure()).sockets === 0, "warm-up sockets to close");
    const sockets: Socket[] = [];
    const levels: Level[] = [];
    for (const n of LEVELS) {
      const t0 = performance.now();
      const added = n - sockets.length;
      sockets.push(...(await open(server.url, users.slice(sockets.length, n), kind)));
      const connectSeconds = (performance.now() - t0) / 1000;
      const m = await server.measure();
      if (m.sockets !== n)
        throw new Error(`${kind}: expected ${n} sockets, the server holds ${m.sockets}`);
      levels.push({ n, m, connectSeconds, added });
      process.stdout.write(
        `${kind.padEnd(5)} ${String(n).padStart(5)} sockets  heap ${mb(m.heapUsed)}  external ${mb(m.external)}  rss ${mb(m.rss)}  fds ${m.fds}` +
          (added > 0 ? `  (+${added} in ${connectSeconds.toFixed(1)} s)` : "") +
          "\n",
      );
    }
    // Nothing but heartbeats (a ping per socket every pingInterval) for a few seconds.
    const before = await server.measure();
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const after = await server.measure();
    // Two measurements' own GCs are in the window too; they are counted, not hidden.
    const idleCpu = (after.cpuMicros - before.cpuMicros) / 1e6 / IDLE_SECONDS;
    process.stdout.write(
      `${kind.padEnd(5)} idle with ${sockets.length} sockets: ${(idleCpu * 100).toFixed(1)} % of a core\n`,
    );
    for (const s of sockets) s.close();
    return { levels, idleCpu };
  } finally {
    await server.close();
  }
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Growth per socket from the empty server to `level` (heap, heap + external, RSS, fds). */
function perSocket(base: Measurement, level: Level) {
  const n = Math.max(1, level.n);
  return {
    heap: (level.m.heapUsed - base.heapUsed) / n,
    memory: (level.m.heapUsed + level.m.external - base.heapUsed - base.external) / n,
    rss: (level.m.rss - base.rss) / n,
    fds: (level.m.fds - base.fds) / n,
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const db = await createTestDatabase();
  const count = Math.max(MAX, WARM_UP);
  process.stdout.write(`setting up ${count} users (one device each) in rooms of ${ROOM}…\n`);
  const users = await makeWorld(db.prisma, Math.ceil(count / ROOM) * ROOM, ROOM);
  const setupSeconds = (performance.now() - started) / 1000;

  const bareRun = await runAgainst("bare", db.url, users);
  const relayRun = await runAgainst("relay", db.url, users);
  const bare = bareRun.levels;
  const relay = relayRun.levels;
  await db.drop();

  const baseBare = bare[0]?.m;
  const baseRelay = relay[0]?.m;
  if (!baseBare || !baseRelay) throw new Error("no measurement");
  const rows = LEVELS.map((n, i) => {
    const r = relay[i];
    const b = bare[i];
    if (!r || !b) throw new Error("missing level");
    const pr = perSocket(baseRelay, r);
    const pb = perSocket(baseBare, b);
    const per = n > 0;
    return (
      `| ${n} | ${mb(r.m.heapUsed)} / ${mb(r.m.rss)} | ${r.m.fds} | ${per ? `${kib(pr.heap)} / ${kib(pr.memory)} / ${kib(pr.rss)}` : "—"} | ` +
      `${mb(b.m.heapUsed)} / ${mb(b.m.rss)} | ${b.m.fds} | ${per ? `${kib(pb.heap)} / ${kib(pb.memory)} / ${kib(pb.rss)}` : "—"} | ` +
      `${per ? `${(pr.heap / pb.heap).toFixed(1)}× / ${(pr.rss / pb.rss).toFixed(1)}×` : "—"} | ` +
      `${r.added > 0 ? `${(r.added / r.connectSeconds).toFixed(0)} / ${(b.added / b.connectSeconds).toFixed(0)}` : "—"} |`
    );
  });
  const top = relay.at(-1);
  const topBare = bare.at(-1);
  if (!top || !topBare) throw new Error("no measurement");
  const at = perSocket(baseRelay, top);
  const atBare = perSocket(baseBare, topBare);
  const fdsPerSocket = at.fds;
  const body = `## connections

Command: \`node --import tsx tests/bench/connections.ts --levels ${LEVELS.join(",")} --room ${ROOM} --batch ${BATCH}\` (also \`pnpm bench connections\`),
run ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores (${availableParallelism()} available), load ${loadavg()[0]?.toFixed(1)} at the end,
${((performance.now() - started) / 1000).toFixed(0)} s in all (${setupSeconds.toFixed(0)} s of it creating ${users.length} users, devices and sessions).
Real Socket.IO clients over WebSocket, one user with a real Ed25519 device and session per client, rooms of ${ROOM}, against
the real \`createRelay\` (its settings as configured, no rate limits, real PostgreSQL, embedded) and against a bare
Socket.IO server that only joins each socket to one room. Each server runs alone in its own process; memory is read
there after a full GC (\`--expose-gc\`), file descriptors from \`/proc/self/fd\`; per-socket figures are growth over
the same server with no socket open (after ${WARM_UP} warm-up connections came and went), divided by the sockets open.
Relay sockets have subscribed to their room (the relay's per-connection setup is finished) before measuring.
Server's open-files limit: ${top.m.maxOpenFiles}.

| sockets | relay heap / RSS | relay fds | relay per socket: heap / heap+external / RSS | bare heap / RSS | bare fds | bare per socket: heap / heap+external / RSS | relay ÷ bare per socket: heap / RSS | connects/s relay / bare |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}

- At ${top.n} sockets the relay holds **${kib(at.heap)} of heap and ${kib(at.rss)} of RSS per socket** (bare Socket.IO:
  ${kib(atBare.heap)} and ${kib(atBare.rss)}) and **${fdsPerSocket.toFixed(2)} file descriptors per socket** (bare: ${atBare.fds.toFixed(2)}),
  on top of ${baseRelay.fds} with none open (PostgreSQL pool, listener, stdio).
- Idle with ${top.n} sockets open (heartbeats only, ${IDLE_SECONDS} s, including the two measurements' full GCs): relay
  ${(relayRun.idleCpu * 100).toFixed(1)} % of a core, bare ${(bareRun.idleCpu * 100).toFixed(1)} %.
- Connecting: the relay set up ${(top.added / top.connectSeconds).toFixed(0)} connections/s in the last step (handshake authentication,
  room joins and the room subscription ack, ${BATCH} at a time); bare Socket.IO ${(topBare.added / topBare.connectSeconds).toFixed(0)}/s. The clients
  run on the same cores as the server and PostgreSQL.
- RSS grows in steps (V8 and the allocator take memory in chunks and keep it), so RSS per socket is noisy at these
  counts and can even read lower for the relay than for bare; heap per socket repeats from run to run within a few
  per cent. Plan with the heap figure on top of the empty process's RSS.
`;
  process.stdout.write(`\n${body}\n`);
  writeSection("connections", body);
}

await main();
process.exit(0);
