/**
 * Length-checked decoders for transaction arguments. Every argument arrives as a
 * string (what fabric-gateway passes); each is decoded here before any state access.
 */
import { fromBase64Url } from "@cairn/protocol";
import { ChaincodeError } from "./errors";

function bad(name: string, why: string): never {
  throw new ChaincodeError("INVALID_ARGUMENT", `${name} ${why}`);
}

export function decodeString(name: string, value: unknown, min: number, max: number): string {
  if (typeof value !== "string") bad(name, "must be a string");
  if (value.length < min || value.length > max) bad(name, `must be ${min}..${max} characters`);
  return value;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** A keyed hash (userRef, roomRef, identity hash): 64 lowercase hex characters. */
export function decodeRef(name: string, value: unknown): string {
  const text = decodeString(name, value, 64, 64);
  if (!HEX64.test(text)) bad(name, "must be 64 lowercase hex characters (a keyed hash)");
  return text;
}

const DEVICE_ID = /^[A-Za-z0-9_-]+$/;

/** A device id: 1..64 base64url characters. */
export function decodeDeviceId(value: unknown): string {
  const text = decodeString("deviceId", value, 1, 64);
  if (!DEVICE_ID.test(text)) bad("deviceId", "must be base64url characters");
  return text;
}

/** Base64url bytes of an exact length. */
export function decodeB64(name: string, value: unknown, length: number): Uint8Array {
  const text = decodeString(name, value, 1, Math.ceil((length * 4) / 3));
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(text);
  } catch {
    bad(name, "must be canonical base64url");
  }
  if (bytes.length !== length) bad(name, `must be ${length} bytes`);
  return bytes;
}

const DECIMAL = /^(?:0|[1-9][0-9]{0,15})$/;

/** A non-negative safe integer written in decimal without leading zeros. */
export function decodeIndex(name: string, value: unknown): number {
  const text = decodeString(name, value, 1, 16);
  if (!DECIMAL.test(text)) bad(name, "must be a non-negative decimal integer");
  const n = Number(text);
  if (!Number.isSafeInteger(n)) bad(name, "must be a safe integer");
  return n;
}

const HEX = /^[0-9a-f]*$/;

/** Concatenated lowercase hex of 32-byte hashes: 1..maxCount of them. */
export function decodeHashList(name: string, value: unknown, maxCount: number): string[] {
  const text = decodeString(name, value, 64, maxCount * 64);
  if (text.length % 64 !== 0 || !HEX.test(text)) bad(name, "must be concatenated lowercase hex of 32-byte hashes");
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 64) out.push(text.slice(i, i + 64));
  return out;
}

/** Parses a JSON object argument. */
export function decodeJsonObject(name: string, value: unknown, maxLength: number): Record<string, unknown> {
  const text = decodeString(name, value, 2, maxLength);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    bad(name, "must be JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) bad(name, "must be a JSON object");
  return parsed as Record<string, unknown>;
}
