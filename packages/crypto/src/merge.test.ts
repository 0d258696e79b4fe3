import { beforeAll, describe, expect, it } from "vitest";
import { GENESIS_PREV_HASH, decryptMessage, encryptMessage } from "./envelope";
import { CryptoError } from "./errors";
import { generateDevice } from "./keys";
import { mergeInboundSessions } from "./merge";
import { createOutboundSession, type InboundSession, type OutboundSession } from "./session";
import { openSessionShare, shareSession } from "./share";
import { ROOM, loadSodium } from "./test-fixtures";
import type { Envelope } from "@cairn/protocol";

const enc = new TextEncoder();
const dec = new TextDecoder();

beforeAll(async () => {
  await loadSodium();
});

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CryptoError ? err.code : (err as Error).name;
  }
  return undefined;
}

function setup() {
  const alice = generateDevice();
  const bob = generateDevice();
  let out: OutboundSession = createOutboundSession(ROOM, 0);
  const shareAt = (): InboundSession =>
    openSessionShare({
      share: shareSession({ session: out, senderDeviceId: alice.deviceId, senderSigningSecretKey: alice.signing.secretKey, recipientDeviceId: bob.deviceId, recipientAgreementPublicKey: bob.agreement.publicKey }),
      recipientDeviceId: bob.deviceId,
      recipientAgreement: bob.agreement,
      senderSigningPublicKey: alice.signing.publicKey,
    });
  const send = (text: string): Envelope => {
    const r = encryptMessage(out, { senderDeviceId: alice.deviceId, signingSecretKey: alice.signing.secretKey, prevHash: GENESIS_PREV_HASH, plaintext: enc.encode(text) });
    out = r.session;
    return r.envelope;
  };
  return { alice, bob, shareAt, send };
}

describe("mergeInboundSessions", () => {
  it("an earlier share adds the missing history and keeps what was read a replay", () => {
    const t = setup();
    const early = t.shareAt(); // index 0
    const e0 = t.send("0");
    const e1 = t.send("1");
    let state = t.shareAt(); // index 2: Bob first got this one
    const e2 = t.send("2");
    const e3 = t.send("3");
    state = decryptMessage(state, e3, t.alice.signing.publicKey).session; // 2 skipped, 3 read
    expect(code(() => decryptMessage(state, e0, t.alice.signing.publicKey))).toBe("INDEX_TOO_OLD");

    let merged = mergeInboundSessions(state, early);
    expect(merged.firstIndex).toBe(0);
    for (const [e, text] of [[e1, "1"], [e0, "0"], [e2, "2"]] as const) {
      const r = decryptMessage(merged, e, t.alice.signing.publicKey);
      expect(dec.decode(r.plaintext)).toBe(text);
      merged = r.session;
    }
    for (const e of [e0, e1, e2, e3]) {
      expect(code(() => decryptMessage(merged, e, t.alice.signing.publicKey))).toBe("REPLAY");
    }
  });

  it("a share that does not start earlier (e.g. a replayed one) changes nothing", () => {
    const t = setup();
    const first = t.shareAt();
    const again = t.shareAt();
    const e0 = t.send("0");
    const state = decryptMessage(first, e0, t.alice.signing.publicKey).session;
    expect(mergeInboundSessions(state, again)).toBe(state);
    expect(code(() => decryptMessage(state, e0, t.alice.signing.publicKey))).toBe("REPLAY");
  });

  it("refuses a conflicting chain under the same session id, and other sessions", () => {
    const t = setup();
    t.send("0");
    const state = t.shareAt(); // index 1
    const early = t.shareAt();
    const forged = { ...early, index: 0, firstIndex: 0, chainKey: new Uint8Array(32).fill(9) };
    expect(code(() => mergeInboundSessions(state, forged))).toBe("SESSION_MISMATCH");
    const other = setup().shareAt();
    expect(code(() => mergeInboundSessions(state, other))).toBe("SESSION_MISMATCH");
    expect(code(() => mergeInboundSessions(state, { ...early, skipped: new Map([[0, new Uint8Array(32).fill(1)]]) }))).toBe("BAD_INPUT");
    expect(() => mergeInboundSessions(state, null as never)).toThrow(TypeError);
  });
});
