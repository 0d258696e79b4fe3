/**
 * Disclosure end to end in one process: Alice and Bob chat through two engines, a
 * bundle of the room is written as the exporter writes it (BundleWriter, real Merkle
 * proofs, a ledger holding the keys, checkpoint and export leaf), Bob's engine fills in
 * the plaintext with discloseBundle, and @cairn/audit's verifier checks it — and
 * catches a disclosure whose plaintext was altered.
 */
import { chainFor } from "./test-fixtures";
import { BundleWriter, MemoryTree, type BundleKeyRecord, inclusionProof, leafHash, leafHashOfMessage, rootFromLeaves, verifyBundle, type LedgerView } from "@cairn/audit";
import { auditExportData, envelopeFromWire, toBase64Url, type StoredMessage, type UserKeys } from "@cairn/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { discloseBundle, type DiscloseStats } from "../lib/verify-client-disclose";
import { sodiumVerifyDeps } from "../lib/verify-client-sodium";
import type { AccountInfo, EncryptResult } from "./api";
import { CryptoEngine } from "./engine";
import { memoryStore } from "./store";

const ROOM = "7b0c3a8e-2f4d-4a6b-9c1e-0d2f3a4b5c6d";
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

interface Person {
  engine: CryptoEngine;
  account: AccountInfo;
  keys: UserKeys;
}

async function signUp(username: string, userId: string): Promise<Person> {
  const engine = new CryptoEngine(memoryStore());
  const body = await engine.prepareSignup(username, `${username} correct horse battery`);
  const account = { id: userId, username, identityPublicKey: body.identityPublicKey };
  await engine.completeSignup(account);
  const device = { ...body.device, createdAt: new Date(0).toISOString(), revokedAt: null, registeredOnLedger: true };
  return { engine, account, keys: { userId, username, identityPublicKey: body.identityPublicKey, devices: [device] } };
}

let alice: Person;
let bob: Person;
let carol: Person;
const messages: StoredMessage[] = [];
const texts = ["first", "second — with a dash", "third"];

function stored(from: Person, sent: EncryptResult): StoredMessage {
  const roomSeq = messages.length + 1;
  return {
    roomId: ROOM,
    roomSeq,
    leafIndex: roomSeq - 1,
    serverTime: new Date(T0 + roomSeq * 1000).toISOString(),
    senderUserId: from.account.id,
    senderUsername: from.account.username,
    envelope: sent.envelope,
    anchoredTreeSize: null,
  };
}

/** The room as `cairn export` would write it, and the ledger it verifies against. */
async function exportRoom(): Promise<{ lines: string[]; ledger: LedgerView }> {
  const leaves = messages.map((m) =>
    leafHashOfMessage({ envelope: envelopeFromWire(m.envelope), roomSeq: m.roomSeq, serverTimeMs: Date.parse(m.serverTime) }),
  );
  const tree = new MemoryTree(leaves);
  const checkpoint = { treeSize: leaves.length, rootHash: hex(rootFromLeaves(leaves)), txId: "tx-1", time: new Date(T0 + 60_000).toISOString() };
  const users = new Map<string, BundleKeyRecord>();
  for (const [n, p] of [alice, bob].entries()) {
    const userRef = String(n + 1).repeat(64);
    users.set(p.account.id, {
      userRef,
      identityPublicKey: p.keys.identityPublicKey,
      registeredTxId: "tx-0",
      registeredAt: new Date(T0).toISOString(),
      devices: p.keys.devices.map((d) => ({
        deviceId: d.deviceId,
        signingPublicKey: d.signingPublicKey,
        agreementPublicKey: d.agreementPublicKey,
        signature: d.signature,
        registeredTxId: "tx-0",
        registeredAt: new Date(T0).toISOString(),
        revokedAtMs: null,
        revokedTxId: null,
      })),
    });
  }
  const lines: string[] = [];
  const w = new BundleWriter((l) => void lines.push(l.slice(0, -1)));
  const exportedAt = new Date(T0 + 120_000).toISOString();
  const exporterRef = "ab".repeat(32);
  await w.header({
    format: "cairn-audit-bundle",
    version: 1,
    roomId: ROOM,
    range: { from: null, to: null },
    exportedAt,
    exporterRef,
    ledger: "embedded",
    extent: { firstSeq: 1, lastSeq: messages.length, messages: messages.length },
  });
  await w.checkpoint(checkpoint);
  const keyed = new Set<string>();
  for (const m of messages) {
    const record = users.get(m.senderUserId);
    if (!record) throw new Error("no record");
    if (!keyed.has(m.senderUserId)) {
      keyed.add(m.senderUserId);
      await w.keys({ userId: m.senderUserId, userRef: record.userRef, record });
    }
    await w.message({
      roomSeq: m.roomSeq,
      leafIndex: m.leafIndex,
      serverTime: m.serverTime,
      senderUserId: m.senderUserId,
      senderDeviceId: m.envelope.senderDeviceId,
      envelope: m.envelope,
      leafHash: hex(leaves[m.leafIndex] as Uint8Array),
      proof: { treeSize: leaves.length, path: inclusionProof(m.leafIndex, leaves.length, tree.getter).map(hex) },
      plaintext: null,
    });
  }
  const exportLeaf = leafHash(auditExportData({ exporterRef, roomId: ROOM, exportedAtMs: Date.parse(exportedAt), bundleSha256: w.digest() }));
  await w.close(leaves.length);
  const byRef = new Map([...users.values()].map((r) => [r.userRef, r]));
  const ledger: LedgerView = {
    getKeys: (userRef) => Promise.resolve(byRef.get(userRef) ?? null),
    getCheckpoint: (size) => Promise.resolve(size === checkpoint.treeSize ? checkpoint : null),
    getLeaf: (index) => Promise.resolve(index === leaves.length ? { index, leafHash: hex(exportLeaf) } : null),
  };
  return { lines, ledger };
}

