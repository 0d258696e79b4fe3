/**
 * `pnpm bench anchor`: messages anchored per second on the native Fabric network,
 * batched (the relay's own ledger worker: startLedgerWorker → anchorRound → one
 * Audit:AppendBatch per round, sized to what is pending) versus one Fabric transaction
 * per message (appendBatch with one leaf, sequential: each append must start where the
 * log ends, so single appends cannot be in flight together), same network, same run;
 * and the time from the relay's ack (the message's database transaction committed) to
 * anchored (the checkpoint covering its leaf recorded in the database by the worker).
 * Writes the "## anchor" section of BENCHMARKS.md.
 *
 * Phases: (1) per-message appends; (2a) storeEnvelope-fed steady load at what it
 * sustains; (2b) steady load at --rate with group commit (storeGroup); (3) a backlog
 * written while no worker runs, then drained by a fresh worker (capacity).
 * Options: --rate 1000 --seconds 30 --store-rate 50 --store-seconds 5 --per-message-seconds 10
 *          --relay-backlog 10000 (drained by the relay worker) --backlog 20000 (drained
 *          without proof indexing) --max-batch 5000
 * Env: CAIRN_FABRIC_DIR / CAIRN_FABRIC_PORT_OFFSET (default .data/fabric-bench, 200): a
 * network already up there is reused (its audit log must be empty), else one is started
 * and stopped afterwards.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { createFabricLedger, fabricConfigFromNetworkFile, type FabricLedger, type LedgerCheckpoint } from "@cairn/ledger";
import { hex } from "@cairn/protocol";
import { createTestDatabase } from "@cairn/db/testing";
import startPostgres from "@cairn/db/vitest-global-setup";
// The relay's worker, through its public index (tests/ has no package dependency on it).
import { startLedgerWorker, type LedgerWorker } from "@cairn/anchoring";
import { createLogger } from "@cairn/log";
import { BATCH } from "@cairn/cli/fabric";
import { clock, createFixture, storeOne, type Ack, type Fixture } from "./load";
import type { WriterJob, WriterMessage } from "./load-thread";
import { startLeanWorker, type LeanWorker } from "./lean-worker";
import { ensureNetwork } from "./network";
import { writeSection, type AnchorReport, type SteadyReport } from "./report";
import { histogram, percentile } from "./stats";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const { values: opts } = parseArgs({
  options: {
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "30" },
    "store-rate": { type: "string", default: "50" },
    "store-seconds": { type: "string", default: "5" },
    "per-message-seconds": { type: "string", default: "10" },
    "relay-backlog": { type: "string", default: "10000" },
    backlog: { type: "string", default: "20000" },
    "max-batch": { type: "string", default: "5000" },
  },
});
function num(name: keyof typeof opts): number {
  const n = Number(opts[name]);
  if (!Number.isFinite(n) || n <= 0) throw new RangeError(`--${name} must be a positive number`);
  return n;
}
const rate = num("rate");
const seconds = num("seconds");
const storeRate = num("store-rate");
const storeSeconds = num("store-seconds");
const perMessageSeconds = num("per-message-seconds");
const relayBacklog = num("relay-backlog");
const backlog = num("backlog");
const maxBatch = num("max-batch");
const command = `node --import tsx tests/fabric/bench/anchor.ts ${process.argv.slice(2).join(" ")}`.trim();

const log = (s: string) => console.log(`[anchor] ${s}`);
const started = performance.now();

interface Anchored {
  treeSize: number;
  at: number;
}

/** Fabric time and size of every AppendBatch the worker makes (the rest of a round is database work). */
const appends: { leaves: number; ms: number; start: number; end: number }[] = [];

function timed(ledger: FabricLedger): FabricLedger {
  return {
    ...ledger,
    appendBatch: async (input) => {
      const start = clock();
      const cp = await ledger.appendBatch(input);
      const end = clock();
      appends.push({ leaves: input.leafHashes.length, ms: end - start, start, end });
      return cp;
    },
  };
}

/** Worker threads do not inherit `--import tsx`: register tsx's loader, then load the TypeScript entry. */
const THREAD_BOOT = `const { workerData } = require("node:worker_threads");
import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => { tsx.register(); return import(workerData.__entry); });`;

