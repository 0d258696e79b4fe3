/** Table-driven hex decoding for the verifier's hot path (a million proofs of ~20 hashes). */

const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) VALUE[97 + i] = 10 + i;

/**
 * Decodes lowercase hex.
 * @throws TypeError on an odd length or a character outside [0-9a-f]
 */
export function decodeHex(text: string): Uint8Array {
  if (typeof text !== "string" || text.length % 2 !== 0) throw new TypeError("invalid hex");
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = VALUE[text.charCodeAt(2 * i)] ?? -1;
    const lo = VALUE[text.charCodeAt(2 * i + 1)] ?? -1;
    if (hi < 0 || lo < 0) throw new TypeError("invalid hex");
    out[i] = hi * 16 + lo;
  }
  return out;
}

const DIGITS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Lowercase hex of bytes. */
export function encodeHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += DIGITS[b] as string;
  return s;
}
