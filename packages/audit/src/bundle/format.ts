/**
 * The audit bundle, format version 2 (docs/bundle-format.md): JSON Lines, one object
 * per line, UTF-8, each line ended by "\n". Order: header; the room's membership events
 * (`membership` lines, chain order, each after the checkpoint its proof names); then,
 * interleaved in the order a streaming reader needs them, `keys` lines (before the
 * first message of that sender), `checkpoint` lines (before the first message proved
 * against them) and `message` lines in room sequence order; last, the trailer.
 * Version 1 is version 2 without membership lines; the verifier reads both.
 */
import type { LedgerCheckpoint, LedgerDeviceRecord, LedgerKeyRecord, WireEnvelope } from "@cairn/protocol";

export const BUNDLE_FORMAT = "cairn-audit-bundle";
export const BUNDLE_VERSION = 2;
/** The versions this code reads. */
export const BUNDLE_VERSIONS = [1, 2] as const;
export type BundleVersion = (typeof BUNDLE_VERSIONS)[number];

export type LedgerKind = "embedded" | "fabric";

export interface BundleHeader {
  type: "header";
  format: typeof BUNDLE_FORMAT;
  version: BundleVersion;
  roomId: string;
  /** The serverTime range asked for (inclusive), ISO 8601, null when open. */
  range: { from: string | null; to: string | null };
  exportedAt: string;
  /** HMAC(serverSecret, userId) of the exporting admin: never a name. */
  exporterRef: string;
  ledger: LedgerKind;
  /** What the exporter found in range: the verifier checks the lines against it. */
  extent: { firstSeq: number | null; lastSeq: number | null; messages: number };
  /**
   * What lets the verifier prove the export complete from the chain alone (docs/audit.md
   * "Completeness"): the room's keyed reference, under which each anchored batch committed
   * the room's head, and the checkpoint the export was planned at. Absent from bundles
   * made before room heads, or without the server secret.
   */
  completeness?: BundleCompleteness;
}

export interface BundleCompleteness {
  /** HMAC(serverSecret, "cairn/room-ref/v1:" + roomId), hex: the room's name on chain. */
  roomRef: string;
  /** Tree size of the newest checkpoint when the export was planned (0: none yet). */
  treeSize: number;
}

/**
 * A device as a bundle carries it: the chain's device record (@cairn/protocol
 * LedgerDeviceRecord, from Ledger.getKeys) reduced to the fields of format version 1.
 */
export type BundleDeviceRecord = Pick<
  LedgerDeviceRecord,
  | "deviceId"
  | "signingPublicKey"
  | "agreementPublicKey"
  | "signature"
  | "registeredTxId"
  | "registeredAt"
  | "revokedAtMs"
  | "revokedTxId"
>;

/** A user's key record as a bundle carries it: the chain's LedgerKeyRecord reduced to format version 1. */
export type BundleKeyRecord = Pick<LedgerKeyRecord, "userRef" | "identityPublicKey" | "registeredTxId" | "registeredAt"> & {
  devices: BundleDeviceRecord[];
};

/**
 * The bundle's projection of a chain key record: exactly the fields of format
 * version 1, in the order they are written (bundles are hashed, so their bytes must
 * not depend on what else the chain's record holds).
 */
export function toBundleKeyRecord(record: BundleKeyRecord): BundleKeyRecord {
  return {
    userRef: record.userRef,
    identityPublicKey: record.identityPublicKey,
    registeredTxId: record.registeredTxId,
    registeredAt: record.registeredAt,
    devices: record.devices.map((d) => ({
      deviceId: d.deviceId,
      signingPublicKey: d.signingPublicKey,
      agreementPublicKey: d.agreementPublicKey,
      signature: d.signature,
      registeredTxId: d.registeredTxId,
      registeredAt: d.registeredAt,
      revokedAtMs: d.revokedAtMs,
      revokedTxId: d.revokedTxId,
    })),
  };
}

/** A sender's keys: the chain's registry record for HMAC(serverSecret, userId). */
export interface BundleKeys {
  type: "keys";
  userId: string;
  userRef: string;
  /** null when the chain has no record for this user (every message of theirs is then unproven). */
  record: BundleKeyRecord | null;
}

/** A checkpoint line: the chain's checkpoint (@cairn/protocol LedgerCheckpoint) as it is, same field names. */
export interface BundleCheckpoint extends LedgerCheckpoint {
  type: "checkpoint";
  /**
   * Witnesses' cosignatures (C2SP cosignature/v1 signature lines) of the log's checkpoint
   * note "<origin>\n<treeSize>\n<base64 root>\n"; absent when no witness cosigned it.
   */
  witnessed?: { origin: string; cosignatures: string[] };
}

/**
 * Plaintext disclosed by someone who holds the room's keys (a member, or the
 * compliance officer of a journaled room): the message key mk_i of this one message
 * and the plaintext bytes; the verifier decrypts the ciphertext with mk_i and compares.
 */
export interface BundlePlaintext {
  /** base64url of the 32-byte message key. */
  messageKey: string;
  /** base64url of the plaintext bytes. */
  body: string;
}

/** An RFC 9162 §2.1.3 inclusion proof of a line's leaf, to the checkpoint of `treeSize` (a checkpoint line before it). */
export interface BundleProof {
  treeSize: number;
  /** hex hashes */
  path: string[];
}

/**
 * One event of the room's signed membership chain (docs/protocol.md "Membership"), as
 * stored: the canonical `cairn/membership/v1` body and the actor's signature, both
 * base64url (the signature empty for a removal the server recorded unsigned).
 */
export interface BundleMembership {
  type: "membership";
  seq: number;
  leafIndex: number;
  /** When the server stored it (ISO 8601; the event's own time is inside the body). */
  createdAt: string;
  body: string;
  signature: string;
  /** RFC 9162 leaf hash (hex) of membershipLeafData(body, signature). */
  leafHash: string;
  /** null while not anchored. */
  proof: BundleProof | null;
}

export interface BundleMessage {
  type: "message";
  roomSeq: number;
  leafIndex: number;
  serverTime: string;
  senderUserId: string;
  senderDeviceId: string;
  envelope: WireEnvelope;
  /** RFC 9162 leaf hash (hex) of auditLeafData(envelope, roomSeq, serverTime). */
  leafHash: string;
  /** Inclusion proof to the checkpoint of `treeSize` (a checkpoint line); null while not anchored. */
  proof: BundleProof | null;
  plaintext: BundlePlaintext | null;
}

export interface BundleTrailer {
  type: "trailer";
  /** Number of message lines. */
  messages: number;
  /** Number of lines before the trailer. */
  lines: number;
  /** SHA-256 (hex) of every byte before the trailer line. */
  sha256: string;
  /** Audit-log leaf recording this export (auditExportData), or null if it could not be recorded. */
  exportLeafIndex: number | null;
}

export type BundleLine = BundleHeader | BundleMembership | BundleKeys | BundleCheckpoint | BundleMessage | BundleTrailer;
