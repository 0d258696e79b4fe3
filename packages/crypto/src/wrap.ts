/**
 * Keystore wrapping (IndexedDB, key backup): XChaCha20-Poly1305 with a random
 * 24-byte nonce prepended; the associated data is utf8(context), so a blob wrapped
 * as one thing ("identity", "device:<id>", ...) cannot be unwrapped as another.
 */
import { NONCE_LENGTH } from "@cairn/protocol";
import { CryptoError } from "./errors";
import { bytes, text } from "./guards";
import { randomBytes, sodium } from "./sodium";

export const WRAP_KEY_LENGTH = 32;
const TAG_LENGTH = 16;
const MAX_WRAPPED = 16 * 1024 * 1024;

/**
 * Encrypts plaintext under key, bound to context. Output: nonce (24) || ciphertext+tag.
 * @throws TypeError / RangeError unless key is 32 bytes, plaintext bytes, context a non-empty string
 */
export function wrapSecret(key: Uint8Array, plaintext: Uint8Array, context: string): Uint8Array {
  bytes("key", key, WRAP_KEY_LENGTH);
  bytes("plaintext", plaintext);
  if (plaintext.length > MAX_WRAPPED) throw new RangeError("plaintext too large to wrap");
  text("context", context, { min: 1, max: 256 });
  const nonce = randomBytes(NONCE_LENGTH);
  const sealed = sodium().crypto_aead_xchacha20poly1305_ietf_encrypt(
    plaintext,
    new TextEncoder().encode(context),
    null,
    nonce,
    key,
  );
  const out = new Uint8Array(NONCE_LENGTH + sealed.length);
  out.set(nonce, 0);
  out.set(sealed, NONCE_LENGTH);
  return out;
}

/**
 * Reverses {@link wrapSecret}.
 * @throws CryptoError UNWRAP_FAILED on a wrong key, wrong context, or altered/truncated data
 * @throws TypeError / RangeError on wrong argument types or key length
 */
export function unwrapSecret(key: Uint8Array, wrapped: Uint8Array, context: string): Uint8Array {
  bytes("key", key, WRAP_KEY_LENGTH);
  bytes("wrapped", wrapped);
  text("context", context, { min: 1, max: 256 });
  if (wrapped.length < NONCE_LENGTH + TAG_LENGTH || wrapped.length > MAX_WRAPPED + NONCE_LENGTH + TAG_LENGTH) {
    throw new CryptoError("UNWRAP_FAILED", "wrapped secret has an impossible length");
  }
  try {
    return sodium().crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      wrapped.subarray(NONCE_LENGTH),
      new TextEncoder().encode(context),
      wrapped.subarray(0, NONCE_LENGTH),
      key,
    );
  } catch (cause) {
    throw new CryptoError("UNWRAP_FAILED", "wrong key, wrong context or altered data", { cause });
  }
}
