import { createPublicKey, verify as nodeVerify } from "node:crypto";
import { envelopeBytes, envelopeSigningBytes, hex, type Envelope } from "@cairn/protocol";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { CryptoError } from "./errors";
import { GENESIS_PREV_HASH, decryptMessage, encryptMessage, envelopeHash, sealWithNonce } from "./envelope";
import { nextChainKey } from "./chain";
import { MAX_FORWARD_JUMP, MAX_SKIPPED_KEYS, type InboundSession, type OutboundSession } from "./session";
import { openSessionShare, shareSession } from "./share";
import { sodium } from "./sodium";
import {
  FIXED_DEVICE_ID,
  alicePair,
  fixedOutbound,
  flipBit,
  flipStringBit,
  loadSodium,
  seededSigning,
  type Pair,
} from "./test-fixtures";

const enc = new TextEncoder();
const dec = new TextDecoder();

beforeAll(async () => {
  await loadSodium();
});

function send(p: Pair, texts: string[]): Envelope[] {
  let session = p.outbound;
  let prevHash = GENESIS_PREV_HASH;
  const out: Envelope[] = [];
  for (const t of texts) {
    const r = encryptMessage(session, {
      senderDeviceId: p.alice.deviceId,
      signingSecretKey: p.alice.signing.secretKey,
      prevHash,
      plaintext: enc.encode(t),
    });
    session = r.session;
    prevHash = envelopeHash(r.envelope);
    out.push(r.envelope);
  }
  p.outbound = session;
  return out;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof CryptoError) return err.code;
    return (err as Error).name;
  }
  return "none";
}

describe("envelope (frozen vector)", () => {
  it("fixed keys, chain key, session id and nonce give these exact bytes", () => {
    const device = seededSigning(2);
    const { envelope, session } = sealWithNonce(
      fixedOutbound(),
      {
        senderDeviceId: FIXED_DEVICE_ID,
        signingSecretKey: device.secretKey,
        prevHash: GENESIS_PREV_HASH,
        plaintext: enc.encode("hello, cairn"),
      },
      new Uint8Array(24).fill(7),
    );
    expect(hex(envelope.ciphertext)).toBe("a4a522d80f9184beb1410bf375e7ede2390e0cffe52c9444444bb973");
    expect(hex(envelope.signature)).toBe(
      "86191178d1f9279dd865c41e984f999dbef1c64c344a8c71628964fdc40f21adbff353762b89a43795653518e883c835ed1f8293514ad499a061fa65a1323201",
    );
    expect(hex(envelopeHash(envelope))).toBe("70c7f9285aa4e1797e78bc7ccab4fc17d71554d6c4518481f41bbc20761e7531");
    expect(hex(envelopeBytes(envelope))).toBe(
      "00000011636169726e2f656e76656c6f70652f7631000000a300000018636169726e2f656e76656c6f70652d6865616465722f763100000001010000002431313131313131312d323232322d343333332d383434342d3535353535353535353535350000001641414543417751464267634943516f4c4441304f447700000010a0a1a2a3a4a5a6a7a8a9aaabacadaeaf0000000400000000000000200000000000000000000000000000000000000000000000000000000000000000000000180707070707070707070707070707070707070707070707070000001ca4a522d80f9184beb1410bf375e7ede2390e0cffe52c9444444bb9730000004086191178d1f9279dd865c41e984f999dbef1c64c344a8c71628964fdc40f21adbff353762b89a43795653518e883c835ed1f8293514ad499a061fa65a1323201",
    );
    expect(session.index).toBe(1);
    // ck_1 of the chain vector: the session advanced along the frozen chain.
    expect(hex(session.chainKey)).toBe("825b7f796d48373c67a9d68ba810219fe80b447de24208cc3f6b34fff8458eac");
  });

  it("the signature is plain Ed25519 over envelopeSigningBytes (checked with node:crypto)", () => {
    const device = seededSigning(2);
    const { envelope } = sealWithNonce(
      fixedOutbound(),
      { senderDeviceId: FIXED_DEVICE_ID, signingSecretKey: device.secretKey, prevHash: GENESIS_PREV_HASH, plaintext: enc.encode("x") },
      new Uint8Array(24),
    );
    const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), device.publicKey]);
    const key = createPublicKey({ key: spki, format: "der", type: "spki" });
    expect(nodeVerify(null, envelopeSigningBytes(envelope), key, envelope.signature)).toBe(true);
  });
});

