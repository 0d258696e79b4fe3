/**
 * Issue 5's durability promise: kill the anchor worker and stop the ledger during a
 * load of messages, restart both, and every message ends up anchored exactly once —
 * the chain's batches are contiguous, never overlapping, and hold exactly the leaf
 * hashes the database committed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { storeEnvelope, type PrismaClient } from "@cairn/db";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { createEmbeddedLedger, LedgerError, type EmbeddedLedger, type Ledger } from "@cairn/ledger";
import { hex, type Envelope } from "@cairn/protocol";
import { startLedgerWorker, type LedgerWorker } from "@cairn/anchoring";
import { createLogger } from "@cairn/log";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
let db: TestDatabase;
let chain: EmbeddedLedger;
let roomIds: string[] = [];
let userId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  chain = createEmbeddedLedger({ prisma: db.prisma });
  const user = await db.prisma.user.create({
    data: { username: "loadgen", salt: randomBytes(16), authHash: "unused", identityPublicKey: randomBytes(32) },
  });
  userId = user.id;
  roomIds = await Promise.all(
    [0, 1, 2].map(async () => (await db.prisma.room.create({ data: { name: "load", createdBy: userId, members: { create: { userId } } } })).id),
  );
});
afterAll(async () => {
  await chain.close();
  await db.drop();
});

function envelope(roomId: string): Envelope {
  return {
    version: 1,
    roomId,
    senderDeviceId: "load-device",
    sessionId: randomBytes(16),
    index: 0,
    prevHash: new Uint8Array(32),
    nonce: randomBytes(24),
    ciphertext: randomBytes(200),
    signature: randomBytes(64),
  };
}

/** Several senders storing messages one after another, as relays do. */
function load(prisma: PrismaClient, perSender: number): Promise<void> {
  return Promise.all(
    roomIds.map(async (roomId) => {
      for (let i = 0; i < perSender; i++) {
        await storeEnvelope(prisma, { envelope: envelope(roomId), clientMsgId: randomUUID(), senderUserId: userId });
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5));
      }
    }),
  ).then(() => undefined);
}

/** The embedded ledger, with a switch that makes every call fail as an unreachable ledger would. */
function switchable(inner: Ledger): { ledger: Ledger; down: (value: boolean) => void; crashAfterNextAppend: () => void } {
  let down = false;
  let crash = false;
  const ledger = new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        if (down) throw new LedgerError("UNAVAILABLE", "ledger stopped by the test");
        const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (prop === "appendBatch" && crash) {
          crash = false;
          // The chain took the batch; the worker dies before recording it.
          throw new Error("worker crashed between append and record");
        }
        return result;
      };
    },
  });
  return { ledger, down: (v) => (down = v), crashAfterNextAppend: () => (crash = true) };
}

async function until(check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const anchoredSize = async () => (await chain.getLatestCheckpoint())?.treeSize ?? 0;

async function expectAnchoredExactlyOnce(): Promise<number> {
  const leaves = await db.prisma.auditLeaf.findMany({ orderBy: { leafIndex: "asc" } });
  expect(leaves.map((l) => Number(l.leafIndex))).toEqual(leaves.map((_, i) => i));
  await until(async () => (await anchoredSize()) === leaves.length);
  // Walk the chain's batches: contiguous, non-overlapping, covering every leaf once.
  let next = 0;
  let batches = 0;
  while (next < leaves.length) {
    const batch = await chain.getBatch(next);
    expect(batch?.startIndex, `batch at ${next}`).toBe(next);
    for (const [k, h] of (batch?.leafHashes ?? []).entries()) {
      expect(h, `leaf ${next + k}`).toBe(hex(leaves[next + k]?.leafHash ?? new Uint8Array()));
    }
    next = batch?.treeSize ?? Number.NaN;
    batches++;
  }
  expect(next).toBe(leaves.length);
  // Every checkpoint this database recorded is one the chain committed.
  for (const cp of await db.prisma.checkpoint.findMany()) {
    expect((await chain.getCheckpoint(Number(cp.treeSize)))?.rootHash).toBe(hex(cp.rootHash));
  }
  return batches;
}

describe("anchoring through crashes and outages", () => {
  it("loses nothing and appends nothing twice when the ledger stops and the worker dies mid-load", async () => {
    const faulty = switchable(chain);
    const log = createLogger("error", () => {});
    const start = (): LedgerWorker =>
      startLedgerWorker({
        prisma: db.prisma,
        ledger: faulty.ledger,
        databaseUrl: db.url,
        serverSecret: "ab".repeat(32),
        log,
        intervalMs: 10,
        maxBatch: 20,
      });
    const sending = load(db.prisma, 60);
    let worker = start();
    await until(async () => (await anchoredSize()) > 0);

    faulty.down(true); // the ledger goes away while messages keep coming
    await new Promise((r) => setTimeout(r, 400));
    faulty.down(false);

    faulty.crashAfterNextAppend(); // the chain takes a batch the database never hears of
    const before = await anchoredSize();
    await until(async () => (await anchoredSize()) > before);

    await worker.stop(); // the worker process goes away
    await new Promise((r) => setTimeout(r, 200));
    worker = start(); // and comes back
    await sending;
    try {
      const batches = await expectAnchoredExactlyOnce();
      expect(batches).toBeGreaterThan(1);
    } finally {
      await worker.stop();
    }
  });

  it("recovers when the worker's process is killed with SIGKILL mid-batch", async () => {
    const spawnWorker = (): Promise<ChildProcess> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "worker-process.ts")], {
          cwd: here,
          env: { ...process.env, DATABASE_URL: db.url },
          stdio: ["ignore", "pipe", "inherit"],
        });
        child.stdout?.once("data", () => resolve(child));
        child.once("exit", (code) => reject(new Error(`worker exited early (${code})`)));
      });
    const sending = load(db.prisma, 60);
    const first = await spawnWorker();
    const before = await anchoredSize();
    await until(async () => (await anchoredSize()) > before);
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    const second = await spawnWorker();
    try {
      await sending;
      await expectAnchoredExactlyOnce();
    } finally {
      second.kill("SIGTERM");
    }
  });
});
