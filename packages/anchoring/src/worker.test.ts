import { enqueueLedgerTx, refusedLedgerTxs } from "@cairn/db";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { LedgerError, type Ledger } from "@cairn/ledger";
import { createLogger } from "@cairn/log";
import { hex } from "@cairn/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anchorRound, syncFromChain } from "./anchor";
import { createRoom, createUser, openTestLedger, queuedUser, queueRefusedRegistrations, send as sendOne, SERVER_SECRET as SECRET, type TestUser } from "./testing";
import { roomRef, userRef } from "./user-ref";
import { startLedgerWorker, type LedgerWorker } from "./worker";

const quiet = createLogger("error", () => {});

let db: TestDatabase;
let ledger: Ledger;
let alice: TestUser;
let roomId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  ledger = openTestLedger(db.prisma);
  alice = await createUser(db.prisma, ledger, "alice");
  roomId = await createRoom(db.prisma, alice);
});
afterAll(async () => {
  await ledger.close();
  await db.drop();
});

let sent = 0;
async function send(n: number): Promise<number[]> {
  const leaves: number[] = [];
  for (let i = 0; i < n; i++) leaves.push((await sendOne(db.prisma, roomId, alice, sent++)).leafIndex);
  return leaves;
}

function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      check().then(
        (ok) => (ok ? resolve() : Date.now() > deadline ? reject(new Error("timed out")) : setTimeout(tick, 50)),
        reject,
      );
    };
    tick();
  });
}

function worker(): LedgerWorker {
  return startLedgerWorker({
    prisma: db.prisma,
    ledger,
    databaseUrl: db.url,
    serverSecret: SECRET,
    log: quiet,
    intervalMs: 20,
    maxBatch: 7,
  });
}

