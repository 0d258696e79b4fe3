/**
 * Witnessed checkpoints end to end: the ledger worker signs each checkpoint as the log
 * and sends it to a witness (`cairn witness`, another organisation's, with its own key),
 * which cosigns only what extends what it cosigned before; exports carry the
 * cosignatures, and `verifyBundle` with a k-of-n policy requires them. A forked
 * checkpoint (another root at a size the witness cosigned) is refused by the witness.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { checkpointBody, formatVerifierKey, SIG_TYPE_COSIGNATURE_V1, verifyBundle, witnessPolicy, type VerifyReport } from "@cairn/audit";
import { exportRoom, logSigner, startLedgerWorker } from "@cairn/anchoring";
import { createRoom, createUser, openTestLedger, send, SERVER_SECRET, type TestUser } from "@cairn/anchoring/testing";
import { nodeVerifyHost } from "@cairn/audit/node";
import { startWitness, type RunningWitness } from "@cairn/cli/witness";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import type { Ledger } from "@cairn/ledger";
import { createLogger } from "@cairn/log";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { codes, dump, parse, reseal, type Json } from "./bundle-lines";

let db: TestDatabase;
let ledger: Ledger;
let admin: TestUser;
let witness: RunningWitness;
let dataDir: string;
let lines: string[];
const log = logSigner(SERVER_SECRET);

const verify = (bundle: string[], keys: string[], k?: number): Promise<VerifyReport> =>
  verifyBundle(bundle, { ...nodeVerifyHost(), ledger, witnessPolicy: witnessPolicy(keys, k) });

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400 && !(await check()); i++) await new Promise((r) => setTimeout(r, 50));
  expect(await check()).toBe(true);
}

beforeAll(async () => {
  db = await createTestDatabase();
  ledger = openTestLedger(db.prisma);
  dataDir = mkdtempSync(path.join(tmpdir(), "cairn-witness-"));
  witness = await startWitness({ dataDir, port: 0, name: "witness.org2", logKey: log.verifierKey });
  admin = await createUser(db.prisma, ledger, "admin1", "admin");
  const alice = await createUser(db.prisma, ledger, "alice");
  const roomId = await createRoom(db.prisma, alice);
  const worker = startLedgerWorker({
    prisma: db.prisma,
    ledger,
    databaseUrl: db.url,
    serverSecret: SERVER_SECRET,
    log: createLogger("error", () => undefined),
    intervalMs: 20,
    maxBatch: 4,
    witnesses: [witness.url],
    logSigner: log,
  });
  try {
    for (let i = 0; i < 10; i++) await send(db.prisma, roomId, alice, i);
    const cosignedAll = async () => {
      const cps = await db.prisma.checkpoint.count();
      return cps > 0 && (await db.prisma.checkpointCosignature.count()) === cps && (await db.prisma.auditLeaf.count()) === Number((await ledger.getLatestCheckpoint())?.treeSize ?? 0);
    };
    await until(cosignedAll);
    lines = [];
    await exportRoom({ prisma: db.prisma, ledger, serverSecret: SERVER_SECRET, roomId, exporterUserId: admin.id, out: (l) => void lines.push(l.replace(/\n$/, "")) });
    await until(cosignedAll);
  } finally {
    await worker.stop();
  }
});

afterAll(async () => {
  await witness?.close();
  await ledger?.close();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("witnessed checkpoints", () => {
  test("every exported checkpoint carries the witness's cosignature, and a 1-of-1 policy passes", async () => {
    const cps = parse(lines).filter((o) => o.type === "checkpoint") as (Json & { witnessed?: { origin: string; cosignatures: string[] } })[];
    expect(cps.length).toBeGreaterThan(1);
    for (const cp of cps) expect(cp.witnessed).toMatchObject({ origin: log.origin, cosignatures: [expect.stringMatching(/^\u2014 witness\.org2 /)] });
    const r = await verify(lines, [witness.verifierKey]);
    expect(r.findings).toEqual([]);
    expect(r.witnesses).toEqual({ required: 1, of: 1, witnessed: r.checkpoints });
  });

  test("a policy naming a witness that did not cosign fails every checkpoint with unwitnessed-checkpoint", async () => {
    const stranger = formatVerifierKey("witness.elsewhere", SIG_TYPE_COSIGNATURE_V1, new Uint8Array(32).fill(5));
    const r = await verify(lines, [witness.verifierKey, stranger], 2);
    expect(codes(r).filter((c) => c === "unwitnessed-checkpoint")).toHaveLength(r.checkpoints);
    // 1 of the 2 is enough when the policy says so.
    expect((await verify(lines, [witness.verifierKey, stranger], 1)).findings).toEqual([]);
  });

  test("cosignatures stripped from the bundle (trailer resealed) fail the policy", async () => {
    const objs = parse(lines).map((o) => (o.type === "checkpoint" ? { ...o, witnessed: undefined } : o));
    const r = await verify(reseal(dump(objs)), [witness.verifierKey]);
    expect(codes(r)).toContain("unwitnessed-checkpoint");
  });

  test("the witness refuses a forked checkpoint: another root at the size it cosigned", async () => {
    const latest = await ledger.getLatestCheckpoint();
    const size = latest?.treeSize ?? 0;
    const forged = log.signedNote({ treeSize: size, rootHash: "ab".repeat(32) });
    const res = await fetch(`${witness.url}/add-checkpoint`, { method: "POST", body: `old ${size}\n\n${forged}` });
    expect(res.status).toBe(409);
    expect(await res.text()).toBe(`${size}\n`);
    // The honest one is still what it cosigned.
    expect(forged.startsWith(checkpointBody({ origin: log.origin, treeSize: size, rootHash: new Uint8Array(32).fill(0xab) }))).toBe(true);
  });
});
