/**
 * The verifier's host functions on node:crypto (OpenSSL): Ed25519 with cached key
 * objects, one-shot SHA-256, base64url, and XChaCha20-Poly1305 opening for disclosed
 * plaintext (HChaCha20 subkey + IETF ChaCha20-Poly1305, as libsodium's
 * crypto_aead_xchacha20poly1305_ietf; draft-irtf-cfrg-xchacha §2.2–2.3).
 */
import { createDecipheriv, createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { envelopeHeaderBytes, type Envelope } from "@cairn/protocol";

// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the raw 32-byte key follows.
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const keys = new Map<string, KeyObject>();

/**
 * A raw 32-byte Ed25519 public key as a node:crypto key object (parse once, verify many).
 * @throws RangeError when it is not 32 bytes
 */
export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new RangeError("Ed25519 public keys are 32 bytes");
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: "der", type: "spki" });
}

/** Ed25519 check with a bounded cache of parsed keys; false for malformed keys or signatures. */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const id = Buffer.from(publicKey).toString("base64");
  let key = keys.get(id);
  if (!key) {
    key = ed25519PublicKey(publicKey);
    if (keys.size > 10_000) keys.clear();
    keys.set(id, key);
  }
  return verify(null, message, key, signature);
}

// DER prefix of an Ed25519 PKCS#8 private key (RFC 8410): the 32-byte seed follows.
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * An Ed25519 signer from a 32-byte seed (a log's or a witness's key), on node:crypto.
 * @throws RangeError when the seed is not 32 bytes
 */
export function ed25519Signer(seed: Uint8Array): { publicKey: Uint8Array; sign(message: Uint8Array): Uint8Array } {
  if (seed.length !== 32) throw new RangeError("Ed25519 seeds are 32 bytes");
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
  const publicKey = new Uint8Array(createPublicKey(key).export({ format: "der", type: "spki" }).subarray(ED25519_SPKI_PREFIX.length));
  return { publicKey, sign: (message) => new Uint8Array(sign(null, message, key)) };
}

export function sha256(data: Uint8Array): Uint8Array {
  return createHash("sha256").update(data).digest();
}

/** Incremental SHA-256 over UTF-8 text (the bundle's trailer hash). */
export function createLineHash(): { update(text: string): unknown; digest(): Uint8Array } {
  const h = createHash("sha256");
  return { update: (text: string) => h.update(text, "utf8"), digest: () => new Uint8Array(h.digest()) };
}

/** @throws TypeError on characters outside base64url */
export function decodeBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError("invalid base64url");
  return Buffer.from(text, "base64url");
}

const rotl = (v: number, n: number) => ((v << n) | (v >>> (32 - n))) >>> 0;

function quarter(s: Uint32Array, a: number, b: number, c: number, d: number): void {
  s[a] = (s[a]! + s[b]!) >>> 0; s[d] = rotl(s[d]! ^ s[a], 16);
  s[c] = (s[c]! + s[d]) >>> 0; s[b] = rotl(s[b]! ^ s[c], 12);
  s[a] = (s[a] + s[b]) >>> 0; s[d] = rotl(s[d] ^ s[a], 8);
  s[c] = (s[c] + s[d]) >>> 0; s[b] = rotl(s[b] ^ s[c], 7);
}

/** HChaCha20(key, 16-byte nonce): the XChaCha20 subkey. */
export function hchacha20(key: Uint8Array, nonce16: Uint8Array): Uint8Array {
  const s = new Uint32Array(16);
  s.set([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);
  const k = new DataView(key.buffer, key.byteOffset, 32);
  const n = new DataView(nonce16.buffer, nonce16.byteOffset, 16);
  for (let i = 0; i < 8; i++) s[4 + i] = k.getUint32(4 * i, true);
  for (let i = 0; i < 4; i++) s[12 + i] = n.getUint32(4 * i, true);
  for (let round = 0; round < 10; round++) {
    quarter(s, 0, 4, 8, 12); quarter(s, 1, 5, 9, 13); quarter(s, 2, 6, 10, 14); quarter(s, 3, 7, 11, 15);
    quarter(s, 0, 5, 10, 15); quarter(s, 1, 6, 11, 12); quarter(s, 2, 7, 8, 13); quarter(s, 3, 4, 9, 14);
  }
  const out = new Uint8Array(32);
  const o = new DataView(out.buffer);
  [0, 1, 2, 3, 12, 13, 14, 15].forEach((w, i) => o.setUint32(4 * i, s[w]!, true));
  return out;
}

/** Opens XChaCha20-Poly1305 (24-byte nonce, 16-byte tag appended); null when it does not authenticate. */
export function xchacha20poly1305Open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, ad: Uint8Array): Uint8Array | null {
  if (key.length !== 32 || nonce.length !== 24 || sealed.length < 16) return null;
  const subkey = hchacha20(key, nonce.subarray(0, 16));
  const iv = new Uint8Array(12);
  iv.set(nonce.subarray(16), 4);
  try {
    const d = createDecipheriv("chacha20-poly1305", subkey, iv, { authTagLength: 16 });
    d.setAAD(ad, { plaintextLength: sealed.length - 16 });
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    return new Uint8Array(Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]));
  } catch {
    return null;
  } finally {
    subkey.fill(0);
  }
}

/** The plaintext of an envelope under its disclosed message key (AD = canonical header, docs/protocol.md). */
export function openEnvelope(envelope: Envelope, messageKey: Uint8Array): Uint8Array | null {
  return xchacha20poly1305Open(messageKey, envelope.nonce, envelope.ciphertext, envelopeHeaderBytes(envelope));
}
