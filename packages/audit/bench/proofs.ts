/**
 * `pnpm bench proofs`: inclusion proofs served per second from PostgreSQL (the
 * AuditNode table, one query per proof), for random leaves against random checkpoints
 * of a log of --leaves leaves, sequentially and with --concurrency requests in flight.
 * Writes "## proofs" in BENCHMARKS.md.
 *
 *   node --import tsx packages/audit/bench/proofs.ts [--leaves 200000] [--seconds 10] [--concurrency 8]
 */
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
// Relative: @cairn/audit does not depend on @cairn/db (the bench needs a real database, the package does not).
import { auditNodeStore } from "../../db/src/index";
import { createTestDatabase } from "../../db/src/testing";
import { indexSubtrees, inclusionProofPlan, rootFromInclusionProof, storedInclusionProof, storedRoot, equalHashes } from "../src/index";
import { writeSection } from "./sections";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`--${name} must be a positive integer`);
  return v;
}
const LEAVES = arg("leaves", 200_000);
const SECONDS = arg("seconds", 10);
const CONCURRENCY = arg("concurrency", 8);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

const db = await createTestDatabase();
try {
  const store = auditNodeStore(db.prisma);
  const setup = performance.now();
  const hashes: Uint8Array[] = [];
  for (let from = 0; from < LEAVES; from += 10_000) {
    const n = Math.min(10_000, LEAVES - from);
    const chunk = Array.from({ length: n }, () => new Uint8Array(randomBytes(32)));
    hashes.push(...chunk);
    await db.prisma.auditLeaf.createMany({ data: chunk.map((h, i) => ({ leafIndex: BigInt(from + i), leafHash: h, kind: "message" })) });
  }
  // Index in batches of 5,000, as the anchor worker would after each checkpoint.
  const checkpoints: number[] = [];
  for (let size = 5_000; size < LEAVES + 5_000; size += 5_000) {
    const t = Math.min(size, LEAVES);
    await indexSubtrees(store, t);
    checkpoints.push(t);
  }
  const setupSeconds = (performance.now() - setup) / 1000;
  const nodes = await db.prisma.auditNode.count();
  const roots = new Map<number, Uint8Array>();
  for (const t of checkpoints) roots.set(t, (await storedRoot(store.read, t)) as Uint8Array);

  let seed = 12345;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
  const one = async (): Promise<number> => {
    const t = checkpoints[next() % checkpoints.length] as number;
    const index = next() % t;
    const proof = await storedInclusionProof(store.read, index, t);
    const root = rootFromInclusionProof(hashes[index] as Uint8Array, index, t, proof);
    if (!root || !equalHashes(root, roots.get(t) as Uint8Array)) throw new Error("served a wrong proof");
    return inclusionProofPlan(index, t).flat().length;
  };
  const runFor = async (workers: number) => {
    for (let i = 0; i < 50; i++) await one(); // warm-up
    let done = 0;
    let refs = 0;
    const end = performance.now() + SECONDS * 1000;
    const lat: number[] = [];
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (performance.now() < end) {
          const s = performance.now();
          refs += await one();
          lat.push(performance.now() - s);
          done++;
        }
      }),
    );
    lat.sort((a, b) => a - b);
    return { rate: done / SECONDS, refs: refs / done, p50: lat[Math.floor(lat.length / 2)] as number, p99: lat[Math.floor(lat.length * 0.99)] as number };
  };
  const seq = await runFor(1);
  const par = await runFor(CONCURRENCY);
  console.log(`sequential ${fmt(seq.rate)} proofs/s (p50 ${seq.p50.toFixed(2)} ms), ${CONCURRENCY} in flight ${fmt(par.rate)} proofs/s`);

  const date = new Date().toISOString().slice(0, 10);
  writeSection(
    "proofs",
    `## proofs

Command: \`node --import tsx packages/audit/bench/proofs.ts --leaves ${LEAVES}\` (also \`pnpm bench proofs\`), run ${date},
Node ${process.version}, embedded PostgreSQL 18 on the same ${cpus().length}-core machine (shared; 1-min load average at the end:
${loadavg()[0]?.toFixed(1)}). A log of ${fmt(LEAVES)} leaves indexed in ${checkpoints.length} batches of 5,000 by \`indexSubtrees\`
(${fmt(nodes)} AuditNode rows, ${setupSeconds.toFixed(0)} s including inserting the leaves). Each proof: a random leaf against a
random checkpoint, \`storedInclusionProof\` = one SQL query (\`unnest\` + LATERAL primary-key lookups) for the
${seq.refs.toFixed(1)} stored subtrees its plan names on average, then checked against the checkpoint root.

| mode | proofs/s | p50 | p99 |
| --- | ---: | ---: | ---: |
| sequential (1 in flight) | ${fmt(seq.rate)} | ${seq.p50.toFixed(2)} ms | ${seq.p99.toFixed(2)} ms |
| ${CONCURRENCY} in flight (Prisma pool of 5) | ${fmt(par.rate)} | ${par.p50.toFixed(2)} ms | ${par.p99.toFixed(2)} ms |

Reads per proof are O(log n) and do not depend on the log's size beyond that (no tree is rebuilt per request).
`,
  );
} finally {
  await db.drop();
}
process.exit(0);
