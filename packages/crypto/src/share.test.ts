import { fromBase64Url, toBase64Url, type WireSessionShare } from "@cairn/protocol";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { GENESIS_PREV_HASH, decryptMessage, encryptMessage } from "./envelope";
import { CryptoError } from "./errors";
import { generateDevice, type DeviceKeys } from "./keys";
import { createOutboundSession, type OutboundSession } from "./session";
import { openSessionShare, shareSession } from "./share";
import { ROOM, flipBit, flipStringBit, loadSodium } from "./test-fixtures";

const enc = new TextEncoder();
const dec = new TextDecoder();

beforeAll(async () => {
  await loadSodium();
});

function share(from: DeviceKeys, to: DeviceKeys, session: OutboundSession): WireSessionShare {
  return shareSession({
    session,
    senderDeviceId: from.deviceId,
    senderSigningSecretKey: from.signing.secretKey,
    recipientDeviceId: to.deviceId,
    recipientAgreementPublicKey: to.agreement.publicKey,
  });
}

function open(w: WireSessionShare, to: DeviceKeys, from: DeviceKeys) {
  return openSessionShare({
    share: w,
    recipientDeviceId: to.deviceId,
    recipientAgreement: to.agreement,
    senderSigningPublicKey: from.signing.publicKey,
  });
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

describe("session shares", () => {
  it("carry the session's current position to the recipient device", () => {
    const alice = generateDevice();
    const bob = generateDevice();
    let out = createOutboundSession(ROOM, 0);
    out = encryptMessage(out, { senderDeviceId: alice.deviceId, signingSecretKey: alice.signing.secretKey, prevHash: GENESIS_PREV_HASH, plaintext: enc.encode("before") }).session;
    const w = share(alice, bob, out);
    expect(w.roomId).toBe(ROOM);
    expect(w.senderDeviceId).toBe(alice.deviceId);
    expect(w.recipientDeviceId).toBe(bob.deviceId);
    const inbound = open(w, bob, alice);
    expect(inbound.index).toBe(1);
    expect(inbound.firstIndex).toBe(1);
    expect(inbound.senderDeviceId).toBe(alice.deviceId);
    const { envelope } = encryptMessage(out, { senderDeviceId: alice.deviceId, signingSecretKey: alice.signing.secretKey, prevHash: GENESIS_PREV_HASH, plaintext: enc.encode("after") });
    expect(dec.decode(decryptMessage(inbound, envelope, alice.signing.publicKey).plaintext)).toBe("after");
  });

  it("are sealed: the wire form holds no copy of the chain key", () => {
    const alice = generateDevice();
    const bob = generateDevice();
    const out = createOutboundSession(ROOM, 0);
    const w = share(alice, bob, out);
    expect(JSON.stringify(w)).not.toContain(toBase64Url(out.chainKey));
  });

  it("cannot be opened by another device, nor redirected to it", () => {
    const alice = generateDevice();
    const bob = generateDevice();
    const eve = generateDevice();
    const w = share(alice, bob, createOutboundSession(ROOM, 0));
    // Eve presents the share as hers: it is addressed to Bob.
    expect(codeOf(() => open(w, eve, alice))).toBe("SESSION_MISMATCH");
    // Eve rewrites the recipient: the signature breaks.
    expect(codeOf(() => open({ ...w, recipientDeviceId: eve.deviceId }, eve, alice))).toBe("BAD_SIGNATURE");
  });

  it("from a sender who signs with another key are rejected", () => {
    const alice = generateDevice();
    const bob = generateDevice();
    const mallory = generateDevice();
    const w = share(alice, bob, createOutboundSession(ROOM, 0));
    expect(codeOf(() => open(w, bob, mallory))).toBe("BAD_SIGNATURE");
  });

  it("every single-bit flip of any field is rejected", () => {
    const alice = generateDevice();
    const bob = generateDevice();
    const w = share(alice, bob, createOutboundSession(ROOM, 0));
    const binary = ["sessionId", "sealed", "signature"] as const;
    const textual = ["roomId", "senderDeviceId", "recipientDeviceId"] as const;
    fc.assert(
      fc.property(fc.constantFrom(...binary, ...textual), fc.nat(), (field, bit) => {
        const t: WireSessionShare = { ...w };
        if (field === "sessionId" || field === "sealed" || field === "signature") {
          t[field] = toBase64Url(flipBit(fromBase64Url(w[field]), bit));
        } else {
          t[field] = flipStringBit(w[field], bit);
        }
        let error: unknown;
        try {
          open(t, bob, alice);
        } catch (err) {
          error = err;
        }
        expect(error).toBeInstanceOf(CryptoError);
        expect((error as CryptoError).code).toBe("BAD_SIGNATURE");
      }),
      { numRuns: 300 },
    );
    expect(open(w, bob, alice).index).toBe(0);
  });

  it("reject malformed fields with TypeError / RangeError", () => {
    const alice = generateDevice();
    const bob = generateDevice();
    const w = share(alice, bob, createOutboundSession(ROOM, 0));
    expect(() => open({ ...w, sealed: "not base64url!" }, bob, alice)).toThrow(TypeError);
    expect(() => open({ ...w, sessionId: 5 } as never, bob, alice)).toThrow(TypeError);
    expect(() => open({ ...w, sessionId: toBase64Url(new Uint8Array(8)) }, bob, alice)).toThrow(RangeError);
    expect(() => open({ ...w, sealed: toBase64Url(new Uint8Array(600)) }, bob, alice)).toThrow(RangeError);
    expect(() => openSessionShare(null as never)).toThrow(TypeError);
    expect(() =>
      shareSession({ session: createOutboundSession(ROOM), senderDeviceId: alice.deviceId, senderSigningSecretKey: alice.signing.secretKey, recipientDeviceId: bob.deviceId, recipientAgreementPublicKey: new Uint8Array(31) }),
    ).toThrow(RangeError);
  });
});

describe("rotation after removal", () => {
  it("a member who never received the new session cannot decrypt its messages", () => {
    const alice = generateDevice();
    const bob = generateDevice();
    const carol = generateDevice(); // removed from the room
    const sign = { senderDeviceId: alice.deviceId, signingSecretKey: alice.signing.secretKey, prevHash: GENESIS_PREV_HASH };

    const old = createOutboundSession(ROOM, 0);
    let carolOld = open(share(alice, carol, old), carol, alice);
    const bobOld = open(share(alice, bob, old), bob, alice);
    const first = encryptMessage(old, { ...sign, plaintext: enc.encode("everyone") });
    const carolRead = decryptMessage(carolOld, first.envelope, alice.signing.publicKey);
    expect(dec.decode(carolRead.plaintext)).toBe("everyone");
    carolOld = carolRead.session;
    expect(dec.decode(decryptMessage(bobOld, first.envelope, alice.signing.publicKey).plaintext)).toBe("everyone");

    // Carol leaves: Alice rotates and shares only with Bob.
    const rotated = createOutboundSession(ROOM, 1);
    const bobShare = share(alice, bob, rotated);
    const bobNew = open(bobShare, bob, alice);
    const secret = encryptMessage(rotated, { ...sign, plaintext: enc.encode("after carol left") });

    expect(dec.decode(decryptMessage(bobNew, secret.envelope, alice.signing.publicKey).plaintext)).toBe("after carol left");
    // Carol's only state is the old session: a different session id, and no key for it.
    expect(codeOf(() => decryptMessage(carolOld, secret.envelope, alice.signing.publicKey))).toBe("SESSION_MISMATCH");
    // Even forcing her old state onto the new session id, her chain key is not the new one.
    const forced = { ...carolOld, sessionId: rotated.sessionId, index: 0, firstIndex: 0 };
    expect(codeOf(() => decryptMessage(forced, secret.envelope, alice.signing.publicKey))).toBe("DECRYPT_FAILED");
    // And the share of the new session addressed to Bob does not open for her.
    expect(codeOf(() => open(bobShare, carol, alice))).toBe("SESSION_MISMATCH");
    expect(codeOf(() => openSessionShare({ share: bobShare, recipientDeviceId: bob.deviceId, recipientAgreement: carol.agreement, senderSigningPublicKey: alice.signing.publicKey }))).toBe("DECRYPT_FAILED");
  });
});
