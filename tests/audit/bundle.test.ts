/**
 * Export → verify on a real database and the embedded ledger, and every tamper class
 * of issue 5 applied to the real export, each caught as its named finding pointing at
 * the message it concerns. Tampering is done as a careful attacker would: the trailer
 * is re-sealed so that only the chain can tell.
 */
import { verifyBundle, type VerifyReport } from "@cairn/audit";
import type { Ledger } from "@cairn/ledger";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { envelopeSigningBytes, envelopeToWire, fromBase64Url, toBase64Url } from "@cairn/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { exportRoom } from "@cairn/anchoring";
import { createSignaturePool, nodeVerifyHost } from "@cairn/audit/node";
import { codes, dump, messageIndex, parse, reseal, type Json } from "./bundle-lines";
import { anchorAll, createRoom, createUser, ed25519, makeEnvelope, openTestLedger, send, SERVER_SECRET, signWith, type TestUser } from "@cairn/anchoring/testing";

let db: TestDatabase;
let ledger: Ledger;
let alice: TestUser;
let bob: TestUser;
let admin: TestUser;
let roomId: string;
let clean: string[];
const MESSAGES = 40;

async function verify(lines: string[]): Promise<VerifyReport> {
  return verifyBundle(lines, { ...nodeVerifyHost(), ledger });
}

beforeAll(async () => {
  db = await createTestDatabase();
  ledger = openTestLedger(db.prisma);
  admin = await createUser(db.prisma, ledger, "admin1", "admin");
  alice = await createUser(db.prisma, ledger, "alice");
  bob = await createUser(db.prisma, ledger, "bob");
  roomId = await createRoom(db.prisma, alice, bob);
  const other = await createRoom(db.prisma, bob);
  // Interleave another room so the room's leaves are not contiguous, and anchor in several batches.
  for (let i = 0; i < MESSAGES; i++) {
    await send(db.prisma, roomId, i % 3 === 0 ? bob : alice, i);
    if (i % 4 === 1) await send(db.prisma, other, bob, 1000 + i);
    if (i % 9 === 8) await anchorAll(db.prisma, ledger, 5);
  }
  await anchorAll(db.prisma, ledger, 7);
  const lines: string[] = [];
  const result = await exportRoom({
    prisma: db.prisma,
    ledger,
    serverSecret: SERVER_SECRET,
    roomId,
    exporterUserId: admin.id,
    out: (l) => void lines.push(l.replace(/\n$/, "")),
    pageSize: 16,
  });
  expect(result.messages).toBe(MESSAGES);
  expect(result.anchored).toBe(MESSAGES);
  // The export's own leaf goes up with the next batch.
  await anchorAll(db.prisma, ledger, 100);
  clean = lines;
});

afterAll(async () => {
  await ledger?.close();
  await db?.drop();
});

describe("a clean export", () => {
  test("verifies with no finding", async () => {
    const r = await verify(clean);
    expect(r.findings).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.messages).toBe(MESSAGES);
    expect(r.anchored).toBe(MESSAGES);
    expect(r.checkpoints).toBeGreaterThan(1);
    expect(r.senders).toBe(2);
    expect(r.membership).toEqual({ status: "verified", events: 1, members: 2, unchecked: 0 });
  });

  test("the export is recorded in the audit log as an anchored leaf of kind export", async () => {
    const trailer = JSON.parse(clean[clean.length - 1] as string) as { exportLeafIndex: number };
    const row = await db.prisma.auditLeaf.findUnique({ where: { leafIndex: BigInt(trailer.exportLeafIndex) } });
    expect(row?.kind).toBe("export");
    expect(await ledger.getLeaf(trailer.exportLeafIndex)).not.toBeNull();
    const header = JSON.parse(clean[0] as string) as { exporterRef: string };
    expect(header.exporterRef).toBe(admin.ref);
  });

  test("before the export's leaf is anchored, verification says so", async () => {
    const lines: string[] = [];
    await exportRoom({ prisma: db.prisma, ledger, serverSecret: SERVER_SECRET, roomId, exporterUserId: admin.id, out: (l) => void lines.push(l.replace(/\n$/, "")) });
    const r = await verify(lines);
    expect(codes(r)).toEqual(["export-unrecorded"]);
    await anchorAll(db.prisma, ledger, 100);
    expect((await verify(lines)).ok).toBe(true);
  });
});

