/**
 * Cairn's one canonical byte encoding for everything that is hashed or signed.
 *
 * A record is a domain-separation tag followed by its fields, each written as a
 * 4-byte big-endian length and the field's bytes:
 *
 *   record = u32be(len(tag)) || utf8(tag) || for each field: u32be(len(f)) || f
 *
 * Length prefixes make the encoding injective (no two field lists share bytes), and
 * the tag keeps one kind of record from ever being accepted as another. Integers are
 * fields of fixed width (u8, u32be or u64be); strings are UTF-8. Defined once here,
 * used by the browser, the relay, the chaincode and the verifier; frozen by the
 * vectors in canonical.test.ts.
 */

const encoder = new TextEncoder();

/** Largest field the encoding accepts (a u32 length). */
export const MAX_FIELD_LENGTH = 0xffff_ffff;

/** UTF-8 bytes of a string field. */
export function utf8(value: string): Uint8Array {
  if (typeof value !== "string") throw new TypeError("expected a string");
  return encoder.encode(value);
}

/** One unsigned byte. @throws RangeError outside 0..255 */
export function u8(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError("u8 out of range");
  return Uint8Array.of(value);
}

/** Four bytes, big-endian. @throws RangeError outside 0..2^32-1 */
export function u32(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new RangeError("u32 out of range");
  }
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, false);
  return out;
}

/** Eight bytes, big-endian. @throws RangeError outside 0..2^53-1 (safe integers) */
export function u64(value: number | bigint): Uint8Array {
  const big = typeof value === "bigint" ? value : BigInt(value);
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    throw new RangeError("u64 must be a safe integer");
  }
  if (big < 0n || big > 0xffff_ffff_ffff_ffffn) throw new RangeError("u64 out of range");
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, big, false);
  return out;
}

/**
 * Encodes a tagged record of byte fields.
 * @throws TypeError when a field is not a Uint8Array
 */
export function encodeRecord(tag: string, fields: readonly Uint8Array[]): Uint8Array {
  const tagBytes = utf8(tag);
  let total = 4 + tagBytes.length;
  for (const field of fields) {
    if (!(field instanceof Uint8Array)) throw new TypeError("canonical fields must be Uint8Array");
    total += 4 + field.length;
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let offset = 0;
  const put = (bytes: Uint8Array) => {
    view.setUint32(offset, bytes.length, false);
    out.set(bytes, offset + 4);
    offset += 4 + bytes.length;
  };
  put(tagBytes);
  for (const field of fields) put(field);
  return out;
}

/**
 * Decodes a record made by {@link encodeRecord}, checking its tag and field count.
 * @throws CanonicalDecodeError on any malformed input
 */
export function decodeRecord(tag: string, bytes: Uint8Array, fieldCount: number): Uint8Array[] {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("expected Uint8Array");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  const take = (): Uint8Array => {
    if (offset + 4 > bytes.length) throw new CanonicalDecodeError("truncated length prefix");
    const len = view.getUint32(offset, false);
    if (offset + 4 + len > bytes.length) throw new CanonicalDecodeError("truncated field");
    const field = bytes.subarray(offset + 4, offset + 4 + len);
    offset += 4 + len;
    return field;
  };
  const gotTag = take();
  const want = utf8(tag);
  if (gotTag.length !== want.length || gotTag.some((b, i) => b !== want[i])) throw new CanonicalDecodeError(`expected tag ${tag}`);
  const fields: Uint8Array[] = [];
  for (let i = 0; i < fieldCount; i++) fields.push(take());
  if (offset !== bytes.length) throw new CanonicalDecodeError("trailing bytes");
  return fields;
}

export class CanonicalDecodeError extends Error {
  readonly code = "CANONICAL_DECODE";
  override readonly name = "CanonicalDecodeError";
}