/** Runs one writer job in a thread; every ack wakes the ledger worker, as the relay's onStored does. */
function runWriter(
  job: Omit<WriterJob, "userId" | "roomIds" | "next">,
  fx: Fixture,
  onAck: (leafIndices: number[], at: number) => void,
): Promise<unknown> {
  const data: WriterJob = { ...job, userId: fx.userId, roomIds: fx.roomIds, next: fx.next };
  const worker = new Worker(THREAD_BOOT, {
    eval: true,
    workerData: { ...data, __entry: new URL("./load-thread.ts", import.meta.url).href },
  });
  return new Promise((resolve, reject) => {
    worker.on("message", (m: WriterMessage) => {
      if (m.type === "acked") onAck(m.leafIndices, m.at);
      else {
        fx.next = m.next;
        resolve(m.result);
      }
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      if (code !== 0) reject(new Error(`writer thread exited with ${code}`));
    });
  });
}

function runWorker(dbUrl: string, fx: Fixture, ledger: FabricLedger, anchored: Anchored[]): LedgerWorker {
  return startLedgerWorker({
    prisma: fx.prisma,
    ledger: timed(ledger),
    databaseUrl: dbUrl,
    serverSecret: "bench-server-secret-bench-server-secret",
    log: createLogger("warn"),
    intervalMs: 250, // the relay's default CAIRN_ANCHOR_INTERVAL_MS; stores wake it sooner
    maxBatch,
    onCheckpoint: (cp: LedgerCheckpoint) => anchored.push({ treeSize: cp.treeSize, at: clock() }),
  });
}

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until every acked leaf is anchored, then pairs each ack with its checkpoint. */
async function latencies(acks: Ack[], anchored: Anchored[]): Promise<{ sorted: number[]; batches: number }> {
  if (acks.length === 0) return { sorted: [], batches: 0 };
  const first = Math.min(...acks.map((a) => a.leafIndex));
  const last = Math.max(...acks.map((a) => a.leafIndex));
  await until("the last message to be anchored", () => (anchored.at(-1)?.treeSize ?? 0) > last, 120_000);
  const sorted = acks
    .map((a) => {
      const cp = anchored.find((c) => c.treeSize > a.leafIndex);
      return cp ? cp.at - a.ackAt : Number.NaN;
    })
    .sort((a, b) => a - b);
  const batches = anchored.filter((c) => c.treeSize > first && c.treeSize <= last + 1).length + 1;
  return { sorted, batches };
}

function steadyReport(
  offeredRate: number,
  secs: number,
  r: { acks: Ack[]; elapsedMs: number; errors: number },
  lat: { sorted: number[]; batches: number },
): SteadyReport {
  return {
    offeredRate,
    seconds: secs,
    acked: r.acks.length,
    errors: r.errors,
    achievedRate: (r.acks.length * 1000) / r.elapsedMs,
    p50: percentile(lat.sorted, 50),
    p99: percentile(lat.sorted, 99),
    max: lat.sorted.at(-1) ?? Number.NaN,
    batches: lat.batches,
    histogram: histogram(lat.sorted),
  };
}

