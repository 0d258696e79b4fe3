/**
 * The web export against a real, migrated PostgreSQL: envelopes signed by real
 * Ed25519 device keys and stored through @cairn/db, a checkpoint over the real leaf
 * hashes, the bundle written by writeExport and judged by @cairn/audit's verifier
 * (with the browser's libsodium checks). Then what the browser does with a bundle:
 * findings attached to the message they concern, and plaintext disclosure.
 */
import { createHash, createHmac, generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from "node:crypto";
import { rootFromLeaves, type BundleKeyRecord, type VerifyReport } from "@cairn/audit";
import { storeEnvelope, type PrismaClient } from "@cairn/db";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { deviceCertificateBytes, envelopeHeaderBytes, envelopeSigningBytes, hex, toBase64Url, type Envelope } from "@cairn/protocol";
import sodium from "libsodium-wrappers-sumo";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discloseBundle } from "../lib/verify-client-disclose";
import type { RelayLedgerView } from "../lib/verify-client-ledger";
import { runVerification, type VerificationResult } from "../lib/verify-client-run";
import { sodiumVerifyDeps } from "../lib/verify-client-sodium";
import { planExport, writeExport, type ExportResult } from "@cairn/anchoring/export";
import { lineStream } from "./admin-stream";
import { linesOf } from "../lib/verify-client-lines";

interface Signer {
  publicKey: Uint8Array;
  privateKey: KeyObject;
}
interface Member {
  id: string;
  ref: string;
  device: Signer;
  deviceId: string;
  record: BundleKeyRecord;
}

const SECRET = randomBytes(32);
let tdb: TestDatabase;
let prisma: PrismaClient;
let alice: Member;
let bob: Member;
let roomId: string;
const messageKey = new Uint8Array(randomBytes(32));
const secretText = new TextEncoder().encode("the quarterly numbers, for the auditors");
let lines: string[];
let result: ExportResult;

function ed25519(): Signer {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const der = publicKey.export({ format: "der", type: "spki" });
  return { publicKey: new Uint8Array(der.subarray(der.length - 32)), privateKey };
}
const signWith = (s: Signer, m: Uint8Array) => new Uint8Array(sign(null, m, s.privateKey));

async function member(name: string, createdAt: Date): Promise<Member> {
  const identity = ed25519();
  const device = ed25519();
  const deviceId = toBase64Url(randomBytes(16));
  const agreement = new Uint8Array(randomBytes(32));
  const user = await prisma.user.create({
    data: { username: name, salt: new Uint8Array(16), authHash: "unused", identityPublicKey: new Uint8Array(identity.publicKey), createdAt },
  });
  const ref = createHmac("sha256", SECRET).update(user.id).digest("hex");
  const certificate = deviceCertificateBytes({ identityPublicKey: identity.publicKey, deviceId, signingPublicKey: device.publicKey, agreementPublicKey: agreement });
  const record: BundleKeyRecord = {
    userRef: ref,
    identityPublicKey: toBase64Url(identity.publicKey),
    registeredTxId: `tx-${name}`,
    registeredAt: createdAt.toISOString(),
    devices: [
      {
        deviceId,
        signingPublicKey: toBase64Url(device.publicKey),
        agreementPublicKey: toBase64Url(agreement),
        signature: toBase64Url(signWith(identity, certificate)),
        registeredTxId: `tx-${name}-device`,
        registeredAt: createdAt.toISOString(),
        revokedAtMs: null,
        revokedTxId: null,
      },
    ],
  };
  return { id: user.id, ref, device, deviceId, record };
}

async function send(sender: Member, index: number, sealed?: { key: Uint8Array; text: Uint8Array }): Promise<void> {
  const header = { version: 1, roomId, senderDeviceId: sender.deviceId, sessionId: new Uint8Array(randomBytes(16)), index, prevHash: new Uint8Array(32) };
  const nonce = new Uint8Array(randomBytes(24));
  const ciphertext = sealed
    ? sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(sealed.text, envelopeHeaderBytes(header), null, nonce, sealed.key)
    : new Uint8Array(randomBytes(40 + index));
  const unsigned = { ...header, nonce, ciphertext };
  const envelope: Envelope = { ...unsigned, signature: signWith(sender.device, envelopeSigningBytes(unsigned)) };
  await storeEnvelope(prisma, {
    envelope,
    clientMsgId: `m-${randomUUID()}`,
    senderUserId: sender.id,
  });
}

