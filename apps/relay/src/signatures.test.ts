import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { envelopeSigningBytes, type Envelope } from "@cairn/protocol";
import { ed25519PublicKey, inlineVerifier, pooledVerifier, type SigningKey } from "./signatures";

function device(): { signer: SigningKey; sign(e: Omit<Envelope, "signature">): Envelope } {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = new Uint8Array(publicKey.export({ format: "der", type: "spki" }).subarray(12));
  return {
    signer: { raw, key: ed25519PublicKey(raw) },
    sign: (e) => ({ ...e, signature: new Uint8Array(sign(null, envelopeSigningBytes(e), privateKey)) }),
  };
}

const unsigned = (index: number): Omit<Envelope, "signature"> => ({
  version: 1,
  roomId: "00000000-0000-4000-8000-000000000001",
  senderDeviceId: "AAAAAAAAAAAAAAAAAAAAAA",
  sessionId: randomBytes(16),
  index,
  prevHash: new Uint8Array(32),
  nonce: randomBytes(24),
  ciphertext: randomBytes(200),
});

describe("signature verifiers", () => {
  const pooled = pooledVerifier(2);
  afterAll(() => pooled.close());

  it("agree, envelope by envelope, in one batch of mixed good, tampered and foreign-key envelopes", async () => {
    const alice = device();
    const mallory = device();
    const cases = Array.from({ length: 60 }, (_, i) => {
      const e = alice.sign(unsigned(i));
      if (i % 3 === 1) e.ciphertext[0] = (e.ciphertext[0] ?? 0) ^ 1; // tampered after signing
      return { envelope: e, signer: i % 5 === 2 ? mallory.signer : alice.signer, expected: i % 3 !== 1 && i % 5 !== 2 };
    });
    const inline = inlineVerifier();
    // All asked in the same turn of the event loop: one batch across both workers.
    const [fromPool, fromLoop] = await Promise.all([
      Promise.all(cases.map((c) => pooled.valid(c.envelope, c.signer))),
      Promise.all(cases.map((c) => inline.valid(c.envelope, c.signer))),
    ]);
    expect(fromPool).toEqual(cases.map((c) => c.expected));
    expect(fromLoop).toEqual(fromPool);
  });
});
