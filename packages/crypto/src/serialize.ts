/**
 * JSON forms of sessions for storage (IndexedDB, key backup): bytes as base64url,
 * a version and a kind, and a strict parser that rejects anything else. These hold
 * chain keys: store them only wrapped (wrapSecret) or inside the encrypted backup.
 */
import { KEY_LENGTH, SESSION_ID_LENGTH, fromBase64Url, toBase64Url } from "@cairn/protocol";
import { CryptoError } from "./errors";
import { MAX_INDEX, MAX_SKIPPED_KEYS, checkInbound, checkOutbound, type InboundSession, type OutboundSession } from "./session";

const FORMAT_VERSION = 1;
const OUTBOUND_KEYS = ["v", "kind", "roomId", "sessionId", "chainKey", "index", "createdAtMs"];
const INBOUND_KEYS = ["v", "kind", "roomId", "senderDeviceId", "sessionId", "chainKey", "index", "firstIndex", "skipped"];

/**
 * @throws TypeError / RangeError on a malformed session
 */
export function serializeOutbound(s: OutboundSession): string {
  checkOutbound(s);
  return JSON.stringify({
    v: FORMAT_VERSION,
    kind: "outbound",
    roomId: s.roomId,
    sessionId: toBase64Url(s.sessionId),
    chainKey: toBase64Url(s.chainKey),
    index: s.index,
    createdAtMs: s.createdAtMs,
  });
}

/**
 * @throws TypeError when text is not a string
 * @throws CryptoError BAD_INPUT on anything but a serialized outbound session
 */
export function deserializeOutbound(text: string): OutboundSession {
  const o = parse(text, "outbound", OUTBOUND_KEYS);
  return {
    roomId: str(o.roomId, "roomId", 256),
    sessionId: b64(o.sessionId, "sessionId", SESSION_ID_LENGTH),
    chainKey: b64(o.chainKey, "chainKey", KEY_LENGTH),
    index: integer(o.index, "index", 0, MAX_INDEX),
    createdAtMs: integer(o.createdAtMs, "createdAtMs", 0, Number.MAX_SAFE_INTEGER),
  };
}

/**
 * @throws TypeError / RangeError on a malformed session
 */
export function serializeInbound(s: InboundSession): string {
  checkInbound(s);
  return JSON.stringify({
    v: FORMAT_VERSION,
    kind: "inbound",
    roomId: s.roomId,
    senderDeviceId: s.senderDeviceId,
    sessionId: toBase64Url(s.sessionId),
    chainKey: toBase64Url(s.chainKey),
    index: s.index,
    firstIndex: s.firstIndex,
    skipped: [...s.skipped].map(([i, k]) => [i, toBase64Url(k)]),
  });
}

/**
 * @throws TypeError when text is not a string
 * @throws CryptoError BAD_INPUT on anything but a serialized inbound session
 */
export function deserializeInbound(text: string): InboundSession {
  const o = parse(text, "inbound", INBOUND_KEYS);
  const index = integer(o.index, "index", 0, MAX_INDEX);
  const firstIndex = integer(o.firstIndex, "firstIndex", 0, index);
  if (!Array.isArray(o.skipped) || o.skipped.length > MAX_SKIPPED_KEYS) bad("skipped");
  const skipped = new Map<number, Uint8Array>();
  let last = firstIndex - 1;
  for (const entry of o.skipped as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 2) bad("skipped entry");
    const [i, k] = entry as [unknown, unknown];
    const at = integer(i, "skipped index", firstIndex, index - 1);
    // Strictly ascending: the order the eviction policy relies on, and no duplicates.
    if (at <= last) bad("skipped order");
    last = at;
    skipped.set(at, b64(k, "skipped key", KEY_LENGTH));
  }
  return {
    roomId: str(o.roomId, "roomId", 256),
    senderDeviceId: str(o.senderDeviceId, "senderDeviceId", 64),
    sessionId: b64(o.sessionId, "sessionId", SESSION_ID_LENGTH),
    chainKey: b64(o.chainKey, "chainKey", KEY_LENGTH),
    index,
    firstIndex,
    skipped,
  };
}

function bad(what: string): never {
  throw new CryptoError("BAD_INPUT", `malformed serialized session: ${what}`);
}

function parse(text: string, kind: string, keys: string[]): Record<string, unknown> {
  if (typeof text !== "string") throw new TypeError("serialized session must be a string");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new CryptoError("BAD_INPUT", "serialized session is not JSON", { cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) bad("not an object");
  const o = value as Record<string, unknown>;
  const got = Object.keys(o).sort();
  const want = [...keys].sort();
  if (got.length !== want.length || got.some((k, i) => k !== want[i])) bad("unexpected fields");
  if (o.v !== FORMAT_VERSION) bad("version");
  if (o.kind !== kind) bad("kind");
  return o;
}

function str(v: unknown, what: string, max: number): string {
  if (typeof v !== "string" || v.length < 1 || v.length > max) bad(what);
  return v;
}

function integer(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) bad(what);
  return v;
}

function b64(v: unknown, what: string, length: number): Uint8Array {
  if (typeof v !== "string") bad(what);
  let out: Uint8Array;
  try {
    out = fromBase64Url(v);
  } catch {
    bad(what);
  }
  if (out.length !== length) bad(what);
  return out;
}