async function main(): Promise<void> {
  const net = ensureNetwork(repo);
  log(`network ${net.startedHere ? "started" : "reused"} (${(net.startMs / 1000).toFixed(1)} s), ${net.networkJson}`);
  const cleanup: (() => Promise<void> | void)[] = [() => net.stop()];
  const workers: (LedgerWorker | LeanWorker)[] = [];
  try {
    cleanup.unshift(await startPostgres());
    const db = await createTestDatabase();
    cleanup.unshift(() => db.drop());
    const ledger = createFabricLedger(fabricConfigFromNetworkFile(net.networkJson, "org1Appender"));
    cleanup.unshift(() => ledger.close());
    const before = await ledger.getLatestCheckpoint();
    if (before && before.treeSize > 0) {
      throw new Error(`the network's audit log already holds ${before.treeSize} leaves; use a fresh network (fabric down)`);
    }
    const fx = await createFixture(db.prisma);

    // 1. One Fabric transaction per message, sequential.
    log(`per-message: one appendBatch per stored message for ${perMessageSeconds} s`);
    const perTx: number[] = [];
    const tA = performance.now();
    while (performance.now() - tA < perMessageSeconds * 1000) {
      const ref = await storeOne(fx);
      const leaf = await db.prisma.auditLeaf.findUniqueOrThrow({ where: { leafIndex: BigInt(ref.leafIndex) } });
      const t = performance.now();
      await ledger.appendBatch({ startIndex: ref.leafIndex, leafHashes: [hex(leaf.leafHash)] });
      perTx.push(performance.now() - t);
    }
    const perMessageMs = performance.now() - tA;
    const perMessageRate = (perTx.length * 1000) / perMessageMs;
    perTx.sort((a, b) => a - b);
    log(`per-message: ${perTx.length} tx in ${(perMessageMs / 1000).toFixed(1)} s = ${perMessageRate.toFixed(2)} msg/s (tx p50 ${percentile(perTx, 50).toFixed(0)} ms)`);

    // 2. Steady load through the relay's worker.
    const anchored: Anchored[] = [];
    const w1 = runWorker(db.url, fx, ledger, anchored);
    workers.push(w1);
    await until("the worker to lead", () => w1.isLeader(), 30_000);
    await new Promise((r) => setTimeout(r, 1_000)); // its first round syncs the per-message checkpoints

    const collect = (acks: Ack[], wake: () => void) => (leafIndices: number[], at: number) => {
      for (const leafIndex of leafIndices) acks.push({ leafIndex, ackAt: at });
      wake();
    };
    log(`steady (storeEnvelope): ${storeRate} msg/s offered for ${storeSeconds} s`);
    const storeAcks: Ack[] = [];
    const viaStore = (await runWriter(
      { kind: "store", dbUrl: db.url, rate: storeRate, seconds: storeSeconds, count: 0 },
      fx,
      collect(storeAcks, () => w1.wake()),
    )) as { elapsedMs: number; errors: number };
    const storeLat = await latencies(storeAcks, anchored);
    const store = steadyReport(storeRate, storeSeconds, { ...viaStore, acks: storeAcks }, storeLat);
    log(`  ${store.acked} acked at ${store.achievedRate.toFixed(0)} msg/s (${store.errors} failed); ack→anchored p50 ${(store.p50 / 1000).toFixed(2)} s, p99 ${(store.p99 / 1000).toFixed(2)} s`);

    log(`steady (group commit): ${rate} msg/s offered for ${seconds} s`);
    const appendsBefore = appends.length;
    const groupAcks: Ack[] = [];
    const viaGroups = (await runWriter(
      { kind: "group", dbUrl: db.url, rate, seconds, count: 0 },
      fx,
      collect(groupAcks, () => w1.wake()),
    )) as { elapsedMs: number; errors: number; groups: number; arrivalToAck: number[] };
    const groupLat = await latencies(groupAcks, anchored);
    const grouped = steadyReport(rate, seconds, { ...viaGroups, acks: groupAcks }, groupLat);
    const steadyAppends = appends.slice(appendsBefore);
    const arrival = [...viaGroups.arrivalToAck].sort((a, b) => a - b);
    log(`  ${grouped.acked} acked at ${grouped.achievedRate.toFixed(0)} msg/s in ${viaGroups.groups} db transactions (arrival→ack p50 ${percentile(arrival, 50).toFixed(0)} ms, p99 ${percentile(arrival, 99).toFixed(0)} ms); ack→anchored p50 ${(grouped.p50 / 1000).toFixed(2)} s, p99 ${(grouped.p99 / 1000).toFixed(2)} s, ${grouped.batches} batches`);
    console.log(grouped.histogram);
    await w1.stop();
    workers.length = 0;

    // 3. Capacity: a backlog written while no worker runs, drained by a fresh worker.
    log(`backlog: writing ${relayBacklog} messages (group commit, 1,000 per transaction)`);
    const written = (await runWriter({ kind: "backlog", dbUrl: db.url, rate: 1, seconds: 1, count: relayBacklog }, fx, () => undefined)) as {
      elapsedMs: number;
    };
    const writeMs = written.elapsedMs;
    const target = await db.prisma.auditLeaf.count();
    const drained: Anchored[] = [];
    const drainAppendsFrom = appends.length;
    const tD = clock();
    workers.push(runWorker(db.url, fx, ledger, drained));
    await until("the backlog to be anchored", () => (drained.at(-1)?.treeSize ?? 0) >= target, 150_000);
    const drainMs = clock() - tD;
    const batchedRate = (relayBacklog * 1000) / drainMs;
    const drainAppends = appends.slice(drainAppendsFrom);
    const fabricMs = drainAppends.reduce((a, b) => a + b.ms, 0);
    const firstAppend = drainAppends[0];
    const startupMs = firstAppend ? firstAppend.start - tD : Number.NaN;
    const lastAt = drained.at(-1)?.at ?? Number.NaN;
    const pipelineMs = drainMs - startupMs; // from the first append to the last checkpoint recorded
    const pipelineRate = (relayBacklog * 1000) / pipelineMs;
    log(`backlog: written in ${(writeMs / 1000).toFixed(1)} s; anchored in ${(drainMs / 1000).toFixed(1)} s = ${batchedRate.toFixed(0)} msg/s in ${drained.length} batches: worker start + sync ${(startupMs / 1000).toFixed(1)} s, then ${(pipelineMs / 1000).toFixed(1)} s (${pipelineRate.toFixed(0)} msg/s) of which AppendBatch ${(fabricMs / 1000).toFixed(1)} s [${drainAppends.map((a) => `${a.leaves}/${a.ms.toFixed(0)}ms`).join(", ")}], last checkpoint recorded ${((lastAt - (drainAppends.at(-1)?.end ?? lastAt)) / 1000).toFixed(1)} s after the last append`);
    const ratio = batchedRate / perMessageRate;
    log(`ratio batched / per-message: ${ratio.toFixed(0)}×`);
    for (const w of workers) await w.stop();
    workers.length = 0;

    // 4. The same two measurements with the anchoring loop minus proof indexing.
    log(`without proof indexing: ${rate} msg/s offered for ${seconds} s`);
    const leanAnchored: Anchored[] = [];
    const onLean = (list: Anchored[]) => (cp: LedgerCheckpoint) => list.push({ treeSize: cp.treeSize, at: clock() });
    const chainSize = async () => (await ledger.getLatestCheckpoint())?.treeSize ?? 0;
    const lean = startLeanWorker(fx.prisma, timed(ledger), await chainSize(), maxBatch, onLean(leanAnchored));
    workers.push(lean);
    const leanAcks: Ack[] = [];
    const viaLean = (await runWriter(
      { kind: "group", dbUrl: db.url, rate, seconds, count: 0 },
      fx,
      collect(leanAcks, () => lean.wake()),
    )) as { elapsedMs: number; errors: number };
    const leanSteady = steadyReport(rate, seconds, { ...viaLean, acks: leanAcks }, await latencies(leanAcks, leanAnchored));
    log(`  ack→anchored p50 ${(leanSteady.p50 / 1000).toFixed(2)} s, p99 ${(leanSteady.p99 / 1000).toFixed(2)} s, ${leanSteady.batches} batches`);
    console.log(leanSteady.histogram);
    await lean.stop();
    workers.length = 0;
    await runWriter({ kind: "backlog", dbUrl: db.url, rate: 1, seconds: 1, count: backlog }, fx, () => undefined);
    const leanTarget = await db.prisma.auditLeaf.count();
    const leanDrained: Anchored[] = [];
    const tL = clock();
    workers.push(startLeanWorker(fx.prisma, timed(ledger), await chainSize(), maxBatch, onLean(leanDrained)));
    await until("the backlog to be anchored", () => (leanDrained.at(-1)?.treeSize ?? 0) >= leanTarget, 150_000);
    const leanDrainMs = clock() - tL;
    const leanRate = (backlog * 1000) / leanDrainMs;
    log(`  backlog of ${backlog} anchored in ${(leanDrainMs / 1000).toFixed(1)} s = ${leanRate.toFixed(0)} msg/s in ${leanDrained.length} batches; ratio ${(leanRate / perMessageRate).toFixed(0)}×`);

    const report: AnchorReport = {
      command,
      date: new Date().toISOString().slice(0, 10),
      node: process.version,
      pin: (JSON.parse(readFileSync(net.networkJson, "utf8")) as { pin: string }).pin,
      batch: BATCH,
      maxBatch,
      perMessage: { count: perTx.length, seconds: perMessageMs / 1000, rate: perMessageRate, p50: percentile(perTx, 50), p99: percentile(perTx, 99) },
      store,
      grouped: { ...grouped, groups: viaGroups.groups, arrivalP50: percentile(arrival, 50), arrivalP99: percentile(arrival, 99) },
      backlog: {
        count: relayBacklog,
        writeSeconds: writeMs / 1000,
        drainSeconds: drainMs / 1000,
        rate: batchedRate,
        batches: drained.length,
        fabricSeconds: fabricMs / 1000,
        fabricRate: (relayBacklog * 1000) / fabricMs,
        startupSeconds: startupMs / 1000,
        pipelineRate,
        appends: drainAppends.map((a) => ({ leaves: a.leaves, ms: a.ms })),
      },
      steadyAppends: {
        count: steadyAppends.length,
        meanLeaves: steadyAppends.reduce((a, b) => a + b.leaves, 0) / Math.max(1, steadyAppends.length),
        p50Ms: percentile(steadyAppends.map((a) => a.ms).sort((a, b) => a - b), 50),
      },
      ratio,
      lean: {
        steady: leanSteady,
        drainSeconds: leanDrainMs / 1000,
        count: backlog,
        rate: leanRate,
        batches: leanDrained.length,
        ratio: leanRate / perMessageRate,
      },
      totalSeconds: (performance.now() - started) / 1000,
      load: loadavg()[0] ?? 0,
      networkStartedHere: net.startedHere,
    };
    const file = writeSection(repo, report);
    log(`wrote ${file} (${report.totalSeconds.toFixed(0)} s in all)`);
  } finally {
    for (const w of workers) await w.stop();
    for (const step of cleanup) await Promise.resolve(step()).catch((err: unknown) => console.error(err));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