describe("signature checks on worker threads", () => {
  test("give the same report as on the main thread, clean and tampered", async () => {
    const pool = createSignaturePool(2);
    try {
      const threaded = (lines: string[]) =>
        verifyBundle(lines, { ...nodeVerifyHost(pool), ledger });
      expect(await threaded(clean)).toEqual(await verify(clean));
      const objs = parse(clean);
      const m = objs[messageIndex(objs, 9)] as Json & { envelope: { signature: string } };
      m.envelope.signature = toBase64Url(new Uint8Array(64));
      const tampered = reseal(dump(objs));
      const r = await threaded(tampered);
      expect(r).toEqual(await verify(tampered));
      expect(r.findings).toContainEqual(expect.objectContaining({ code: "edited-ciphertext", roomSeq: 9 }));
    } finally {
      await pool.close();
    }
  });
});

describe("each tamper class is caught as its named finding", () => {
  test("edited ciphertext", async () => {
    const objs = parse(clean);
    const at = messageIndex(objs, 7);
    const m = objs[at] as Json & { envelope: { ciphertext: string } };
    const bytes = fromBase64Url(m.envelope.ciphertext);
    bytes[3] = (bytes[3] as number) ^ 0x01;
    m.envelope.ciphertext = toBase64Url(bytes);
    const r = await verify(reseal(dump(objs)));
    expect(r.findings).toContainEqual(expect.objectContaining({ code: "edited-ciphertext", roomSeq: 7, line: at + 1 }));
    expect(r.ok).toBe(false);
  });

  test("deleted message: a sequence gap at the next message", async () => {
    const objs = parse(clean);
    objs.splice(messageIndex(objs, 12), 1);
    const r = await verify(reseal(dump(objs)));
    expect(r.findings).toContainEqual(expect.objectContaining({ code: "sequence-gap", roomSeq: 13 }));
    expect(r.findings.find((f) => f.code === "sequence-gap")?.message).toContain("12");
    // The chain's record of the export no longer matches the bundle either.
    expect(codes(r)).toContain("export-record-mismatch");
  });

  test("deleted last message (trailer and header re-sealed): the chain's export record and room head disagree", async () => {
    const objs = parse(clean);
    objs.splice(messageIndex(objs, MESSAGES), 1);
    (objs[0] as Json & { extent: { lastSeq: number; messages: number } }).extent.lastSeq = MESSAGES - 1;
    (objs[0] as Json & { extent: { lastSeq: number; messages: number } }).extent.messages = MESSAGES - 1;
    const r = await verify(reseal(dump(objs)));
    expect(codes(r).sort()).toEqual(["export-record-mismatch", "incomplete-export"]);
  });

  test("reordered messages", async () => {
    const objs = parse(clean);
    const a = messageIndex(objs, 20);
    const b = messageIndex(objs, 21);
    [objs[a], objs[b]] = [objs[b] as Json, objs[a] as Json];
    const r = await verify(reseal(dump(objs)));
    expect(r.findings).toContainEqual(expect.objectContaining({ code: "reordered", roomSeq: 20 }));
    expect(codes(r)).not.toContain("sequence-gap");
  });

  test("inserted message, validly signed by a member's device but never logged", async () => {
    const objs = parse(clean);
    const at = messageIndex(objs, 30);
    const original = objs[at] as Json & { proof: unknown };
    const envelope = makeEnvelope(roomId, alice, 999);
    const inserted = { ...original, roomSeq: 30, senderUserId: alice.id, senderDeviceId: alice.deviceId, envelope: envelopeToWire(envelope) };
    objs.splice(at + 1, 0, inserted);
    const r = await verify(reseal(dump(objs)));
    expect(r.findings).toContainEqual(expect.objectContaining({ code: "inserted-message", roomSeq: 30, line: at + 2 }));
    expect(codes(r)).toContain("duplicate-message");
  });

  test("substituted sender key (identity and device re-keyed, messages re-signed)", async () => {
    const objs = parse(clean);
    const fakeIdentity = ed25519();
    const fakeDevice = ed25519();
    const keys = objs.find((o) => o.type === "keys" && o.userId === alice.id) as Json & {
      record: { identityPublicKey: string; devices: { deviceId: string; signingPublicKey: string; agreementPublicKey: string; signature: string }[] };
    };
    const { deviceCertificateBytes } = await import("@cairn/protocol");
    keys.record.identityPublicKey = toBase64Url(fakeIdentity.publicKey);
    for (const d of keys.record.devices) {
      d.signingPublicKey = toBase64Url(fakeDevice.publicKey);
      d.signature = toBase64Url(
        signWith(
          fakeIdentity,
          deviceCertificateBytes({
            identityPublicKey: fakeIdentity.publicKey,
            deviceId: d.deviceId,
            signingPublicKey: fakeDevice.publicKey,
            agreementPublicKey: fromBase64Url(d.agreementPublicKey),
          }),
        ),
      );
    }
    let first = -1;
    for (const [i, o] of objs.entries()) {
      if (o.type !== "message" || o.senderUserId !== alice.id) continue;
      if (first < 0) first = i;
      const w = (o as Json & { envelope: Record<string, unknown> }).envelope;
      const e = {
        version: 1,
        roomId: w.roomId as string,
        senderDeviceId: w.senderDeviceId as string,
        sessionId: fromBase64Url(w.sessionId as string),
        index: w.index as number,
        prevHash: fromBase64Url(w.prevHash as string),
        nonce: fromBase64Url(w.nonce as string),
        ciphertext: fromBase64Url(w.ciphertext as string),
      };
      w.signature = toBase64Url(signWith(fakeDevice, envelopeSigningBytes(e)));
    }
    const r = await verify(reseal(dump(objs)));
    const firstSeq = (objs[first] as Json).roomSeq as number;
    expect(r.findings).toContainEqual(expect.objectContaining({ code: "substituted-key", roomSeq: firstSeq, line: first + 1 }));
    expect(codes(r)).not.toContain("invalid-device-certificate");
    expect(codes(r)).not.toContain("edited-ciphertext");
  });

  test("forged checkpoint (root not the ledger's)", async () => {
    const objs = parse(clean);
    const cpAt = objs.findIndex((o) => o.type === "checkpoint");
    const cp = objs[cpAt] as Json & { rootHash: string };
    cp.rootHash = "ab".repeat(32);
    const firstUsing = objs.findIndex((o) => (o.proof as { treeSize: number } | undefined)?.treeSize === cp.treeSize);
    const r = await verify(reseal(dump(objs)));
    expect(r.findings).toContainEqual(expect.objectContaining({ code: "forged-checkpoint", line: firstUsing + 1 }));
    expect(codes(r)).not.toContain("inserted-message");
  });

  test("unanchored checkpoint (a tree size the ledger never committed)", async () => {
    const objs = parse(clean);
    const cp = objs.find((o) => o.type === "checkpoint") as Json & { treeSize: number };
    const old = cp.treeSize;
    cp.treeSize = old + 1_000_000;
    for (const o of objs) {
      const proof = o.proof as { treeSize: number } | undefined;
      if (proof?.treeSize === old) proof.treeSize = cp.treeSize;
    }
    const r = await verify(reseal(dump(objs)));
    expect(codes(r)).toContain("forged-checkpoint");
    expect(r.findings.find((f) => f.code === "forged-checkpoint")?.message).toContain("no checkpoint");
  });

  test("truncated bundle", async () => {
    const r = await verify(clean.slice(0, clean.length - 4));
    expect(codes(r)).toContain("truncated-bundle");
    expect(codes(r)).not.toContain("sequence-gap");
  });

  test("a flipped byte anywhere in the file is caught by the trailer hash", async () => {
    const lines = clean.slice();
    const keysLine = lines.findIndex((l) => l.startsWith('{"type":"keys"'));
    lines[keysLine] = (lines[keysLine] as string).replace(/"userId":"(.)/, (_m, c: string) => `"userId":"${c === "a" ? "b" : "a"}`);
    const r = await verify(lines);
    expect(codes(r)).toContain("bundle-hash-mismatch");
  });

  test("unusable input is an error, not a report", async () => {
    await expect(verify(["not json"])).rejects.toMatchObject({ code: "BUNDLE_UNUSABLE" });
    await expect(verify([])).rejects.toMatchObject({ code: "BUNDLE_UNUSABLE" });
    await expect(verify([JSON.stringify({ type: "header", format: "cairn-audit-bundle", version: 99 })])).rejects.toMatchObject({
      code: "BUNDLE_UNUSABLE",
    });
  });
});