describe("encrypt / decrypt", () => {
  it("round-trips in order, chaining prevHash", () => {
    const p = alicePair();
    const envs = send(p, ["one", "two", "three"]);
    expect(hex(envs[0]!.prevHash)).toBe(hex(GENESIS_PREV_HASH));
    expect(hex(envs[1]!.prevHash)).toBe(hex(envelopeHash(envs[0]!)));
    let s = p.inbound;
    const got = envs.map((e) => {
      const r = decryptMessage(s, e, p.alice.signing.publicKey);
      s = r.session;
      return dec.decode(r.plaintext);
    });
    expect(got).toEqual(["one", "two", "three"]);
    expect(s.index).toBe(3);
    expect(s.skipped.size).toBe(0);
  });

  it("uses a fresh nonce per message", () => {
    const p = alicePair();
    const [a, b] = send(p, ["same", "same"]);
    expect(hex(a!.nonce)).not.toBe(hex(b!.nonce));
    expect(hex(a!.ciphertext)).not.toBe(hex(b!.ciphertext));
  });

  it("returns new sessions and erases the chain keys it drops", () => {
    const p = alicePair();
    const before = p.outbound;
    const [e] = send(p, ["m"]);
    expect(p.outbound).not.toBe(before);
    expect(before.chainKey.every((b) => b === 0)).toBe(true);
    expect(p.outbound.chainKey.some((b) => b !== 0)).toBe(true);
    const inboundBefore = p.inbound;
    const r = decryptMessage(p.inbound, e!, p.alice.signing.publicKey);
    expect(r.session).not.toBe(inboundBefore);
    expect(inboundBefore.chainKey.every((b) => b === 0)).toBe(true);
  });

  it("leaves the session untouched when decryption is rejected", () => {
    const p = alicePair();
    const [e] = send(p, ["m"]);
    const bad = { ...e!, ciphertext: flipBit(e!.ciphertext, 3) };
    const keyBefore = hex(p.inbound.chainKey);
    expect(codeOf(() => decryptMessage(p.inbound, bad, p.alice.signing.publicKey))).toBe("BAD_SIGNATURE");
    expect(hex(p.inbound.chainKey)).toBe(keyBefore);
    expect(dec.decode(decryptMessage(p.inbound, e!, p.alice.signing.publicKey).plaintext)).toBe("m");
  });

  it("a past chain key cannot be recovered from a later session state", () => {
    const p = alicePair();
    const envs = send(p, ["a", "b"]);
    let s: InboundSession = p.inbound;
    for (const e of envs) s = decryptMessage(s, e, p.alice.signing.publicKey).session;
    // The state now at index 2 holds no key for indices 0 and 1: both are replays.
    expect(codeOf(() => decryptMessage(s, envs[0]!, p.alice.signing.publicKey))).toBe("REPLAY");
    expect(s.skipped.size).toBe(0);
  });

  it("rejects a signature by another key, even over the same bytes", () => {
    const p = alicePair();
    const [e] = send(p, ["m"]);
    expect(codeOf(() => decryptMessage(p.inbound, e!, p.bob.signing.publicKey))).toBe("BAD_SIGNATURE");
  });

  it("rejects envelopes of another session, room or sender with SESSION_MISMATCH", () => {
    const p = alicePair();
    const q = alicePair();
    const [e] = send(q, ["other session"]);
    expect(codeOf(() => decryptMessage(p.inbound, e!, q.alice.signing.publicKey))).toBe("SESSION_MISMATCH");
  });

  it("a validly signed envelope whose header differs from the AD it was encrypted under does not decrypt", () => {
    // Only the sender can do this; the AEAD still refuses (never garbage plaintext).
    const p = alicePair();
    const [e] = send(p, ["m"]);
    const forged = { ...e!, prevHash: flipBit(e!.prevHash, 0) };
    const resigned = { ...forged, signature: sodium().crypto_sign_detached(envelopeSigningBytes(forged), p.alice.signing.secretKey) };
    expect(codeOf(() => decryptMessage(p.inbound, resigned, p.alice.signing.publicKey))).toBe("DECRYPT_FAILED");
  });

  it("rejects an index over MAX_FORWARD_JUMP ahead, and accepts one exactly at it", () => {
    const p = alicePair();
    const atLimit = advance(p, MAX_FORWARD_JUMP);
    const e = encryptOne(p, atLimit, "edge");
    const r = decryptMessage(p.inbound, e, p.alice.signing.publicKey);
    expect(dec.decode(r.plaintext)).toBe("edge");
    expect(r.session.skipped.size).toBe(MAX_SKIPPED_KEYS);
    expect(r.session.firstIndex).toBe(MAX_FORWARD_JUMP - MAX_SKIPPED_KEYS);
    const q = alicePair();
    const tooFar = encryptOne(q, advance(q, MAX_FORWARD_JUMP + 1), "far");
    expect(codeOf(() => decryptMessage(q.inbound, tooFar, q.alice.signing.publicKey))).toBe("TOO_FAR_AHEAD");
  });

  it("refuses the last u32 index, which an honest sender never uses", () => {
    const p = alicePair();
    const near = { ...p.inbound, chainKey: p.inbound.chainKey.slice(), index: 0xffff_fff0, firstIndex: 0xffff_fff0 };
    const last = encryptOne(p, { ...p.outbound, index: 0xffff_fffe }, "x");
    const forged = { ...last, index: 0xffff_ffff, signature: sodium().crypto_sign_detached(envelopeSigningBytes({ ...last, index: 0xffff_ffff }), p.alice.signing.secretKey) };
    expect(codeOf(() => decryptMessage(near, forged, p.alice.signing.publicKey))).toBe("TOO_FAR_AHEAD");
    expect(() => encryptMessage({ ...p.outbound, chainKey: p.outbound.chainKey.slice(), index: 0xffff_ffff }, { senderDeviceId: p.alice.deviceId, signingSecretKey: p.alice.signing.secretKey, prevHash: GENESIS_PREV_HASH, plaintext: enc.encode("x") })).toThrow(RangeError);
  });

  it("evicts the oldest skipped keys beyond MAX_SKIPPED_KEYS: those indices become INDEX_TOO_OLD", () => {
    const p = alicePair();
    const first = encryptOne(p, p.outbound, "0");
    const late = encryptOne(p, advance(p, MAX_SKIPPED_KEYS + 1), "late");
    const r = decryptMessage(p.inbound, late, p.alice.signing.publicKey);
    expect(r.session.skipped.size).toBe(MAX_SKIPPED_KEYS);
    expect(codeOf(() => decryptMessage(r.session, first, p.alice.signing.publicKey))).toBe("INDEX_TOO_OLD");
  });

  it("a share made at index n cannot decrypt messages before n", () => {
    const p = alicePair();
    const [early] = send(p, ["before share"]);
    // p.inbound was shared at index 0; make a new share at the current index.
    const later = alicePairFrom(p);
    expect(codeOf(() => decryptMessage(later, early!, p.alice.signing.publicKey))).toBe("INDEX_TOO_OLD");
  });

  it("rejects garbage-typed inputs with TypeError / RangeError", () => {
    const p = alicePair();
    const [e] = send(p, ["m"]);
    const pk = p.alice.signing.publicKey;
    const args = { senderDeviceId: p.alice.deviceId, signingSecretKey: p.alice.signing.secretKey, prevHash: GENESIS_PREV_HASH, plaintext: enc.encode("x") };
    expect(() => decryptMessage(null as never, e!, pk)).toThrow(TypeError);
    expect(() => decryptMessage(p.inbound, null as never, pk)).toThrow(TypeError);
    expect(() => decryptMessage(p.inbound, { ...e!, nonce: "abc" } as never, pk)).toThrow(TypeError);
    expect(() => decryptMessage(p.inbound, { ...e!, nonce: new Uint8Array(12) }, pk)).toThrow(RangeError);
    expect(() => decryptMessage(p.inbound, { ...e!, index: -1 }, pk)).toThrow(RangeError);
    expect(() => decryptMessage(p.inbound, { ...e!, index: 1.5 }, pk)).toThrow(RangeError);
    expect(() => decryptMessage(p.inbound, { ...e!, index: "0" } as never, pk)).toThrow(TypeError);
    expect(() => decryptMessage(p.inbound, e!, pk.subarray(1))).toThrow(RangeError);
    expect(() => decryptMessage(p.inbound, e!, [...pk] as never)).toThrow(TypeError);
    expect(() => encryptMessage(p.outbound, { ...args, plaintext: "x" as never })).toThrow(TypeError);
    expect(() => encryptMessage(p.outbound, { ...args, prevHash: new Uint8Array(31) })).toThrow(RangeError);
    expect(() => encryptMessage(p.outbound, { ...args, signingSecretKey: new Uint8Array(32) })).toThrow(RangeError);
    expect(() => encryptMessage(p.outbound, { ...args, plaintext: new Uint8Array(48 * 1024) })).toThrow(RangeError);
    expect(() => encryptMessage({ ...p.outbound, chainKey: new Uint8Array(16) }, args)).toThrow(RangeError);
    expect(() => envelopeHash({} as never)).toThrow(TypeError);
  });
});

