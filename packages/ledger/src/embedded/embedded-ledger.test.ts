import { generateKeyPairSync, sign } from "node:crypto";
import { leafHash, rootFromLeaves } from "@cairn/audit";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { deviceCertificateBytes, hex } from "@cairn/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LedgerError } from "../errors";
import { createEmbeddedLedger, type EmbeddedLedger } from "./embedded-ledger";

let db: TestDatabase;
let ledger: EmbeddedLedger;

beforeAll(async () => {
  db = await createTestDatabase();
  ledger = createEmbeddedLedger({ prisma: db.prisma });
});
afterAll(async () => {
  await ledger.close();
  await db.drop();
});

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from((publicKey.export({ format: "jwk" }) as { x: string }).x, "base64url");
  return { raw: new Uint8Array(raw), b64: raw.toString("base64url"), sign: (m: Uint8Array) => sign(null, m, privateKey).toString("base64url") };
}

const ref = (n: number) => n.toString(16).padStart(64, "0");
const blockCount = () => db.prisma.ledgerBlock.count();

async function rejection(p: Promise<unknown>): Promise<LedgerError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LedgerError);
  return err as LedgerError;
}

describe("embedded ledger: keys", () => {
  test("registers an identity and a signed device, readable with history", async () => {
    const identity = keyPair();
    const receipt = await ledger.registerIdentity({ userRef: ref(1), identityPublicKey: identity.b64 });
    expect(receipt.txId).toMatch(/^[0-9a-f]{64}$/);
    const signing = keyPair();
    const agreement = keyPair();
    const cert = deviceCertificateBytes({
      identityPublicKey: identity.raw,
      deviceId: "dev-1",
      signingPublicKey: signing.raw,
      agreementPublicKey: agreement.raw,
    });
    const device = await ledger.registerDevice({
      userRef: ref(1),
      deviceId: "dev-1",
      signingPublicKey: signing.b64,
      agreementPublicKey: agreement.b64,
      signature: identity.sign(cert),
    });
    const keys = await ledger.getKeys(ref(1));
    expect(keys).toMatchObject({ userRef: ref(1), identityPublicKey: identity.b64, registeredTxId: receipt.txId });
    expect(keys?.devices).toHaveLength(1);
    expect(keys?.devices[0]).toMatchObject({ deviceId: "dev-1", registeredTxId: device.txId, revokedTxId: null });
    expect(await ledger.getKeys(ref(999))).toBeNull();
  });

  test("a wrongly signed device is rejected with BAD_SIGNATURE and leaves no block", async () => {
    const identity = keyPair();
    await ledger.registerIdentity({ userRef: ref(2), identityPublicKey: identity.b64 });
    const before = await blockCount();
    const signing = keyPair();
    const cert = deviceCertificateBytes({ identityPublicKey: identity.raw, deviceId: "d", signingPublicKey: signing.raw, agreementPublicKey: signing.raw });
    const err = await rejection(
      ledger.registerDevice({ userRef: ref(2), deviceId: "d", signingPublicKey: signing.b64, agreementPublicKey: signing.b64, signature: keyPair().sign(cert) }),
    );
    expect(err.code).toBe("BAD_SIGNATURE");
    expect(err.cairnCode).toBe("BAD_SIGNATURE");
    expect(await blockCount()).toBe(before);
  });

  test("a plain client identity may not register identities (FORBIDDEN)", async () => {
    const client = ledger.withIdentity({ mspId: "CairnEmbeddedMSP", role: "client" });
    expect((await rejection(client.registerIdentity({ userRef: ref(3), identityPublicKey: keyPair().b64 }))).code).toBe("FORBIDDEN");
  });

  test("concurrent submits are serialized into one unbroken chain", async () => {
    const before = await blockCount();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => ledger.registerIdentity({ userRef: ref(100 + i), identityPublicKey: keyPair().b64 })),
    );
    expect(await blockCount()).toBe(before + 8);
    const numbers = (await db.prisma.ledgerBlock.findMany({ select: { number: true }, orderBy: { number: "asc" } })).map((b) => Number(b.number));
    expect(numbers).toEqual(numbers.map((_, i) => i));
    expect((await ledger.verifyBlockChain()).ok).toBe(true);
  });
});

