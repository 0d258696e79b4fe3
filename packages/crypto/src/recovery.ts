/**
 * Key backup (docs/protocol.md): a random 256-bit recovery key, shown once to the user
 * as words, encrypts the backup of the identity key and room sessions; the server
 * stores only the ciphertext.
 *
 * Words: each 16 bits become one pronounceable 5-letter word, consonant-vowel-
 * consonant-vowel-consonant (4+2+4+2+4 bits: 16 consonants, 4 vowels), so no word list
 * is needed and every word is easy to read aloud. 16 words carry the key; a 17th
 * carries 16 bits of SHA-256(key) so a typo is caught before any decryption attempt.
 */
import { CryptoError } from "./errors";
import { bytes, wipe } from "./guards";
import { randomBytes, sodium } from "./sodium";
import { unwrapSecret, wrapSecret } from "./wrap";

export const RECOVERY_KEY_BYTES = 32;
/** Words in a written recovery key: 16 for the key, 1 check word. */
export const RECOVERY_WORDS = 17;

const CONSONANTS = "bdfghjklmnprstvz";
const VOWELS = "aiou";
const BACKUP_KDF_CONTEXT = "cairnbak";
const BACKUP_KEY_ID = 1;
const BACKUP_CONTEXT = "cairn/backup/v1";

/** A fresh random recovery key. */
export function generateRecoveryKey(): Uint8Array {
  return randomBytes(RECOVERY_KEY_BYTES);
}

/**
 * The recovery key as 17 space-separated words (16 key words and a check word).
 * @throws TypeError / RangeError unless key is 32 bytes
 */
export function recoveryKeyToWords(key: Uint8Array): string {
  bytes("key", key, RECOVERY_KEY_BYTES);
  const words: string[] = [];
  for (let i = 0; i < RECOVERY_KEY_BYTES; i += 2) words.push(word(((key[i] ?? 0) << 8) | (key[i + 1] ?? 0)));
  words.push(word(checkValue(key)));
  return words.join(" ");
}

/**
 * Parses words from {@link recoveryKeyToWords}; case, extra spaces, hyphens and commas
 * between words are forgiven.
 * @throws TypeError when text is not a string
 * @throws CryptoError BAD_INPUT on a wrong word count, a word that cannot be a
 *   recovery word, or a failed check word (a typo)
 */
export function recoveryKeyFromWords(text: string): Uint8Array {
  if (typeof text !== "string") throw new TypeError("recovery words must be a string");
  const words = text.toLowerCase().split(/[\s,-]+/).filter((w) => w.length > 0);
  if (words.length !== RECOVERY_WORDS) {
    throw new CryptoError("BAD_INPUT", `a recovery key has ${RECOVERY_WORDS} words, got ${words.length}`);
  }
  const values = words.map((w, i) => {
    const v = valueOf(w);
    if (v === undefined) throw new CryptoError("BAD_INPUT", `word ${i + 1} ("${w}") is not a recovery word`);
    return v;
  });
  const key = new Uint8Array(RECOVERY_KEY_BYTES);
  for (let i = 0; i < 16; i++) {
    const v = values[i] ?? 0;
    key[2 * i] = v >> 8;
    key[2 * i + 1] = v & 0xff;
  }
  if (checkValue(key) !== values[16]) {
    wipe(key);
    throw new CryptoError("BAD_INPUT", "the recovery words do not check out: look for a typo");
  }
  return key;
}

/**
 * Encrypts a backup (any bytes: the app's serialized identity key and sessions) under a
 * key derived from the recovery key (crypto_kdf, context "cairnbak", id 1), with
 * {@link wrapSecret} bound to the context "cairn/backup/v1".
 * @throws TypeError / RangeError unless recoveryKey is 32 bytes and data is bytes
 */
export function sealBackup(recoveryKey: Uint8Array, data: Uint8Array): Uint8Array {
  const key = backupKey(recoveryKey);
  try {
    return wrapSecret(key, data, BACKUP_CONTEXT);
  } finally {
    wipe(key);
  }
}

/**
 * Reverses {@link sealBackup}.
 * @throws CryptoError UNWRAP_FAILED on a wrong recovery key or altered backup
 * @throws TypeError / RangeError on wrong argument types or key length
 */
export function openBackup(recoveryKey: Uint8Array, sealed: Uint8Array): Uint8Array {
  const key = backupKey(recoveryKey);
  try {
    return unwrapSecret(key, sealed, BACKUP_CONTEXT);
  } finally {
    wipe(key);
  }
}

function backupKey(recoveryKey: Uint8Array): Uint8Array {
  bytes("recoveryKey", recoveryKey, RECOVERY_KEY_BYTES);
  return sodium().crypto_kdf_derive_from_key(32, BACKUP_KEY_ID, BACKUP_KDF_CONTEXT, recoveryKey);
}

function checkValue(key: Uint8Array): number {
  const h = sodium().crypto_hash_sha256(key);
  return ((h[0] ?? 0) << 8) | (h[1] ?? 0);
}

function word(v: number): string {
  return (
    (CONSONANTS[(v >> 12) & 15] ?? "") +
    (VOWELS[(v >> 10) & 3] ?? "") +
    (CONSONANTS[(v >> 6) & 15] ?? "") +
    (VOWELS[(v >> 4) & 3] ?? "") +
    (CONSONANTS[v & 15] ?? "")
  );
}

function valueOf(w: string): number | undefined {
  if (w.length !== 5) return undefined;
  const c0 = CONSONANTS.indexOf(w[0] ?? "");
  const v0 = VOWELS.indexOf(w[1] ?? "");
  const c1 = CONSONANTS.indexOf(w[2] ?? "");
  const v1 = VOWELS.indexOf(w[3] ?? "");
  const c2 = CONSONANTS.indexOf(w[4] ?? "");
  if (c0 < 0 || v0 < 0 || c1 < 0 || v1 < 0 || c2 < 0) return undefined;
  return (c0 << 12) | (v0 << 10) | (c1 << 6) | (v1 << 4) | c2;
}
