/**
 * The signed and hashed records of Cairn, each built on {@link encodeRecord}.
 * Changing any of these breaks every stored signature and hash: add a new tag
 * version instead. Frozen by vectors in records.test.ts.
 */
import { encodeRecord, u8, u32, u64, utf8 } from "./canonical";

export const TAGS = {
  deviceCertificate: "cairn/device-cert/v1",
  deviceRevocation: "cairn/device-revoke/v1",
  envelopeHeader: "cairn/envelope-header/v1",
  envelopeSigning: "cairn/envelope-sig/v1",
  envelope: "cairn/envelope/v1",
  sessionKey: "cairn/session-key/v1",
  sessionShare: "cairn/session-share/v1",
  auditLeaf: "cairn/audit-leaf/v1",
  auditExport: "cairn/audit-export/v1",
} as const;

export const KEY_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;
export const NONCE_LENGTH = 24;
export const SESSION_ID_LENGTH = 16;
export const HASH_LENGTH = 32;
export const ENVELOPE_VERSION = 1;

function need(name: string, bytes: Uint8Array, length: number): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (bytes.length !== length) throw new RangeError(`${name} must be ${length} bytes`);
  return bytes;
}

/** A device's public keys, as the user's identity key signs them. */
export interface DeviceCertificateFields {
  identityPublicKey: Uint8Array;
  deviceId: string;
  signingPublicKey: Uint8Array;
  agreementPublicKey: Uint8Array;
}

export function deviceCertificateBytes(d: DeviceCertificateFields): Uint8Array {
  return encodeRecord(TAGS.deviceCertificate, [
    need("identityPublicKey", d.identityPublicKey, KEY_LENGTH),
    utf8(d.deviceId),
    need("signingPublicKey", d.signingPublicKey, KEY_LENGTH),
    need("agreementPublicKey", d.agreementPublicKey, KEY_LENGTH),
  ]);
}

/** A device's revocation, as the user's identity key signs it. */
export function deviceRevocationBytes(r: {
  identityPublicKey: Uint8Array;
  deviceId: string;
  revokedAtMs: number;
}): Uint8Array {
  return encodeRecord(TAGS.deviceRevocation, [
    need("identityPublicKey", r.identityPublicKey, KEY_LENGTH),
    utf8(r.deviceId),
    u64(r.revokedAtMs),
  ]);
}

/** The clear header of an envelope; it is the AEAD's associated data. */
export interface EnvelopeHeader {
  version: number;
  roomId: string;
  senderDeviceId: string;
  sessionId: Uint8Array;
  index: number;
  prevHash: Uint8Array;
}

/** A whole envelope in binary form (the wire form is base64url, see schemas). */
export interface Envelope extends EnvelopeHeader {
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  signature: Uint8Array;
}

export function envelopeHeaderBytes(h: EnvelopeHeader): Uint8Array {
  return encodeRecord(TAGS.envelopeHeader, [
    u8(h.version),
    utf8(h.roomId),
    utf8(h.senderDeviceId),
    need("sessionId", h.sessionId, SESSION_ID_LENGTH),
    u32(h.index),
    need("prevHash", h.prevHash, HASH_LENGTH),
  ]);
}

/** What the sender device signs: header, nonce and ciphertext. */
export function envelopeSigningBytes(e: Omit<Envelope, "signature">): Uint8Array {
  return encodeRecord(TAGS.envelopeSigning, [
    envelopeHeaderBytes(e),
    need("nonce", e.nonce, NONCE_LENGTH),
    e.ciphertext,
  ]);
}

/** The complete envelope, signature included: what is hashed for prevHash and the audit leaf. */
export function envelopeBytes(e: Envelope): Uint8Array {
  return encodeRecord(TAGS.envelope, [
    envelopeHeaderBytes(e),
    need("nonce", e.nonce, NONCE_LENGTH),
    e.ciphertext,
    need("signature", e.signature, SIGNATURE_LENGTH),
  ]);
}

/** The secret a sender shares with member devices: where its chain starts. */
export function sessionKeyBytes(k: {
  sessionId: Uint8Array;
  index: number;
  chainKey: Uint8Array;
}): Uint8Array {
  return encodeRecord(TAGS.sessionKey, [
    need("sessionId", k.sessionId, SESSION_ID_LENGTH),
    u32(k.index),
    need("chainKey", k.chainKey, KEY_LENGTH),
  ]);
}

/** What the sender device signs when it shares a session to one recipient device. */
export function sessionShareSigningBytes(s: {
  roomId: string;
  sessionId: Uint8Array;
  senderDeviceId: string;
  recipientDeviceId: string;
  sealed: Uint8Array;
}): Uint8Array {
  return encodeRecord(TAGS.sessionShare, [
    utf8(s.roomId),
    need("sessionId", s.sessionId, SESSION_ID_LENGTH),
    utf8(s.senderDeviceId),
    utf8(s.recipientDeviceId),
    s.sealed,
  ]);
}

/**
 * The audit leaf data split where the server's values begin: `prefix` depends only
 * on the envelope, and `suffix(roomSeq, serverTimeMs)` completes it. The database
 * computes leaf hashes from the prefix in the same statement that allocates the
 * room sequence number (packages/db/src/envelopes.ts); concat(prefix, suffix) is
 * exactly {@link auditLeafData}.
 */
export function auditLeafDataPrefix(envelope: Envelope): Uint8Array {
  return encodeRecord(TAGS.auditLeaf, [envelopeBytes(envelope)]);
}

/** The tail of the audit leaf data: two length-prefixed u64 fields. */
export function auditLeafDataSuffix(roomSeq: number, serverTimeMs: number): Uint8Array {
  const out = new Uint8Array(24);
  out.set(u32(8), 0);
  out.set(u64(roomSeq), 4);
  out.set(u32(8), 12);
  out.set(u64(serverTimeMs), 16);
  return out;
}

/**
 * The data of one audit-log leaf (docs/audit.md): the canonical envelope, its room
 * sequence number and the server's timestamp. The leaf hash is RFC 9162's
 * SHA-256(0x00 || data), computed by @cairn/audit.
 */
export function auditLeafData(l: {
  envelope: Envelope;
  roomSeq: number;
  serverTimeMs: number;
}): Uint8Array {
  return encodeRecord(TAGS.auditLeaf, [envelopeBytes(l.envelope), u64(l.roomSeq), u64(l.serverTimeMs)]);
}

/**
 * The data of the audit-log leaf that records an export (docs/audit.md, "every export is
 * itself recorded"): who exported (a userRef, never a name), which room, when, and the
 * SHA-256 of the bundle's lines (the trailer's hash, which covers the header with the
 * range and extent). Kind "export" in AuditLeaf; the leaf hash is SHA-256(0x00 || data).
 * @throws TypeError / RangeError on a malformed field
 */
export function auditExportData(e: {
  exporterRef: string;
  roomId: string;
  exportedAtMs: number;
  bundleSha256: Uint8Array;
}): Uint8Array {
  return encodeRecord(TAGS.auditExport, [
    utf8(e.exporterRef),
    utf8(e.roomId),
    u64(e.exportedAtMs),
    need("bundleSha256", e.bundleSha256, HASH_LENGTH),
  ]);
}
