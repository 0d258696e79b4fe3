/**
 * What the web app queues for the ledger worker (LedgerOutbox.payload, by kind): the
 * key registrations the worker submits to the KeyRegistry in order. The user is named
 * by Cairn user id; the worker turns it into the on-chain userRef (it holds the secret).
 */
import { z } from "zod";
import { Uuid } from "../schemas";
import { LedgerDeviceId, LedgerIndex, LedgerPublicKey, LedgerSignature } from "./formats";

/** kind "registerIdentity": KeyRegistry:RegisterIdentity. */
export const RegisterIdentityPayload = z.object({
  userId: Uuid,
  identityPublicKey: LedgerPublicKey,
});
export type RegisterIdentityPayload = z.infer<typeof RegisterIdentityPayload>;

/** kind "registerDevice": KeyRegistry:RegisterDevice, certified by the identity key. */
export const RegisterDevicePayload = z.object({
  userId: Uuid,
  deviceId: LedgerDeviceId,
  signingPublicKey: LedgerPublicKey,
  agreementPublicKey: LedgerPublicKey,
  /** Identity key's signature over deviceCertificateBytes. */
  signature: LedgerSignature,
});
export type RegisterDevicePayload = z.infer<typeof RegisterDevicePayload>;

/** kind "revokeDevice": KeyRegistry:RevokeDevice, signed by the identity key. */
export const RevokeDevicePayload = z.object({
  userId: Uuid,
  deviceId: LedgerDeviceId,
  revokedAtMs: LedgerIndex,
  /** Identity key's signature over deviceRevocationBytes. */
  signature: LedgerSignature,
});
export type RevokeDevicePayload = z.infer<typeof RevokeDevicePayload>;

/**
 * kind "deactivateUser": KeyRegistry:DeactivateUser, revoking every active device of an
 * account an admin deactivated (unsigned: the user is gone), with the audit leaf that
 * records who did it.
 */
export const DeactivateUserPayload = z.object({
  userId: Uuid,
  auditLeafIndex: LedgerIndex,
});
export type DeactivateUserPayload = z.infer<typeof DeactivateUserPayload>;

/** The payload schema of each outbox kind. */
export const LEDGER_OUTBOX_PAYLOADS = {
  registerIdentity: RegisterIdentityPayload,
  registerDevice: RegisterDevicePayload,
  revokeDevice: RevokeDevicePayload,
  deactivateUser: DeactivateUserPayload,
} as const;

export type LedgerOutboxKind = keyof typeof LEDGER_OUTBOX_PAYLOADS;
export type LedgerOutboxPayload<K extends LedgerOutboxKind> = z.infer<(typeof LEDGER_OUTBOX_PAYLOADS)[K]>;
