/**
 * Plaintext–ciphertext agreement: a member discloses a message's key and plaintext
 * in an exported bundle (as the web app will), and the verifier opens the ciphertext
 * itself. The CLI's XChaCha20-Poly1305 (node:crypto + HChaCha20) is checked against
 * libsodium, which encrypts every Cairn message.
 */
import { createRequire } from "node:module";
import { randomBytes, randomUUID } from "node:crypto";
import { verifyBundle, type VerifyReport } from "@cairn/audit";
import { storeEnvelope } from "@cairn/db";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import type { Ledger } from "@cairn/ledger";
import { envelopeHeaderBytes, envelopeSigningBytes, toBase64Url } from "@cairn/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { exportRoom } from "@cairn/anchoring";
import { nodeVerifyHost, xchacha20poly1305Open } from "@cairn/audit/node";
import { anchorAll, createRoom, createUser, openTestLedger, SERVER_SECRET, signWith, type TestUser } from "@cairn/anchoring/testing";

interface Sodium {
  ready: Promise<void>;
  crypto_aead_xchacha20poly1305_ietf_encrypt(m: Uint8Array, ad: Uint8Array | null, nsec: null, nonce: Uint8Array, key: Uint8Array): Uint8Array;
}
// libsodium as @cairn/crypto loads it (tests/ does not depend on it directly).
const sodium = createRequire(new URL("../../packages/crypto/package.json", import.meta.url))("libsodium-wrappers-sumo") as Sodium;

let db: TestDatabase;
let ledger: Ledger;
let alice: TestUser;
let roomId: string;
let lines: string[];
const messageKey = new Uint8Array(randomBytes(32));
const body = new TextEncoder().encode("quarterly numbers attached — do not forward");

async function verify(l: string[]): Promise<VerifyReport> {
  return verifyBundle(l, { ...nodeVerifyHost(), ledger });
}

function disclose(l: string[], roomSeq: number, disclosure: object): string[] {
  return l.map((line) => (line.includes(`"roomSeq":${roomSeq},`) && line.endsWith('"plaintext":null}') ? `${line.slice(0, -"null}".length)}${JSON.stringify(disclosure)}}` : line));
}

beforeAll(async () => {
  await sodium.ready;
  db = await createTestDatabase();
  ledger = openTestLedger(db.prisma);
  alice = await createUser(db.prisma, ledger, "alice", "admin");
  roomId = await createRoom(db.prisma, alice);
  for (let i = 0; i < 3; i++) {
    const header = { version: 1, roomId, senderDeviceId: alice.deviceId, sessionId: new Uint8Array(randomBytes(16)), index: i, prevHash: new Uint8Array(32) };
    const nonce = new Uint8Array(randomBytes(24));
    const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(body, envelopeHeaderBytes(header), null, nonce, messageKey);
    const unsigned = { ...header, nonce, ciphertext };
    const envelope = { ...unsigned, signature: signWith(alice.device, envelopeSigningBytes(unsigned)) };
    await storeEnvelope(db.prisma, {
      envelope,
      clientMsgId: `pt-${randomUUID()}`,
      senderUserId: alice.id,
    });
  }
  await anchorAll(db.prisma, ledger, 2);
  lines = [];
  await exportRoom({ prisma: db.prisma, ledger, serverSecret: SERVER_SECRET, roomId, exporterUserId: alice.id, out: (l) => void lines.push(l.slice(0, -1)) });
  await anchorAll(db.prisma, ledger, 10);
});

afterAll(async () => {
  await ledger?.close();
  await db?.drop();
});

describe("XChaCha20-Poly1305 on node:crypto", () => {
  test("opens what libsodium seals, and nothing altered", () => {
    for (let n = 0; n < 64; n++) {
      const key = new Uint8Array(randomBytes(32));
      const nonce = new Uint8Array(randomBytes(24));
      const ad = new Uint8Array(randomBytes(n % 7));
      const m = new Uint8Array(randomBytes(n * 13));
      const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(m, ad, null, nonce, key);
      expect(xchacha20poly1305Open(key, nonce, sealed, ad)).toEqual(m);
      const flipped = sealed.slice();
      flipped[n % flipped.length] = (flipped[n % flipped.length] as number) ^ (1 << n % 8);
      expect(xchacha20poly1305Open(key, nonce, flipped, ad)).toBeNull();
      const otherNonce = nonce.slice();
      otherNonce[n % 24] = (otherNonce[n % 24] as number) ^ 1;
      expect(xchacha20poly1305Open(key, otherNonce, sealed, ad)).toBeNull();
    }
  });
});

describe("disclosed plaintext in a bundle", () => {
  test("agreeing plaintext verifies, without disturbing the trailer or the export record", async () => {
    const r = await verify(disclose(lines, 2, { messageKey: toBase64Url(messageKey), body: toBase64Url(body) }));
    expect(r.findings).toEqual([]);
    expect(r.plaintextChecked).toBe(1);
  });

  test("a different plaintext, or the wrong key, is a plaintext-mismatch at that message", async () => {
    const wrongBody = disclose(lines, 2, { messageKey: toBase64Url(messageKey), body: toBase64Url(new TextEncoder().encode("nothing to see")) });
    expect((await verify(wrongBody)).findings).toEqual([expect.objectContaining({ code: "plaintext-mismatch", roomSeq: 2 })]);
    const wrongKey = disclose(lines, 3, { messageKey: toBase64Url(new Uint8Array(32)), body: toBase64Url(body) });
    expect((await verify(wrongKey)).findings).toEqual([expect.objectContaining({ code: "plaintext-mismatch", roomSeq: 3 })]);
  });

  test("nothing else may ride along in the disclosure", async () => {
    const smuggled = disclose(lines, 1, { messageKey: toBase64Url(messageKey), body: toBase64Url(body), roomSeq: 9 });
    const r = await verify(smuggled);
    expect(r.findings.map((f) => f.code)).toContain("malformed-line");
  });
});
