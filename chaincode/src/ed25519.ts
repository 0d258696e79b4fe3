/**
 * Ed25519 verification with node:crypto (works inside Fabric's Node chaincode
 * runtime and in-process). A raw 32-byte key is wrapped in its SubjectPublicKeyInfo
 * DER form (RFC 8410 §4): a fixed 12-byte prefix, then the key.
 */
import { createPublicKey, verify } from "node:crypto";

const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

/** True when `signature` is publicKey's valid Ed25519 signature over `message`. */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const der = new Uint8Array(SPKI_PREFIX.length + 32);
  der.set(SPKI_PREFIX, 0);
  der.set(publicKey, SPKI_PREFIX.length);
  try {
    const key = createPublicKey({ key: Buffer.from(der), format: "der", type: "spki" });
    return verify(null, message, key, signature);
  } catch {
    // A point that does not decode is not a valid key: the signature cannot verify.
    return false;
  }
}
