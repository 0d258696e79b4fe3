/**
 * The KeyRegistry's record of one user (chaincode KeyRegistry, Ledger.getKeys, the
 * relay's GET /ledger/users/:id/keys): the identity key, every device it ever
 * certified (revoked ones stay, marked) and the identity keys an admin recovery replaced.
 */
import { z } from "zod";
import {
  LedgerActor,
  LedgerDeviceId,
  LedgerIndex,
  LedgerPublicKey,
  LedgerRef,
  LedgerSignature,
  LedgerTime,
  LedgerTxId,
} from "./formats";

export const LedgerDeviceRecord = z.object({
  deviceId: LedgerDeviceId,
  signingPublicKey: LedgerPublicKey,
  agreementPublicKey: LedgerPublicKey,
  /** Identity key's Ed25519 signature over deviceCertificateBytes. */
  signature: LedgerSignature,
  registeredTxId: LedgerTxId,
  registeredAt: LedgerTime,
  /** Revocation time claimed and signed by the identity key, or null while active. */
  revokedAtMs: LedgerIndex.nullable(),
  revokedTxId: LedgerTxId.nullable(),
  /** Time of the revoking transaction (absent from records written before it was kept). */
  revokedAt: LedgerTime.nullable().optional(),
  /**
   * Identity key's signature over deviceRevocationBytes; null while active and for
   * devices an admin recovery revoked (absent from records written before it was kept).
   */
  revocationSignature: LedgerSignature.nullable().optional(),
});
export type LedgerDeviceRecord = z.infer<typeof LedgerDeviceRecord>;

/** An identity key that an admin recovery (KeyRegistry:RecoverIdentity) replaced, and why. */
export const LedgerReplacedIdentity = z.object({
  identityPublicKey: LedgerPublicKey,
  registeredTxId: LedgerTxId,
  registeredAt: LedgerTime,
  replacedTxId: LedgerTxId,
  replacedAt: LedgerTime,
  reason: z.string().min(1).max(500),
  /** The admin who recovered the account. */
  replacedBy: LedgerActor,
});
export type LedgerReplacedIdentity = z.infer<typeof LedgerReplacedIdentity>;

/**
 * The account was deactivated (offboarding, KeyRegistry:DeactivateUser): every device
 * then active was revoked in that transaction without the user's signature, and the
 * registry certifies no new device for it.
 */
export const LedgerDeactivation = z.object({
  txId: LedgerTxId,
  at: LedgerTime,
  /** Who submitted it: the relay's service identity or an admin. */
  by: LedgerActor,
  /** The Cairn audit leaf recording who deactivated the account, and when. */
  auditLeafIndex: LedgerIndex,
});
export type LedgerDeactivation = z.infer<typeof LedgerDeactivation>;

export const LedgerKeyRecord = z.object({
  /** HMAC(serverSecret, userId) in hex: nothing personal goes on chain. */
  userRef: LedgerRef,
  identityPublicKey: LedgerPublicKey,
  registeredTxId: LedgerTxId,
  registeredAt: LedgerTime,
  /** Every device ever registered, in registration order; revoked ones stay, marked. */
  devices: z.array(LedgerDeviceRecord).max(10_000),
  /** Earlier identity keys, oldest first (absent until the first recovery). */
  identityHistory: z.array(LedgerReplacedIdentity).optional(),
  /** Present once the account was deactivated. */
  deactivation: LedgerDeactivation.optional(),
});
export type LedgerKeyRecord = z.infer<typeof LedgerKeyRecord>;
