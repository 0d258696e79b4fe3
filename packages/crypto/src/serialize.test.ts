import { hex, type Envelope } from "@cairn/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { GENESIS_PREV_HASH, decryptMessage, encryptMessage } from "./envelope";
import { CryptoError } from "./errors";
import { deserializeInbound, deserializeOutbound, serializeInbound, serializeOutbound } from "./serialize";
import { alicePair, loadSodium } from "./test-fixtures";

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

describe("session serialization", () => {
  it("outbound and inbound sessions survive a round trip and keep working", () => {
    const p = alicePair();
    const args = { senderDeviceId: p.alice.deviceId, signingSecretKey: p.alice.signing.secretKey, prevHash: GENESIS_PREV_HASH };
    const envs: Envelope[] = [];
    let out = p.outbound;
    for (const t of ["0", "1", "2", "3"]) {
      const r = encryptMessage(deserializeOutbound(serializeOutbound(out)), { ...args, plaintext: enc.encode(t) });
      out = r.session;
      envs.push(r.envelope);
    }
    const restoredOut = deserializeOutbound(serializeOutbound(out));
    expect(restoredOut.index).toBe(4);
    expect(hex(restoredOut.chainKey)).toBe(hex(out.chainKey));
    expect(restoredOut.createdAtMs).toBe(out.createdAtMs);

    // Receive 3 first, leaving keys for 0..2 skipped; store; restore; read the rest.
    let inbound = decryptMessage(p.inbound, envs[3]!, p.alice.signing.publicKey).session;
    const text = serializeInbound(inbound);
    inbound = deserializeInbound(text);
    expect(inbound.skipped.size).toBe(3);
    expect(deserializeInbound(serializeInbound(inbound))).toEqual(inbound);
    const read: string[] = [];
    for (const i of [1, 0, 2]) {
      const r = decryptMessage(inbound, envs[i]!, p.alice.signing.publicKey);
      inbound = r.session;
      read.push(dec.decode(r.plaintext));
    }
    expect(read).toEqual(["1", "0", "2"]);
    expect(code(() => decryptMessage(inbound, envs[3]!, p.alice.signing.publicKey))).toBe("REPLAY");
  });

  it("strictly rejects anything else with BAD_INPUT", () => {
    const p = alicePair();
    const out = JSON.parse(serializeOutbound(p.outbound)) as Record<string, unknown>;
    const inb = JSON.parse(serializeInbound(p.inbound)) as Record<string, unknown>;
    const variants: [string, (t: string) => unknown][] = [
      ["not json", deserializeOutbound],
      ["[]", deserializeOutbound],
      [JSON.stringify({ ...out, extra: 1 }), deserializeOutbound],
      [JSON.stringify({ ...out, v: 2 }), deserializeOutbound],
      [JSON.stringify({ ...out, kind: "inbound" }), deserializeOutbound],
      [JSON.stringify({ ...out, chainKey: "AAAA" }), deserializeOutbound],
      [JSON.stringify({ ...out, sessionId: "!!" }), deserializeOutbound],
      [JSON.stringify({ ...out, index: -1 }), deserializeOutbound],
      [JSON.stringify({ ...out, index: 1.5 }), deserializeOutbound],
      [JSON.stringify(inb), deserializeOutbound],
      [JSON.stringify({ ...inb, firstIndex: 5 }), deserializeInbound],
      [JSON.stringify({ ...inb, index: 3, skipped: [[0, out.chainKey], [0, out.chainKey]] }), deserializeInbound],
      [JSON.stringify({ ...inb, index: 3, skipped: [[2, out.chainKey], [1, out.chainKey]] }), deserializeInbound],
      [JSON.stringify({ ...inb, index: 3, skipped: [[3, out.chainKey]] }), deserializeInbound],
      [JSON.stringify({ ...inb, skipped: {} }), deserializeInbound],
      [JSON.stringify({ ...inb, senderDeviceId: "" }), deserializeInbound],
    ];
    for (const [text, fn] of variants) expect(code(() => fn(text)), text).toBe("BAD_INPUT");
    expect(() => deserializeInbound(42 as never)).toThrow(TypeError);
    expect(() => serializeOutbound({} as never)).toThrow(TypeError);
  });
});
