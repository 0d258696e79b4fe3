/**
 * `pnpm bench relay`: the real relay (createRelay on port 0, real PostgreSQL, real
 * Socket.IO clients with real device keys, 1 KiB signed envelopes) against a bare
 * Socket.IO server that only acks and broadcasts, in the same run, phases alternated:
 *   saturation (each client keeps 4 sends in flight), 1,000 msg/s offered, and 2× the
 *   relay's measured saturation rate.
 * Reports accepted msg/s, send→ack and send→deliver p50/p99, the ratio to bare, and
 * the ratio to the relay's own ceiling here (the raw Ed25519 verify rate of the cores
 * it may use, measured in the same run). Writes the "## relay" section of BENCHMARKS.md.
 *
 *   node --import tsx tests/bench/relay.ts [--users 200] [--room 4] [--seconds 8] [--rounds 2] [--groups 2] [--signature-workers 0] [--limits]
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { generateKeyPairSync, randomBytes, sign, verify } from "node:crypto";
import { availableParallelism, cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { createPrismaClient, sqlPool, storeEnvelopeBatch, type BatchEnvelope } from "@cairn/db";
import { createTestDatabase } from "@cairn/db/testing";
import { createLogger } from "@cairn/log";
import { createEventLimits, createRelay, eventLimitSpecs, parseEnv } from "@cairn/relay";
import { writeSection } from "../../packages/audit/bench/sections";
import { startClients, userToWire } from "./relay-clients-process";

import { percentile, type Load, type PhaseResult } from "./relay-phases";
import { makeWorld, ORIGIN, startBare } from "./relay-world";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "200" },
    room: { type: "string", default: "4" },
    seconds: { type: "string", default: "8" },
    rounds: { type: "string", default: "2" },
    /** Groups the relay's group commit keeps in the database at once. */
    groups: { type: "string", default: "2" },
    /** Worker threads verifying envelope signatures (0: on the relay's event loop). */
    "signature-workers": { type: "string", default: "0" },
    /** The relay's default rate limits on (per socket in memory, per user in PostgreSQL), as in production. */
    limits: { type: "boolean", default: false },
  },
});
const USERS = Number(values.users);
const ROOM = Number(values.room);
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const GROUPS = Number(values.groups);
const SIGNATURE_WORKERS = Number(values["signature-workers"]);
const LIMITS = values.limits;

