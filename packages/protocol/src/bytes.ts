/** Base64url (RFC 4648 §5, no padding): the one text form of bytes on every wire. */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const ENCODE = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
/** Character code → 6-bit value, -1 outside the alphabet. */
const DECODE = new Int8Array(256).fill(-1);
for (let i = 0; i < ENCODE.length; i++) DECODE[ENCODE[i] as number] = i;
const ascii = new TextDecoder("latin1");

/**
 * Table-driven in both directions (no intermediate binary string, no second pass):
 * these run for every field of every envelope, on the relay and in the verifier.
 */
export function toBase64Url(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("expected Uint8Array");
  const n = bytes.length;
  const out = new Uint8Array(Math.ceil((n * 4) / 3));
  let j = 0;
  let i = 0;
  for (; i + 3 <= n; i += 3) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out[j++] = ENCODE[v >>> 18] as number;
    out[j++] = ENCODE[(v >>> 12) & 63] as number;
    out[j++] = ENCODE[(v >>> 6) & 63] as number;
    out[j++] = ENCODE[v & 63] as number;
  }
  if (n - i === 1) {
    const v = bytes[i] as number;
    out[j++] = ENCODE[v >>> 2] as number;
    out[j++] = ENCODE[(v & 3) << 4] as number;
  } else if (n - i === 2) {
    const v = ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
    out[j++] = ENCODE[v >>> 10] as number;
    out[j++] = ENCODE[(v >>> 4) & 63] as number;
    out[j++] = ENCODE[(v & 15) << 2] as number;
  }
  return ascii.decode(out);
}

function sextet(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return code < 256 ? (DECODE[code] as number) : -1;
}

/**
 * Decodes canonical base64url only: the alphabet, no padding, no impossible length,
 * and zero unused bits in the last character (so every byte string has exactly one
 * text form, which signatures and hashes over text rely on).
 * @throws TypeError on characters outside base64url, an impossible length, or a
 *   non-canonical last character
 */
export function fromBase64Url(text: string): Uint8Array {
  if (typeof text !== "string") throw new TypeError("invalid base64url");
  const n = text.length;
  const rem = n % 4;
  if (rem === 1) throw new TypeError("invalid base64url");
  const out = new Uint8Array(((n - rem) / 4) * 3 + (rem === 0 ? 0 : rem - 1));
  let j = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = sextet(text, i + 2);
    const d = sextet(text, i + 3);
    if ((a | b | c | d) < 0) throw new TypeError("invalid base64url");
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[j++] = v >>> 16;
    out[j++] = (v >>> 8) & 255;
    out[j++] = v & 255;
  }
  if (rem === 2) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    if ((a | b) < 0) throw new TypeError("invalid base64url");
    if (b & 15) throw new TypeError("non-canonical base64url");
    out[j] = (a << 2) | (b >>> 4);
  } else if (rem === 3) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = sextet(text, i + 2);
    if ((a | b | c) < 0) throw new TypeError("invalid base64url");
    if (c & 3) throw new TypeError("non-canonical base64url");
    const v = (a << 10) | (b << 4) | (c >>> 2);
    out[j++] = v >>> 8;
    out[j] = v & 255;
  }
  return out;
}

/** Constant-time equality of two byte arrays (length is not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

export function fromHex(text: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(text)) throw new TypeError("invalid hex");
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}