describe("properties", () => {
  const fields = ["version", "roomId", "senderDeviceId", "sessionId", "index", "prevHash", "nonce", "ciphertext", "signature"] as const;

  it("every single-bit flip in any envelope field is rejected with a CryptoError", () => {
    const p = alicePair();
    const envs = send(p, ["a message that is long enough to have many bits", "second"]);
    const target = envs[1]!;
    // Decrypt the first so the inbound state is a realistic mid-session state.
    const state = decryptMessage(p.inbound, envs[0]!, p.alice.signing.publicKey).session;
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.nat(), (field, bit) => {
        const e: Envelope = { ...target };
        switch (field) {
          case "version":
            e.version = target.version ^ (1 << (bit % 8));
            break;
          case "index":
            e.index = (target.index ^ (2 ** (bit % 32))) >>> 0;
            break;
          case "roomId":
          case "senderDeviceId":
            e[field] = flipStringBit(target[field], bit);
            break;
          default:
            e[field] = flipBit(target[field], bit);
        }
        let error: unknown;
        try {
          decryptMessage(state, e, p.alice.signing.publicKey);
        } catch (err) {
          error = err;
        }
        expect(error).toBeInstanceOf(CryptoError);
        expect((error as CryptoError).code).toBe("BAD_SIGNATURE");
      }),
      { numRuns: 400 },
    );
    // And the untouched envelope still decrypts from that same state.
    expect(dec.decode(decryptMessage(state, target, p.alice.signing.publicKey).plaintext)).toBe("second");
  });

  it("truncating the ciphertext or signature is rejected", () => {
    const p = alicePair();
    const [e] = send(p, ["truncate me"]);
    fc.assert(
      fc.property(fc.nat({ max: e!.ciphertext.length - 1 }), (cut) => {
        const t = { ...e!, ciphertext: e!.ciphertext.subarray(0, cut) };
        expect(codeOf(() => decryptMessage(p.inbound, t, p.alice.signing.publicKey))).toBe("BAD_SIGNATURE");
      }),
      { numRuns: 30 },
    );
    expect(() => decryptMessage(p.inbound, { ...e!, signature: e!.signature.subarray(0, 63) }, p.alice.signing.publicKey)).toThrow(RangeError);
  });

  it("any permutation of a session's messages decrypts each exactly once; every replay is rejected", () => {
    const p = alicePair();
    const texts = Array.from({ length: 12 }, (_, i) => `message ${i}`);
    const envs = send(p, texts);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(
          envs.map((_, i) => i),
          { minLength: envs.length, maxLength: envs.length },
        ),
        fc.array(fc.nat({ max: envs.length - 1 }), { maxLength: 6 }),
        (order, replays) => {
          // Fresh copy of the inbound state each run (decryption consumes states).
          let s = cloneInbound(p.inbound);
          const seen: string[] = [];
          for (const i of order) {
            const r = decryptMessage(s, envs[i]!, p.alice.signing.publicKey);
            s = r.session;
            seen.push(dec.decode(r.plaintext));
            expect(codeOf(() => decryptMessage(s, envs[i]!, p.alice.signing.publicKey))).toBe("REPLAY");
          }
          expect(seen).toEqual(order.map((i) => texts[i]));
          for (const i of replays) {
            expect(codeOf(() => decryptMessage(s, envs[i]!, p.alice.signing.publicKey))).toBe("REPLAY");
          }
          expect(s.skipped.size).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});

// ---- helpers ------------------------------------------------------------------

/** A copy of p.outbound moved `steps` along the chain without sending anything. */
function advance(p: Pair, steps: number): OutboundSession {
  let ck: Uint8Array = p.outbound.chainKey.slice();
  for (let i = 0; i < steps; i++) ck = nextChainKey(ck);
  return { ...p.outbound, chainKey: ck, index: p.outbound.index + steps };
}

function encryptOne(p: Pair, s: OutboundSession, text: string): Envelope {
  return encryptMessage({ ...s, chainKey: s.chainKey.slice() }, {
    senderDeviceId: p.alice.deviceId,
    signingSecretKey: p.alice.signing.secretKey,
    prevHash: GENESIS_PREV_HASH,
    plaintext: enc.encode(text),
  }).envelope;
}

function alicePairFrom(p: Pair): InboundSession {
  const share = shareSession({
    session: p.outbound,
    senderDeviceId: p.alice.deviceId,
    senderSigningSecretKey: p.alice.signing.secretKey,
    recipientDeviceId: p.bob.deviceId,
    recipientAgreementPublicKey: p.bob.agreement.publicKey,
  });
  return openSessionShare({
    share,
    recipientDeviceId: p.bob.deviceId,
    recipientAgreement: p.bob.agreement,
    senderSigningPublicKey: p.alice.signing.publicKey,
  });
}

function cloneInbound(s: InboundSession): InboundSession {
  return {
    ...s,
    chainKey: s.chainKey.slice(),
    skipped: new Map([...s.skipped].map(([i, k]) => [i, k.slice()])),
  };
}


describe("consumed sessions", () => {
  it("refuses to encrypt, decrypt or share with a session an earlier call consumed", () => {
    const p = alicePair();
    const stale = p.outbound;
    const [e] = send(p, ["m"]);
    const args = { senderDeviceId: p.alice.deviceId, signingSecretKey: p.alice.signing.secretKey, prevHash: GENESIS_PREV_HASH, plaintext: enc.encode("again") };
    expect(codeOf(() => encryptMessage(stale, args))).toBe("BAD_INPUT");
    const staleIn = p.inbound;
    decryptMessage(p.inbound, e!, p.alice.signing.publicKey);
    expect(codeOf(() => decryptMessage(staleIn, e!, p.alice.signing.publicKey))).toBe("BAD_INPUT");
    expect(
      codeOf(() =>
        shareSession({ session: stale, senderDeviceId: p.alice.deviceId, senderSigningSecretKey: p.alice.signing.secretKey, recipientDeviceId: p.bob.deviceId, recipientAgreementPublicKey: p.bob.agreement.publicKey }),
      ),
    ).toBe("BAD_INPUT");
  });
});