/** Raw Ed25519 verifications per second on one core, over a signing record of a 1 KiB envelope. */
function verifyRate(): number {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const message = randomBytes(1200);
  const signature = sign(null, message, privateKey);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1000) {
    verify(null, message, publicKey, signature);
    n++;
  }
  return n / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const started = performance.now();
  const db = await createTestDatabase();
  const prisma = createPrismaClient(db.url);
  process.stdout.write(`setting up ${USERS} users in rooms of ${ROOM}…\n`);
  const users = await makeWorld(db.prisma, USERS, ROOM);

  // The relay's own statement, timed: how long each group spends in the database.
  const statements: { ms: number; size: number }[] = [];
  const timedStore = async (items: BatchEnvelope[]) => {
    const t0 = performance.now();
    try {
      return await storeEnvelopeBatch(sqlPool(prisma), items);
    } finally {
      statements.push({ ms: performance.now() - t0, size: items.length });
    }
  };
  const http = createServer();
  const relay = createRelay(http, {
    prisma,
    log: createLogger("error", () => {}),
    corsOrigins: [ORIGIN],
    groupCommit: { concurrency: GROUPS, storeBatch: timedStore },
    signatureWorkers: SIGNATURE_WORKERS,
    ...(LIMITS ? { limits: createEventLimits(sqlPool(prisma), eventLimitSpecs(parseEnv({ DATABASE_URL: db.url, CAIRN_SERVER_SECRET: "0".repeat(64) }))) } : {}),
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const relayUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const bare = await startBare();

  const clients = startClients();
  await clients.ask({ type: "init", users: users.map(userToWire), relayUrl, bareUrl: bare.url }, "ready");

  const ceilingPerCore = verifyRate();
  const cores = availableParallelism();
  const results: Record<string, { relay: PhaseResult[]; bare: PhaseResult[] }> = {};
  const record = (phase: string, who: "relay" | "bare", r: PhaseResult, cpuMs: number) => {
    results[phase] ??= { relay: [], bare: [] };
    results[phase][who].push(r);
    process.stdout.write(
      `${phase.padEnd(14)} ${who.padEnd(5)} accepted ${r.acceptedPerSec.toFixed(0).padStart(6)} msg/s  ack p50 ${percentile(r.ackMs, 50).toFixed(1)} ms p99 ${percentile(r.ackMs, 99).toFixed(1)} ms  deliver p99 ${percentile(r.deliverMs, 99).toFixed(1)} ms  refused ${r.refused} ${JSON.stringify(r.refusedBy)}  server CPU ${((cpuMs * 1000) / Math.max(1, r.accepted)).toFixed(0)} µs/msg${who === "relay" ? `  statements ${statementSummary()}` : ""}\n`,
    );
  };
  const both = async (phase: string, load: (who: "relay" | "bare") => Load, round: number) => {
    const order: ("relay" | "bare")[] = round % 2 === 0 ? ["relay", "bare"] : ["bare", "relay"];
    for (const who of order) {
      statements.length = 0;
      const cpu = process.cpuUsage();
      const answer = await clients.ask({ type: "phase", who, load: load(who), seconds: SECONDS }, "result");
      const used = process.cpuUsage(cpu);
      record(phase, who, answer.result, (used.user + used.system) / 1000);
    }
  };

  const statementSummary = () =>
    `${statements.length}, p50 ${percentile(statements.map((x) => x.ms), 50).toFixed(1)} ms p99 ${percentile(statements.map((x) => x.ms), 99).toFixed(1)} ms, ${percentile(statements.map((x) => x.size), 50)} envelopes p50`;
  const saturation = (who: "relay" | "bare") => {
    const runs = results.saturation?.[who] ?? [];
    return runs.reduce((a, r) => a + r.acceptedPerSec, 0) / Math.max(1, runs.length);
  };
  for (let round = 0; round < ROUNDS; round++) await both("saturation", () => ({ kind: "closed", inFlight: 4 }), round);
  for (let round = 0; round < ROUNDS; round++) await both("1000 msg/s", () => ({ kind: "open", perSec: 1000 }), round);
  const overload = Math.max(100, Math.round(2 * saturation("relay")));
  for (let round = 0; round < ROUNDS; round++) await both("2x relay", () => ({ kind: "open", perSec: overload }), round);

  await clients.close();
  await relay.close();
  http.close();
  await bare.close();
  await prisma.$disconnect();
  await db.drop();

  const merged = (rs: PhaseResult[]) => ({
    perSec: rs.reduce((a, r) => a + r.acceptedPerSec, 0) / rs.length,
    ack: rs.flatMap((r) => r.ackMs),
    deliver: rs.flatMap((r) => r.deliverMs),
    refused: rs.reduce((a, r) => a + r.refused, 0),
    refusedBy: Object.entries(
      rs.reduce<Record<string, number>>((acc, r) => {
        for (const [code, k] of Object.entries(r.refusedBy)) acc[code] = (acc[code] ?? 0) + k;
        return acc;
      }, {}),
    )
      .map(([code, k]) => `${k} ${code}`)
      .join(", "),
    sent: rs.reduce((a, r) => a + r.sent, 0),
  });
  const ms = (v: number) => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ms` : "—");
  const rows = Object.entries(results).map(([phase, r]) => {
    const a = merged(r.relay);
    const b = merged(r.bare);
    return `| ${phase === "2x relay" ? `${overload} msg/s (2× relay)` : phase} | ${a.perSec.toFixed(0)} | ${ms(percentile(a.ack, 50))} / ${ms(percentile(a.ack, 99))} | ${ms(percentile(a.deliver, 50))} / ${ms(percentile(a.deliver, 99))} | ${a.refused} of ${a.sent}${a.refusedBy ? ` (${a.refusedBy})` : ""} | ${b.perSec.toFixed(0)} | ${ms(percentile(b.ack, 50))} / ${ms(percentile(b.ack, 99))} | ${(a.perSec / b.perSec).toFixed(2)} |`;
  });
  const relaySat = saturation("relay");
  const ratioBare = relaySat / saturation("bare");
  const ceiling = ceilingPerCore * cores;
  const thousand = merged(results["1000 msg/s"]?.relay ?? []);
  const body = `## relay

Command: \`node --import tsx tests/bench/relay.ts --users ${USERS} --room ${ROOM} --seconds ${SECONDS} --rounds ${ROUNDS} --groups ${GROUPS} --signature-workers ${SIGNATURE_WORKERS}${LIMITS ? " --limits" : ""}\` (also \`pnpm bench relay\`),
run ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores (${cores} available), load ${loadavg()[0]?.toFixed(1)} at the end,
${((performance.now() - started) / 1000).toFixed(0)} s in all. ${USERS} real Socket.IO clients (one user and device each) in rooms of ${ROOM}, 1 KiB
signed envelopes, the real \`createRelay\` on real PostgreSQL (embedded, one pool of 10)${LIMITS ? ", with the default rate limits" : ", without rate limits"}, against a bare
Socket.IO server that only acks and broadcasts; each phase ${SECONDS} s, relay and bare alternated, ${ROUNDS} rounds.
The clients run in a process of their own (tests/bench/relay-clients.ts) and sign each envelope as they send it,\non the same cores as the servers, for both alike.

| offered | relay accepted msg/s | relay ack p50 / p99 | relay deliver p50 / p99 | relay refused | bare accepted msg/s | bare ack p50 / p99 | relay ÷ bare |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}

- **Ratio to bare at saturation: ${ratioBare.toFixed(2)}** (goal ≥ 0.5).
- **Ratio to the relay's ceiling: ${(relaySat / ceiling).toFixed(3)}** — raw Ed25519 verification measured here at
  ${ceilingPerCore.toFixed(0)}/s per core × ${cores} = ${ceiling.toFixed(0)}/s (the relay verifies every envelope).
- p99 send→deliver at 1,000 msg/s offered: ${ms(percentile(thousand.deliver, 99))} (goal ≤ 50 ms).
`;
  process.stdout.write(`\n${body}\n`);
  writeSection("relay", body);
}

await main();
process.exit(0);