async function verify(lines: string[], ledger: LedgerView) {
  return verifyBundle(lines, { ledger, ...(await sodiumVerifyDeps()) });
}

async function disclose(p: Person, lines: string[]): Promise<{ out: string[]; stats: DiscloseStats }> {
  const stats = { messages: 0, disclosed: 0 };
  const out: string[] = [];
  const open = async ({ envelope }: { envelope: StoredMessage["envelope"] }) => {
    const r = await p.engine.discloseMessage(envelope);
    return r.kind === "disclosed" ? { messageKey: r.messageKey, body: r.body } : null;
  };
  for await (const line of discloseBundle(lines, open, stats)) out.push(line);
  return { out, stats };
}

beforeAll(async () => {
  alice = await signUp("alice", "11111111-1111-4111-8111-111111111111");
  bob = await signUp("bob", "22222222-2222-4222-8222-222222222222");
  carol = await signUp("carol", "33333333-3333-4333-8333-333333333333");
  for (const p of [alice, bob]) await p.engine.setRoomMembers(ROOM, [alice.keys, bob.keys], chainFor(ROOM, [alice.keys, bob.keys]));
  await carol.engine.setRoomMembers(ROOM, [alice.keys, bob.keys, carol.keys], chainFor(ROOM, [alice.keys, bob.keys, carol.keys]));
  for (const [n, text] of texts.entries()) {
    const from = n === 1 ? bob : alice;
    const sent = await from.engine.encrypt(ROOM, text);
    const to = from === alice ? bob : alice;
    await to.engine.openShares(sent.shares.map((share, i) => ({ id: `${n}-${i}`, share })), false);
    messages.push(stored(from, sent));
  }
  // Both read everything, so their live sessions erased every key they used.
  for (const p of [alice, bob]) for (const m of messages) expect(await p.engine.decrypt(m)).toMatchObject({ kind: "text" });
});

describe("discloseMessage", () => {
  it("hands out mk_i and the plaintext bytes of messages already read, own and others'", async () => {
    for (const [n, m] of messages.entries()) {
      const r = await bob.engine.discloseMessage(m.envelope);
      if (r.kind !== "disclosed") throw new Error(`not disclosed: ${JSON.stringify(r)}`);
      expect(r.messageKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(JSON.parse(new TextDecoder().decode(Buffer.from(r.body, "base64url")))).toEqual({ type: "text", body: texts[n] });
    }
    // Disclosing does not consume anything: reading and disclosing again still work.
    expect(await bob.engine.discloseMessage((messages[0] as StoredMessage).envelope)).toMatchObject({ kind: "disclosed" });
    expect(await bob.engine.decrypt(messages[0] as StoredMessage)).toEqual({ kind: "text", body: "first" });
  });

  it("is waiting without the session, unknown-device without the sender's keys, failed on an edited envelope", async () => {
    const m = messages[0] as StoredMessage;
    expect(await carol.engine.discloseMessage(m.envelope)).toEqual({ kind: "waiting" });
    const stranger = await signUp("dave", "44444444-4444-4444-8444-444444444444");
    expect(await stranger.engine.discloseMessage(m.envelope)).toEqual({ kind: "unknown-device" });
    const c = Buffer.from(m.envelope.ciphertext, "base64url");
    c[0] = (c[0] as number) ^ 1;
    const edited = { ...m.envelope, ciphertext: toBase64Url(new Uint8Array(c)) };
    const r = await bob.engine.discloseMessage(edited);
    expect(r.kind === "failed" && r.reason.startsWith("BAD_SIGNATURE")).toBe(true);
  });
});

describe("adding plaintext to an exported bundle", () => {
  it("the disclosed bundle still verifies, with every plaintext checked by decryption", async () => {
    const { lines, ledger } = await exportRoom();
    const before = await verify(lines, ledger);
    expect(before.findings).toEqual([]);
    const { out, stats } = await disclose(bob, lines);
    expect(stats).toEqual({ messages: 3, disclosed: 3 });
    const r = await verify(out, ledger);
    expect(r.findings).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.plaintextChecked).toBe(3);
  });

  it("a member without the session leaves the lines as they were", async () => {
    const { lines } = await exportRoom();
    const { out, stats } = await disclose(carol, lines);
    expect(stats).toEqual({ messages: 3, disclosed: 0 });
    expect(out).toEqual(lines);
  });

  it("an altered plaintext is a plaintext-mismatch at that message", async () => {
    const { lines, ledger } = await exportRoom();
    const { out } = await disclose(alice, lines);
    const forged = out.map((line) => {
      if (!line.includes('"roomSeq":2,')) return line;
      const body = toBase64Url(new TextEncoder().encode(JSON.stringify({ type: "text", body: "something else" })));
      return line.replace(/"body":"[A-Za-z0-9_-]*"/, `"body":"${body}"`);
    });
    const r = await verify(forged, ledger);
    expect(r.findings).toEqual([expect.objectContaining({ code: "plaintext-mismatch", roomSeq: 2 })]);
  });
});