/** Anchors every leaf so far in one checkpoint (as the anchor worker would, minus the chain). */
async function anchor(txId: string): Promise<void> {
  const leaves = await prisma.auditLeaf.findMany({ orderBy: { leafIndex: "asc" }, select: { leafHash: true } });
  await prisma.checkpoint.create({
    data: { treeSize: BigInt(leaves.length), rootHash: new Uint8Array(rootFromLeaves(leaves.map((l) => l.leafHash))), txId, ledgerTime: new Date(Date.now() + 1000) },
  });
}

/** The chain as the verifier sees it: these tests' key records, and the checkpoints and leaves in the database. */
function ledgerView(): RelayLedgerView {
  const records = new Map([alice, bob].map((m) => [m.ref, m.record]));
  return {
    learnUser: () => undefined,
    getKeys: async (ref) => Promise.resolve(records.get(ref) ?? null),
    getCheckpoint: async (treeSize) => {
      const c = await prisma.checkpoint.findUnique({ where: { treeSize: BigInt(treeSize) } });
      return c && { treeSize, rootHash: hex(c.rootHash), txId: c.txId, time: c.ledgerTime.toISOString() };
    },
    getLeaf: async (index) => {
      const l = await prisma.auditLeaf.findUnique({ where: { leafIndex: BigInt(index) } });
      return l && { index, leafHash: hex(l.leafHash) };
    },
  };
}

async function verify(bundle: Iterable<string> | AsyncIterable<string>): Promise<VerificationResult> {
  return runVerification(bundle, { ...(await sodiumVerifyDeps()), ledger: ledgerView() });
}

async function exportLines(): Promise<{ lines: string[]; result: ExportResult }> {
  const plan = await planExport(prisma, roomId, null, null);
  const out: string[] = [];
  const res = await writeExport({
    prisma,
    plan,
    ledger: "embedded",
    exporterRef: alice.ref,
    // This view of the chain is the relay's, which holds no room heads: completeness is left unchecked here (tests/audit proves it).
    roomRef: null,
    keys: new Map([alice, bob].map((m) => [m.id, { userRef: m.ref, record: m.record }])),
    out: (line) => void out.push(line),
    pageSize: 3,
  });
  return { lines: out.map((l) => l.replace(/\n$/, "")), result: res };
}

beforeAll(async () => {
  await sodium.ready;
  tdb = await createTestDatabase();
  prisma = tdb.prisma;
  alice = await member("alice", new Date("2026-01-01T00:00:00Z"));
  bob = await member("bob", new Date("2026-01-02T00:00:00Z"));
  roomId = (
    await prisma.room.create({
      data: { name: "ledger-room", createdBy: alice.id, members: { create: [{ userId: alice.id }, { userId: bob.id }] } },
    })
  ).id;
  for (let i = 0; i < 7; i++) await send(i % 2 === 0 ? alice : bob, i, i === 4 ? { key: messageKey, text: secretText } : undefined);
  await anchor("tx-anchor-1");
  ({ lines, result } = await exportLines());
  await anchor("tx-anchor-2"); // anchors the export's own leaf
});

afterAll(async () => {
  await tdb.drop();
});

