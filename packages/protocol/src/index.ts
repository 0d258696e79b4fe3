export {
  encodeRecord,
  decodeRecord,
  utf8,
  u8,
  u32,
  u64,
  CanonicalDecodeError,
  MAX_FIELD_LENGTH,
} from "./canonical";
export { toBase64Url, fromBase64Url, equalBytes, hex, fromHex } from "./bytes";
export {
  TAGS,
  KEY_LENGTH,
  SIGNATURE_LENGTH,
  NONCE_LENGTH,
  SESSION_ID_LENGTH,
  HASH_LENGTH,
  ENVELOPE_VERSION,
  deviceCertificateBytes,
  deviceRevocationBytes,
  envelopeHeaderBytes,
  envelopeSigningBytes,
  envelopeBytes,
  sessionKeyBytes,
  sessionShareSigningBytes,
  auditLeafData,
  auditLeafDataPrefix,
  auditLeafDataSuffix,
  auditExportData,
  type DeviceCertificateFields,
  type EnvelopeHeader,
  type Envelope,
} from "./records";
export { DEACTIVATION_TAG, auditDeactivationData } from "./deactivation-record";
export { ERROR_CODES, RETRYABLE_CODES, isRetryable, CairnError, httpStatusOf, toErrorBody, type ErrorCode, type ErrorBody } from "./errors";
export * from "./schemas";
export * from "./socket-events";
export * from "./ledger-records";
export {
  CHECKPOINT_FILE_FORMAT,
  CHECKPOINT_FILE_VERSION,
  CheckpointFile,
  CheckpointFileCheckpoint,
} from "./checkpoint-file";
export { RELAY_ID, relaySessionId, relayOfSessionId } from "./relay-session-id";
export {
  MEMBERSHIP_TAG,
  MEMBERSHIP_LEAF_TAG,
  MEMBERSHIP_KINDS,
  MAX_MEMBERSHIP_TARGETS,
  MEMBERSHIP_GENESIS,
  membershipEventBytes,
  decodeMembershipEvent,
  membershipLeafData,
  type MembershipKind,
  type MembershipEventBody,
  type SignedMembershipEvent,
} from "./membership-event";
export * from "./audit-proofs";
