import { toBase64Url } from "@cairn/protocol";
import { int } from "./guards";
import { randomBytes } from "./sodium";

/** Length of the Argon2id salt (crypto_pwhash_SALTBYTES). */
export const SALT_BYTES = 16;

/** A fresh random salt for {@link deriveAccountSecrets}. */
export function randomSalt(): Uint8Array {
  return randomBytes(SALT_BYTES);
}

/**
 * A random identifier in base64url (device ids, client message ids).
 * @param bytes - entropy in bytes, 8..64 (default 16 = 128 bits)
 * @throws RangeError outside 8..64
 */
export function randomId(bytes = 16): string {
  int("bytes", bytes, 8, 64);
  return toBase64Url(randomBytes(bytes));
}
