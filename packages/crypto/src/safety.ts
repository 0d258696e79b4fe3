/**
 * Safety numbers (docs/protocol.md): 60 decimal digits two people compare (or scan as a QR
 * code) to check they hold each other's real identity keys. Each key gives 30 digits;
 * the two halves are sorted so both people see the same number.
 *
 * Per key K: h_0 = SHA-512(encodeRecord("cairn/safety-number/v1", [K])),
 * h_{n+1} = SHA-512(h_n || K), 5,200 rounds (an attacker searching for a key whose
 * digits collide with a victim's pays that per candidate); the first 30 bytes of the
 * last hash, as six 5-byte big-endian numbers mod 100,000, give six 5-digit groups.
 */
import { KEY_LENGTH, encodeRecord } from "@cairn/protocol";
import { bytes } from "./guards";
import { sodium } from "./sodium";

const SAFETY_TAG = "cairn/safety-number/v1";
const ROUNDS = 5200;
export const SAFETY_NUMBER_DIGITS = 60;

/**
 * The 60-digit safety number of two identity keys (order-independent).
 * @throws TypeError / RangeError unless both keys are 32-byte Uint8Arrays
 */
export function safetyNumber(identityA: Uint8Array, identityB: Uint8Array): string {
  const a = digitsOf(bytes("identityA", identityA, KEY_LENGTH));
  const b = digitsOf(bytes("identityB", identityB, KEY_LENGTH));
  return a < b ? a + b : b + a;
}

/**
 * A safety number split into its 12 groups of 5 digits, for display.
 * @throws TypeError when not a string; RangeError unless exactly 60 digits
 */
export function safetyNumberGroups(digits: string): string[] {
  if (typeof digits !== "string") throw new TypeError("safety number must be a string");
  if (!/^[0-9]{60}$/.test(digits)) throw new RangeError("safety number must be 60 digits");
  return digits.match(/[0-9]{5}/g) ?? [];
}

function digitsOf(key: Uint8Array): string {
  const s = sodium();
  let h = s.crypto_hash_sha512(encodeRecord(SAFETY_TAG, [key]));
  const buf = new Uint8Array(h.length + key.length);
  buf.set(key, h.length);
  for (let round = 1; round < ROUNDS; round++) {
    buf.set(h, 0);
    h = s.crypto_hash_sha512(buf);
  }
  let out = "";
  for (let chunk = 0; chunk < 6; chunk++) {
    let n = 0;
    for (let i = 0; i < 5; i++) n = n * 256 + (h[chunk * 5 + i] ?? 0);
    out += String(n % 100000).padStart(5, "0");
  }
  return out;
}
