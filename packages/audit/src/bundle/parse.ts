/**
 * Parsing one bundle line: shape and type checks only (hand-written rather than zod:
 * a million lines go through here, and the verifier checks the meaning).
 */
import type { WireEnvelope } from "@cairn/protocol";
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSIONS,
  type BundleCheckpoint,
  type BundleDeviceRecord,
  type BundleCompleteness,
  type BundleHeader,
  type BundleKeyRecord,
  type BundleKeys,
  type BundleLine,
  type BundleMembership,
  type BundleMessage,
  type BundlePlaintext,
  type BundleProof,
  type BundleTrailer,
} from "./format";

/** A line that is not a well-formed bundle line. */
export class BundleParseError extends Error {
  readonly code = "BUNDLE_PARSE";
  constructor(message: string) {
    super(message);
    this.name = "BundleParseError";
  }
}

type Obj = Record<string, unknown>;
const HEX32 = /^[0-9a-f]{64}$/;

function fail(what: string): never {
  throw new BundleParseError(what);
}
function obj(v: unknown, name: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(`${name} must be an object`);
  return v as Obj;
}
function str(o: Obj, k: string, max = 4096): string {
  const v = o[k];
  if (typeof v !== "string" || v.length > max) fail(`${k} must be a string`);
  return v;
}
function strOrNull(o: Obj, k: string): string | null {
  return o[k] === null ? null : str(o, k);
}
function int(o: Obj, k: string): number {
  const v = o[k];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) fail(`${k} must be a non-negative integer`);
  return v;
}
function intOrNull(o: Obj, k: string): number | null {
  return o[k] === null ? null : int(o, k);
}
function hash(o: Obj, k: string): string {
  const v = str(o, k, 64);
  if (!HEX32.test(v)) fail(`${k} must be 64 lowercase hex digits`);
  return v;
}
function time(o: Obj, k: string): string {
  const v = str(o, k, 64);
  if (Number.isNaN(Date.parse(v))) fail(`${k} must be an ISO 8601 time`);
  return v;
}

function header(o: Obj): BundleHeader {
  if (o.format !== BUNDLE_FORMAT) fail(`format must be "${BUNDLE_FORMAT}"`);
  const version = BUNDLE_VERSIONS.find((v) => v === o.version);
  if (version === undefined) fail(`unsupported bundle version ${String(o.version)}`);
  const range = obj(o.range, "range");
  const extent = obj(o.extent, "extent");
  const ledger = o.ledger;
  if (ledger !== "embedded" && ledger !== "fabric") fail("ledger must be embedded or fabric");
  return {
    type: "header",
    format: BUNDLE_FORMAT,
    version,
    roomId: str(o, "roomId", 64),
    range: { from: strOrNull(range, "from"), to: strOrNull(range, "to") },
    exportedAt: time(o, "exportedAt"),
    exporterRef: hash(o, "exporterRef"),
    ledger,
    extent: { firstSeq: intOrNull(extent, "firstSeq"), lastSeq: intOrNull(extent, "lastSeq"), messages: int(extent, "messages") },
    ...(o.completeness === undefined ? {} : { completeness: completeness(obj(o.completeness, "completeness")) }),
  };
}

function completeness(o: Obj): BundleCompleteness {
  return { roomRef: hash(o, "roomRef"), treeSize: int(o, "treeSize") };
}

function device(v: unknown): BundleDeviceRecord {
  const o = obj(v, "device");
  return {
    deviceId: str(o, "deviceId", 64),
    signingPublicKey: str(o, "signingPublicKey", 64),
    agreementPublicKey: str(o, "agreementPublicKey", 64),
    signature: str(o, "signature", 128),
    registeredTxId: str(o, "registeredTxId", 256),
    registeredAt: str(o, "registeredAt", 64),
    revokedAtMs: intOrNull(o, "revokedAtMs"),
    revokedTxId: strOrNull(o, "revokedTxId"),
  };
}

function keyRecord(v: unknown): BundleKeyRecord {
  const o = obj(v, "record");
  if (!Array.isArray(o.devices) || o.devices.length > 10_000) fail("devices must be an array");
  return {
    userRef: hash(o, "userRef"),
    identityPublicKey: str(o, "identityPublicKey", 64),
    registeredTxId: str(o, "registeredTxId", 256),
    registeredAt: str(o, "registeredAt", 64),
    devices: (o.devices as unknown[]).map(device),
  };
}

