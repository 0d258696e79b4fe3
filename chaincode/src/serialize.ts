/**
 * The one deterministic JSON serializer for ledger state and results: object keys
 * sorted, no whitespace, only JSON values. Every endorsing peer must write the same
 * bytes, so nothing else writes ledger JSON.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** @throws TypeError on values JSON cannot carry (undefined, functions, non-finite numbers) */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("non-finite number in ledger JSON");
      return JSON.stringify(value);
    case "string":
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(",")}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
    }
    default:
      throw new TypeError(`cannot serialize ${typeof value} to ledger JSON`);
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Canonical JSON as UTF-8 bytes, for putState. */
export function toStateBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalJson(value));
}

/** Parses a state value written by {@link toStateBytes}; null for an absent key (empty value). */
export function fromStateBytes<T>(bytes: Uint8Array | undefined | null): T | null {
  if (!bytes || bytes.length === 0) return null;
  return JSON.parse(decoder.decode(bytes)) as T;
}