describe("embedded ledger: audit", () => {
  const leaves = Array.from({ length: 50 }, (_, i) => leafHash(new TextEncoder().encode(`m${i}`)));
  const hashes = (from: number, to: number) => leaves.slice(from, to).map(hex);

  test("append, replay, out of order, overlap, leaf lookup and checkpoint history", async () => {
    expect(await ledger.getLatestCheckpoint()).toBeNull();
    const first = await ledger.appendBatch({ startIndex: 0, leafHashes: hashes(0, 20) });
    expect(first).toMatchObject({ treeSize: 20, rootHash: hex(rootFromLeaves(leaves.slice(0, 20))) });
    const second = await ledger.appendBatch({ startIndex: 20, leafHashes: hashes(20, 50) });
    expect(second.rootHash).toBe(hex(rootFromLeaves(leaves)));

    // replay: a no-op returning the same checkpoint
    expect(await ledger.appendBatch({ startIndex: 0, leafHashes: hashes(0, 20) })).toEqual(first);
    expect((await rejection(ledger.appendBatch({ startIndex: 51, leafHashes: hashes(0, 1) }))).code).toBe("OUT_OF_ORDER");
    expect((await rejection(ledger.appendBatch({ startIndex: 10, leafHashes: hashes(10, 30) }))).code).toBe("CONFLICT");

    expect(await ledger.getLatestCheckpoint()).toEqual(second);
    expect(await ledger.getCheckpoint(20)).toEqual(first);
    expect(await ledger.getCheckpoint(21)).toBeNull();
    expect(await ledger.getLeaf(19)).toEqual({ index: 19, leafHash: hex(leaves[19] as Uint8Array), checkpoint: first });
    expect(await ledger.getLeaf(20)).toEqual({ index: 20, leafHash: hex(leaves[20] as Uint8Array), checkpoint: second });
    expect(await ledger.getLeaf(50)).toBeNull();
    expect(await ledger.getBatch(25)).toEqual({ startIndex: 20, treeSize: 50, leafHashes: hashes(20, 50), checkpoint: second });
    expect(await ledger.getBatch(50)).toBeNull();
    await expect(ledger.appendBatch({ startIndex: 50, leafHashes: ["XYZ"] })).rejects.toThrow(TypeError);
  });

  test("reads make no blocks; only the relay appends; admins set policy", async () => {
    const before = await blockCount();
    await ledger.getLeaf(0);
    await ledger.evaluateTransaction("Audit:WhoAmI", []);
    expect(await blockCount()).toBe(before);
    const admin = ledger.withIdentity({ mspId: "CairnEmbeddedMSP", role: "admin" });
    expect((await rejection(admin.appendBatch({ startIndex: 50, leafHashes: [hex(leafHash(new Uint8Array(1)))] }))).code).toBe("FORBIDDEN");
    const policy = JSON.stringify({ retentionSeconds: null, maxDevicesPerUser: 3, forwardingAllowed: true });
    expect((await rejection(ledger.submitTransaction("Policy:SetOrgPolicy", [policy]))).code).toBe("FORBIDDEN");
    const { result } = await admin.submitTransaction("Policy:SetOrgPolicy", [policy]);
    expect(JSON.parse(result)).toMatchObject({ version: 1, author: { mspId: "CairnEmbeddedMSP" } });
    expect((await rejection(ledger.submitTransaction("Policy:Nope", []))).code).toBe("INVALID_ARGUMENT");
  });
});

describe("embedded ledger: block chain verification", () => {
  test("detects an edited block, an edited state value and a removed state value", async () => {
    const clean = await ledger.verifyBlockChain();
    expect(clean).toMatchObject({ ok: true, problems: [] });
    expect(clean.blocks).toBe(await blockCount());

    const block = await db.prisma.ledgerBlock.findFirstOrThrow({ where: { fn: "Audit:AppendBatch" }, orderBy: { number: "asc" } });
    const args = block.args as string[];
    await db.prisma.ledgerBlock.update({ where: { number: block.number }, data: { args: [args[0] ?? "", (args[1] ?? "").replace(/^./, "f")] } });
    const edited = await ledger.verifyBlockChain();
    expect(edited.ok).toBe(false);
    expect(edited.problems).toContainEqual({ block: block.number.toString(), problem: "block hash does not match its content" });
    await db.prisma.ledgerBlock.update({ where: { number: block.number }, data: { args } });

    const head = await db.prisma.ledgerState.findUniqueOrThrow({ where: { key: "audit/head" } });
    await db.prisma.ledgerState.update({ where: { key: "audit/head" }, data: { value: new TextEncoder().encode("{}") } });
    expect((await ledger.verifyBlockChain()).problems).toContainEqual({
      block: null,
      key: "audit/head",
      problem: "state value differs from the last block that wrote it",
    });
    await db.prisma.ledgerState.delete({ where: { key: "audit/head" } });
    expect((await ledger.verifyBlockChain()).problems).toContainEqual({
      block: null,
      key: "audit/head",
      problem: "state value missing (deleted outside a block)",
    });
    await db.prisma.ledgerState.create({ data: head });
    expect((await ledger.verifyBlockChain()).ok).toBe(true);
  });
});
