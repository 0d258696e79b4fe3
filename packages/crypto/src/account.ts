/**
 * Account secrets (docs/protocol.md): the passphrase is stretched once, in the
 * browser, into two independent 32-byte secrets. The auth secret goes to the server,
 * which stores only its Argon2id hash; the keystore key never leaves the browser.
 */
import { bytes, text, wipe } from "./guards";
import { SALT_BYTES } from "./random";
import { sodium } from "./sodium";

/** crypto_kdf context for the account subkeys (exactly 8 bytes, as libsodium requires). */
const ACCOUNT_KDF_CONTEXT = "cairnacc";
const AUTH_SECRET_ID = 1;
const KEYSTORE_KEY_ID = 2;
export const ACCOUNT_SECRET_BYTES = 32;

export interface AccountSecrets {
  /** Sent to the server at sign-up and log-in; stored there only as an Argon2id hash. */
  authSecret: Uint8Array;
  /** Wraps the private keys in IndexedDB; never leaves the browser. */
  keystoreKey: Uint8Array;
}

/**
 * Argon2id (crypto_pwhash, interactive limits) of the passphrase into a 32-byte
 * master secret, then two subkeys with crypto_kdf_derive_from_key (context
 * "cairnacc", ids 1 and 2). The passphrase is NFKC-normalised first so the same
 * words typed on different platforms give the same secrets. Takes ~0.3 s and 64 MiB.
 * @throws TypeError when passphrase is not a string or salt not a Uint8Array
 * @throws RangeError on an empty passphrase (or over 1,024 characters) or a salt that is not 16 bytes
 */
export function deriveAccountSecrets(passphrase: string, salt: Uint8Array): AccountSecrets {
  text("passphrase", passphrase, { min: 1, max: 1024 });
  bytes("salt", salt, SALT_BYTES);
  const s = sodium();
  const master = s.crypto_pwhash(
    ACCOUNT_SECRET_BYTES,
    new TextEncoder().encode(passphrase.normalize("NFKC")),
    salt,
    s.crypto_pwhash_OPSLIMIT_INTERACTIVE,
    s.crypto_pwhash_MEMLIMIT_INTERACTIVE,
    s.crypto_pwhash_ALG_ARGON2ID13,
  );
  try {
    return {
      authSecret: s.crypto_kdf_derive_from_key(ACCOUNT_SECRET_BYTES, AUTH_SECRET_ID, ACCOUNT_KDF_CONTEXT, master),
      keystoreKey: s.crypto_kdf_derive_from_key(ACCOUNT_SECRET_BYTES, KEYSTORE_KEY_ID, ACCOUNT_KDF_CONTEXT, master),
    };
  } finally {
    wipe(master);
  }
}

/**
 * Server side: an Argon2id hash string (crypto_pwhash_str, interactive limits) of
 * the auth secret, salted and self-describing, for the users table.
 * @throws TypeError / RangeError unless authSecret is 32 bytes
 */
export function hashAuthSecret(authSecret: Uint8Array): string {
  bytes("authSecret", authSecret, ACCOUNT_SECRET_BYTES);
  const s = sodium();
  return s.crypto_pwhash_str(authSecret, s.crypto_pwhash_OPSLIMIT_INTERACTIVE, s.crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

/**
 * Server side: whether authSecret matches a hash from {@link hashAuthSecret}.
 * A malformed hash string is simply "no match".
 * @throws TypeError when hash is not a string; TypeError / RangeError unless authSecret is 32 bytes
 */
export function verifyAuthSecret(hash: string, authSecret: Uint8Array): boolean {
  if (typeof hash !== "string") throw new TypeError("hash must be a string");
  bytes("authSecret", authSecret, ACCOUNT_SECRET_BYTES);
  if (!hash.startsWith("$argon2id$") || hash.length > 256) return false;
  try {
    return sodium().crypto_pwhash_str_verify(hash, authSecret);
  } catch {
    return false;
  }
}