describe("anchoring", () => {
  it("anchors every stored leaf on the ledger exactly once, in batches sized to what is pending", async () => {
    // The room's create event is leaf 0: 21 leaves in all.
    const leaves = await send(20);
    const w = worker();
    try {
      await until(async () => (await ledger.getLatestCheckpoint())?.treeSize === 21);
    } finally {
      await w.stop();
    }
    for (const i of leaves) {
      const onChain = await ledger.getLeaf(i);
      const local = await db.prisma.auditLeaf.findUniqueOrThrow({ where: { leafIndex: BigInt(i) } });
      expect(onChain?.leafHash).toBe(hex(local.leafHash));
    }
    const checkpoints = await db.prisma.checkpoint.findMany({ orderBy: { treeSize: "asc" } });
    expect(checkpoints.map((c) => Number(c.treeSize))).toEqual([7, 14, 21]);
    const blocks = await db.prisma.ledgerBlock.count({ where: { fn: { contains: "AppendBatch" } } });
    expect(blocks).toBe(3);
    // Each batch committed the room's head: the chain alone says how many messages it had at each checkpoint.
    const ref = roomRef(SECRET, roomId);
    const heads = await Promise.all([6, 7, 14, 21].map((size) => ledger.getRoomHead(ref, size)));
    expect(heads.map((h) => h && [h.roomSeq, h.leafIndex, h.treeSize])).toEqual([null, [6, 6, 7], [13, 13, 14], [20, 20, 21]]);
    expect(await ledger.getRoomHead(roomRef(SECRET, "another-room"), 21)).toBeNull();
  });

  it("resumes from the chain's own size when the database missed a checkpoint (crash after append)", async () => {
    await send(3);
    // The chain took the batch, but this database never recorded it.
    const leaves = await db.prisma.auditLeaf.findMany({ where: { leafIndex: { gte: 21n } }, orderBy: { leafIndex: "asc" } });
    const cp = await ledger.appendBatch({ startIndex: 21, leafHashes: leaves.map((l) => hex(l.leafHash)) });
    expect(cp.treeSize).toBe(24);
    const size = await syncFromChain(db.prisma, ledger);
    expect(size).toBe(24);
    expect(await db.prisma.checkpoint.findUnique({ where: { treeSize: 24n } })).not.toBeNull();
    const round = await anchorRound(db.prisma, ledger, size, 100, (roomId) => roomRef(SECRET, roomId));
    expect(round).toEqual({ checkpoint: null, appended: 0 });
    const appends = await db.prisma.ledgerBlock.count({ where: { fn: { contains: "AppendBatch" } } });
    expect(appends).toBe(4);
  });

  it("lets only one of several workers lead", async () => {
    const a = worker();
    const b = worker();
    try {
      await until(() => Promise.resolve(a.isLeader() || b.isLeader()));
      expect(a.isLeader() && b.isLeader()).toBe(false);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});

describe("key registration outbox", () => {
  const settled = async () => (await db.prisma.ledgerOutbox.count({ where: { doneAt: null } })) === 0;
  const anchoredAll = async () => (await ledger.getLatestCheckpoint())?.treeSize === (await db.prisma.auditLeaf.count());

  it("registers identity and device keys on the ledger in order, and records the device's tx id", async () => {
    const bob = await queuedUser(db.prisma, "bob");
    const w = worker();
    try {
      await until(settled);
    } finally {
      await w.stop();
    }
    const keys = await ledger.getKeys(userRef(SECRET, bob.id));
    expect(keys?.devices.map((d) => d.deviceId)).toEqual([bob.deviceId]);
    const row = await db.prisma.device.findUniqueOrThrow({ where: { id: bob.deviceId } });
    expect(row.ledgerTxId).toBe(keys?.devices[0]?.registeredTxId);
  });

  it("revokes a deactivated account's devices on the ledger, unsigned, naming the audit leaf", async () => {
    const offboarded = await queuedUser(db.prisma, "offboarded");
    await enqueueLedgerTx(db.prisma, "deactivateUser", { userId: offboarded.id, auditLeafIndex: 7 });
    const w = worker();
    try {
      await until(settled);
    } finally {
      await w.stop();
    }
    const keys = await ledger.getKeys(userRef(SECRET, offboarded.id));
    expect(keys?.deactivation?.auditLeafIndex).toBe(7);
    expect(keys?.devices.map((d) => [d.deviceId, d.revokedTxId, d.revocationSignature])).toEqual([[offboarded.deviceId, keys?.deactivation?.txId, null]]);
    const row = await db.prisma.ledgerOutbox.findFirstOrThrow({ where: { kind: "deactivateUser" } });
    expect(row).toMatchObject({ txId: keys?.deactivation?.txId, lastError: null });
  });

  it("skips what the ledger refuses, says why, and keeps registering and anchoring behind it", async () => {
    const carol = await queuedUser(db.prisma, "carol");
    const expected = await queueRefusedRegistrations(db.prisma, carol.id); // queued before dave's good ones
    const dave = await queuedUser(db.prisma, "dave");
    const leaves = await send(5);
    const w = worker();
    try {
      await until(async () => (await settled()) && (await anchoredAll()));
    } finally {
      await w.stop();
    }
    expect((await ledger.getKeys(userRef(SECRET, dave.id)))?.devices.map((d) => d.deviceId)).toEqual([dave.deviceId]);
    expect((await ledger.getKeys(userRef(SECRET, carol.id)))?.devices.map((d) => d.deviceId)).toEqual([carol.deviceId]);
    for (const i of leaves) expect(await ledger.getLeaf(i)).not.toBeNull();
    const refused = await db.prisma.ledgerOutbox.findMany({ where: { txId: null }, orderBy: { id: "asc" } });
    expect(refused.map((r) => [r.kind, r.lastError?.split(":")[0]])).toEqual(expected);
    expect(refused.every((r) => r.doneAt !== null)).toBe(true);
    // What the admin dashboard shows: newest first, with the reason.
    const shown = await refusedLedgerTxs(db.prisma, 2);
    expect(shown.total).toBe(4);
    expect(shown.recent.map((r) => r.kind)).toEqual(["registerPet", "revokeDevice"]);
    expect(shown.recent[0]?.reason).toMatch(/^INVALID_ARGUMENT: unknown outbox kind registerPet/);
  });

  it("keeps a registration the ledger cannot take right now, retrying it, while anchoring goes on", async () => {
    const erin = await queuedUser(db.prisma, "erin");
    let down = true;
    const flaky: Ledger = Object.create(ledger) as Ledger;
    flaky.registerIdentity = (input) =>
      down ? Promise.reject(new LedgerError("UNAVAILABLE", "peer unreachable")) : ledger.registerIdentity(input);
    const leaves = await send(3);
    const w = startLedgerWorker({ prisma: db.prisma, ledger: flaky, databaseUrl: db.url, serverSecret: SECRET, log: quiet, intervalMs: 20, maxBatch: 7 });
    try {
      await until(anchoredAll);
      for (const i of leaves) expect(await ledger.getLeaf(i)).not.toBeNull();
      const waiting = await db.prisma.ledgerOutbox.findMany({ where: { doneAt: null }, orderBy: { id: "asc" } });
      expect(waiting.map((r) => r.kind)).toEqual(["registerIdentity", "registerDevice"]);
      expect(waiting[0]?.lastError).toBe("UNAVAILABLE");
      down = false;
      await until(settled);
    } finally {
      await w.stop();
    }
    expect((await ledger.getKeys(userRef(SECRET, erin.id)))?.devices.map((d) => d.deviceId)).toEqual([erin.deviceId]);
  });
});