describe("planExport", () => {
  it("refuses an unknown room and a reversed range", async () => {
    await expect(planExport(prisma, randomUUID(), null, null)).rejects.toMatchObject({ code: "ROOM_NOT_FOUND" });
    await expect(planExport(prisma, roomId, new Date(2), new Date(1))).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("finds the extent and the senders", async () => {
    const plan = await planExport(prisma, roomId, null, null);
    expect(plan).toMatchObject({ firstSeq: 1, lastSeq: 7, total: 7 });
    expect(new Set(plan.senders)).toEqual(new Set([alice.id, bob.id]));
  });
});

describe("writeExport", () => {
  it("writes every message with a proof, and records the export as an audit leaf", async () => {
    expect(result).toMatchObject({ messages: 7, anchored: 7, checkpoints: 1 });
    const leaf = await prisma.auditLeaf.findUniqueOrThrow({ where: { leafIndex: BigInt(result.exportLeafIndex) } });
    expect(leaf.kind).toBe("export");
    const sha = createHash("sha256").update(lines.slice(0, -1).map((l) => `${l}\n`).join("")).digest("hex");
    expect(sha).toBe(result.bundleSha256);
    expect(JSON.parse(lines.at(-1) as string)).toMatchObject({ type: "trailer", messages: 7, sha256: sha, exportLeafIndex: result.exportLeafIndex });
  });

  it("passes the verifier, with a row per message and no finding", async () => {
    const v = await verify(lines);
    expect(v.report.findings).toEqual([]);
    expect(v.report).toMatchObject({ ok: true, messages: 7, anchored: 7 });
    expect(v.messages.map((m) => m.roomSeq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(v.messages.every((m) => m.findings.length === 0 && m.checkpoint === v.checkpoints[0]?.treeSize)).toBe(true);
  });

  it("one edited ciphertext byte is a named finding on that message only", async () => {
    const tampered = lines.map((l) => {
      const v = JSON.parse(l) as { type: string; roomSeq?: number; envelope?: { ciphertext: string } };
      if (v.type !== "message" || v.roomSeq !== 3 || !v.envelope) return l;
      const c = v.envelope.ciphertext;
      const flipped = `${c[0] === "A" ? "B" : "A"}${c.slice(1)}`;
      return l.replace(`"ciphertext":"${c}"`, `"ciphertext":"${flipped}"`);
    });
    const v = await verify(tampered);
    expect(v.report.ok).toBe(false);
    const row = v.messages.find((m) => m.roomSeq === 3);
    expect(row?.findings).toContain("edited-ciphertext");
    expect(v.messages.filter((m) => m.roomSeq !== 3).every((m) => m.findings.length === 0)).toBe(true);
  });

  it("a bundle cut short is truncated", async () => {
    const v = await verify(lines.slice(0, -2));
    expect(v.report.findingCounts["truncated-bundle"]).toBe(1);
    expect(v.bundleFindings.map((f) => f.code)).toContain("truncated-bundle");
  });
});

describe("disclosing plaintext", () => {
  const open = async (m: { roomSeq: number }) =>
    Promise.resolve(m.roomSeq === 5 ? { messageKey: toBase64Url(messageKey), body: toBase64Url(secretText) } : null);

  it("keeps the bundle valid and the disclosure is checked by decryption", async () => {
    const stats = { messages: 0, disclosed: 0 };
    const disclosed: string[] = [];
    for await (const l of discloseBundle(lines, open, stats)) disclosed.push(l);
    expect(stats).toEqual({ messages: 7, disclosed: 1 });
    expect(disclosed.filter((l, i) => l !== lines[i])).toHaveLength(1);
    const v = await verify(disclosed);
    expect(v.report).toMatchObject({ ok: true, plaintextChecked: 1 });
    expect(v.messages.find((m) => m.roomSeq === 5)?.disclosed).toBe(true);
  });

  it("a wrong plaintext is a plaintext-mismatch on that message", async () => {
    const wrong = async (m: { roomSeq: number }) =>
      Promise.resolve(m.roomSeq === 5 ? { messageKey: toBase64Url(messageKey), body: toBase64Url(new TextEncoder().encode("something else")) } : null);
    const disclosed: string[] = [];
    for await (const l of discloseBundle(lines, wrong)) disclosed.push(l);
    const v: VerifyReport = (await verify(disclosed)).report;
    expect(v.findings.map((f) => [f.code, f.roomSeq])).toEqual([["plaintext-mismatch", 5]]);
  });
});

describe("streaming", () => {
  it("lineStream carries every line through a byte stream that linesOf splits back", async () => {
    const stream = lineStream(async (sink) => {
      for (const l of lines) await sink(`${l}\n`);
    }, 2);
    const back: string[] = [];
    for await (const l of linesOf(stream)) back.push(l);
    expect(back).toEqual(lines);
  });

  it("an exporter failure errors the stream (the download ends without a trailer)", async () => {
    const stream = lineStream(async (sink) => {
      await sink("first\n");
      throw new Error("database went away");
    });
    const back: string[] = [];
    await expect(
      (async () => {
        for await (const l of linesOf(stream)) back.push(l);
      })(),
    ).rejects.toThrow("database went away");
  });

  it("linesOf joins lines split across chunks and multi-byte characters", async () => {
    const bytes = new TextEncoder().encode('{"a":"é€"}\n{"b":1}\nlast');
    const chunks = [bytes.slice(0, 7), bytes.slice(7, 9), bytes.slice(9)];
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const ch of chunks) c.enqueue(ch);
        c.close();
      },
    });
    const back: string[] = [];
    for await (const l of linesOf(stream)) back.push(l);
    expect(back).toEqual(['{"a":"é€"}', '{"b":1}', "last"]);
  });
});
