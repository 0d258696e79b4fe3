import { generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { enqueueLedgerTx, storeEnvelope } from "@cairn/db";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { leafHashOfMessage } from "@cairn/audit";
import { createEmbeddedLedger, type Ledger } from "@cairn/ledger";
import { deviceCertificateBytes, envelopeFromWire, hex, toBase64Url } from "@cairn/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "./log";
import { anchorRound, syncFromChain } from "./anchor";
import { makeRoom, makeUser, signedEnvelope, type TestUser } from "./test-fixtures";
import { userRef } from "./user-ref";
import { startLedgerWorker, type LedgerWorker } from "./worker";

const SECRET = "ab".repeat(32);
const quiet = createLogger("error", () => {});

let db: TestDatabase;
let ledger: Ledger;
let alice: TestUser;
let roomId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  ledger = createEmbeddedLedger({ prisma: db.prisma });
  alice = await makeUser(db.prisma, "alice");
  roomId = await makeRoom(db.prisma, [alice]);
});
afterAll(async () => {
  await ledger.close();
  await db.drop();
});

async function send(n: number): Promise<number[]> {
  const leaves: number[] = [];
  for (let i = 0; i < n; i++) {
    const envelope = envelopeFromWire(signedEnvelope(alice, roomId));
    const ref = await storeEnvelope(db.prisma, {
      envelope,
      clientMsgId: `msg-${randomBytes(6).toString("hex")}`,
      senderUserId: alice.id,
      leafHashOf: (roomSeq, serverTimeMs) => leafHashOfMessage({ envelope, roomSeq, serverTimeMs }),
    });
    leaves.push(ref.leafIndex);
  }
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
    const leaves = await send(20);
    const w = worker();
    try {
      await until(async () => (await ledger.getLatestCheckpoint())?.treeSize === 20);
    } finally {
      await w.stop();
    }
    for (const i of leaves) {
      const onChain = await ledger.getLeaf(i);
      const local = await db.prisma.auditLeaf.findUniqueOrThrow({ where: { leafIndex: BigInt(i) } });
      expect(onChain?.leafHash).toBe(hex(local.leafHash));
    }
    const checkpoints = await db.prisma.checkpoint.findMany({ orderBy: { treeSize: "asc" } });
    expect(checkpoints.map((c) => Number(c.treeSize))).toEqual([7, 14, 20]);
    const blocks = await db.prisma.ledgerBlock.count({ where: { fn: { contains: "AppendBatch" } } });
    expect(blocks).toBe(3);
  });

  it("resumes from the chain's own size when the database missed a checkpoint (crash after append)", async () => {
    await send(3);
    // The chain took the batch, but this database never recorded it.
    const leaves = await db.prisma.auditLeaf.findMany({ where: { leafIndex: { gte: 20n } }, orderBy: { leafIndex: "asc" } });
    const cp = await ledger.appendBatch({ startIndex: 20, leafHashes: leaves.map((l) => hex(l.leafHash)) });
    expect(cp.treeSize).toBe(23);
    const size = await syncFromChain(db.prisma, ledger);
    expect(size).toBe(23);
    expect(await db.prisma.checkpoint.findUnique({ where: { treeSize: 23n } })).not.toBeNull();
    const round = await anchorRound(db.prisma, ledger, size, 100);
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
  function rawPublic(key: KeyObject): Uint8Array {
    return new Uint8Array(Buffer.from(String(key.export({ format: "jwk" }).x), "base64url"));
  }

  it("registers identity and device keys on the ledger in order, and records the device's tx id", async () => {
    const identity = generateKeyPairSync("ed25519");
    const device = { deviceId: alice.deviceId, signing: randomBytes(32), agreement: randomBytes(32) };
    const identityPublicKey = rawPublic(identity.publicKey);
    const signature = sign(
      null,
      deviceCertificateBytes({
        identityPublicKey,
        deviceId: device.deviceId,
        signingPublicKey: device.signing,
        agreementPublicKey: device.agreement,
      }),
      identity.privateKey,
    );
    await enqueueLedgerTx(db.prisma, "registerIdentity", { userId: alice.id, identityPublicKey: toBase64Url(identityPublicKey) });
    await enqueueLedgerTx(db.prisma, "registerDevice", {
      userId: alice.id,
      deviceId: device.deviceId,
      signingPublicKey: toBase64Url(device.signing),
      agreementPublicKey: toBase64Url(device.agreement),
      signature: toBase64Url(signature),
    });
    // A forged registration (wrong signature) is refused by the chaincode and skipped.
    await enqueueLedgerTx(db.prisma, "registerDevice", {
      userId: alice.id,
      deviceId: toBase64Url(randomBytes(16)),
      signingPublicKey: toBase64Url(randomBytes(32)),
      agreementPublicKey: toBase64Url(randomBytes(32)),
      signature: toBase64Url(randomBytes(64)),
    });
    const w = worker();
    try {
      await until(async () => (await db.prisma.ledgerOutbox.count({ where: { doneAt: null } })) === 0);
    } finally {
      await w.stop();
    }
    const keys = await ledger.getKeys(userRef(SECRET, alice.id));
    expect(keys?.identityPublicKey).toBe(toBase64Url(identityPublicKey));
    expect(keys?.devices.map((d) => d.deviceId)).toEqual([device.deviceId]);
    const row = await db.prisma.device.findUniqueOrThrow({ where: { id: device.deviceId } });
    expect(row.ledgerTxId).toBe(keys?.devices[0]?.registeredTxId);
    const rejected = await db.prisma.ledgerOutbox.findMany({ where: { txId: null } });
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.lastError).toBe("BAD_SIGNATURE");
  });
});