function keys(o: Obj): BundleKeys {
  return {
    type: "keys",
    userId: str(o, "userId", 64),
    userRef: hash(o, "userRef"),
    record: o.record === null ? null : keyRecord(o.record),
  };
}

function checkpoint(o: Obj): BundleCheckpoint {
  const cp: BundleCheckpoint = { type: "checkpoint", treeSize: int(o, "treeSize"), rootHash: hash(o, "rootHash"), txId: str(o, "txId", 256), time: time(o, "time") };
  if (o.witnessed === undefined) return cp;
  const w = obj(o.witnessed, "witnessed");
  const lines = w.cosignatures;
  if (!Array.isArray(lines) || lines.length > 32 || !lines.every((l) => typeof l === "string" && l.length <= 512)) {
    fail("witnessed.cosignatures must be at most 32 signature lines");
  }
  return { ...cp, witnessed: { origin: str(w, "origin", 255), cosignatures: lines as string[] } };
}

function envelope(v: unknown): WireEnvelope {
  const o = obj(v, "envelope");
  if (o.version !== 1) fail("envelope.version must be 1");
  return {
    version: 1,
    roomId: str(o, "roomId", 64),
    senderDeviceId: str(o, "senderDeviceId", 64),
    sessionId: str(o, "sessionId", 64),
    index: int(o, "index"),
    prevHash: str(o, "prevHash", 64),
    nonce: str(o, "nonce", 64),
    ciphertext: str(o, "ciphertext", 70_000),
    signature: str(o, "signature", 128),
  };
}

function plaintext(v: unknown): BundlePlaintext | null {
  if (v === null || v === undefined) return null;
  const o = obj(v, "plaintext");
  return { messageKey: str(o, "messageKey", 64), body: str(o, "body", 70_000) };
}

function proof(v: unknown): BundleProof | null {
  if (v === null) return null;
  const p = obj(v, "proof");
  if (!Array.isArray(p.path) || p.path.length > 64) fail("proof.path must be an array of at most 64 hashes");
  const path = (p.path as unknown[]).map((h) => {
    if (typeof h !== "string" || !HEX32.test(h)) fail("proof.path holds 64-hex-digit hashes");
    return h;
  });
  return { treeSize: int(p, "treeSize"), path };
}

/** At most 256 targets of 32 bytes plus the fixed fields, in base64url. */
const MEMBERSHIP_BODY_CHARS = 12_000;

function membership(o: Obj): BundleMembership {
  return {
    type: "membership",
    seq: int(o, "seq"),
    leafIndex: int(o, "leafIndex"),
    createdAt: time(o, "createdAt"),
    body: str(o, "body", MEMBERSHIP_BODY_CHARS),
    signature: str(o, "signature", 128),
    leafHash: hash(o, "leafHash"),
    proof: proof(o.proof),
  };
}

function message(o: Obj): BundleMessage {
  return {
    type: "message",
    roomSeq: int(o, "roomSeq"),
    leafIndex: int(o, "leafIndex"),
    serverTime: time(o, "serverTime"),
    senderUserId: str(o, "senderUserId", 64),
    senderDeviceId: str(o, "senderDeviceId", 64),
    envelope: envelope(o.envelope),
    leafHash: hash(o, "leafHash"),
    proof: proof(o.proof),
    plaintext: plaintext(o.plaintext),
  };
}

function trailer(o: Obj): BundleTrailer {
  return {
    type: "trailer",
    messages: int(o, "messages"),
    lines: int(o, "lines"),
    sha256: hash(o, "sha256"),
    exportLeafIndex: intOrNull(o, "exportLeafIndex"),
  };
}

/**
 * Parses one line of a bundle (without its "\n").
 * @throws BundleParseError when it is not JSON or not a well-formed bundle line
 * @throws TypeError when `text` is not a string
 */
export function parseBundleLine(text: string): BundleLine {
  if (typeof text !== "string") throw new TypeError("a bundle line must be a string");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    fail("not JSON");
  }
  const o = obj(value, "line");
  switch (o.type) {
    case "header":
      return header(o);
    case "membership":
      return membership(o);
    case "keys":
      return keys(o);
    case "checkpoint":
      return checkpoint(o);
    case "message":
      return message(o);
    case "trailer":
      return trailer(o);
    default:
      return fail(`unknown line type ${JSON.stringify(o.type)}`);
  }
}
