/**
 * @cairn/crypto — Cairn's end-to-end encryption (docs/protocol.md), isomorphic: Node and
 * browser Web Workers. Await {@link ready} once before any other call.
 */
export { ready } from "./sodium";
export { CryptoError, CRYPTO_ERROR_CODES, type CryptoErrorCode } from "./errors";
export { SALT_BYTES, randomSalt, randomId } from "./random";
export {
  ACCOUNT_SECRET_BYTES,
  deriveAccountSecrets,
  hashAuthSecret,
  verifyAuthSecret,
  type AccountSecrets,
} from "./account";
export {
  generateIdentity,
  generateDevice,
  certifyDevice,
  verifyDeviceCertificate,
  signDeviceRevocation,
  verifyDeviceRevocation,
  signMembershipEvent,
  verifyEd25519,
  type SigningKeyPair,
  type AgreementKeyPair,
  type DeviceKeys,
} from "./keys";
export { wrapSecret, unwrapSecret } from "./wrap";
export {
  ROTATE_AFTER_MESSAGES,
  ROTATE_AFTER_MS,
  MAX_SKIPPED_KEYS,
  MAX_FORWARD_JUMP,
  createOutboundSession,
  shouldRotate,
  type OutboundSession,
  type InboundSession,
} from "./session";
export {
  GENESIS_PREV_HASH,
  MAX_PLAINTEXT_BYTES,
  envelopeHash,
  encryptMessage,
  decryptMessage,
  type EncryptArgs,
} from "./envelope";
export { shareSession, openSessionShare } from "./share";
export { mergeInboundSessions } from "./merge";
export { serializeOutbound, deserializeOutbound, serializeInbound, deserializeInbound } from "./serialize";
export {
  RECOVERY_KEY_BYTES,
  RECOVERY_WORDS,
  generateRecoveryKey,
  recoveryKeyToWords,
  recoveryKeyFromWords,
  sealBackup,
  openBackup,
} from "./recovery";
export { SAFETY_NUMBER_DIGITS, safetyNumber, safetyNumberGroups } from "./safety";
