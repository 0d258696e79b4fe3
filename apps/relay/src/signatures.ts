import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { envelopeSigningBytes, toBase64Url, type Envelope } from "@cairn/protocol";

/** A raw 32-byte Ed25519 public key as a node:crypto key object. */
export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new RangeError("Ed25519 public keys are 32 bytes");
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: toBase64Url(raw) }, format: "jwk" });
}

/** True when the sender device's key signed this envelope (DESIGN §3). */
export function envelopeSignatureValid(envelope: Envelope, signingKey: KeyObject): boolean {
  return verify(null, envelopeSigningBytes(envelope), signingKey, envelope.signature);
}
