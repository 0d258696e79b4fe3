/**
 * The Policy contract's records: organisation and room rules, each change a new
 * version with its author and time (chaincode Policy, Ledger.get/setOrgPolicy and
 * get/setRoomPolicy).
 */
import { z } from "zod";
import { LedgerActor, LedgerIndex, LedgerPublicKey, LedgerTime, LedgerTxId } from "./formats";

/** Shortest retention a policy may set, in seconds. */
export const MIN_RETENTION_SECONDS = 60;
/** Longest retention a policy may set (100 years of 366 days), in seconds. */
export const MAX_RETENTION_SECONDS = 100 * 366 * 24 * 3600;
/** Largest per-user device limit a policy may set. */
export const MAX_DEVICES_PER_USER = 1000;

const RetentionSeconds = z.number().int().min(MIN_RETENTION_SECONDS).max(MAX_RETENTION_SECONDS).nullable();

/** Organisation rules. */
export const LedgerOrgPolicy = z.object({
  /** Default retention of ciphertext in seconds; null keeps messages forever. */
  retentionSeconds: RetentionSeconds,
  /** Maximum active devices per user; null for no limit. Enforced by the KeyRegistry. */
  maxDevicesPerUser: z.number().int().min(1).max(MAX_DEVICES_PER_USER).nullable(),
  /** Default for rooms without their own policy. */
  forwardingAllowed: z.boolean(),
});
export type LedgerOrgPolicy = z.infer<typeof LedgerOrgPolicy>;

/** A room's rules. */
export const LedgerRoomPolicy = z.object({
  retentionSeconds: RetentionSeconds,
  forwardingAllowed: z.boolean(),
  /** Compliance officer's X25519 public key (base64url, 32 bytes) when the room is journaled. */
  complianceJournalKey: LedgerPublicKey.nullable(),
});
export type LedgerRoomPolicy = z.infer<typeof LedgerRoomPolicy>;

/** "org" or "room:<roomRef>". */
export const LedgerPolicyScope = z.string().regex(/^(?:org|room:[0-9a-f]{64})$/, 'must be "org" or "room:<64 hex roomRef>"');

/** A policy record's fields around the policy itself. */
const PolicyRecordFields = z.object({
  scope: LedgerPolicyScope,
  /** 1 for a scope's first policy, +1 per change. */
  version: LedgerIndex.min(1),
  txId: LedgerTxId,
  /** Time of the committing transaction. */
  time: LedgerTime,
  /** The admin who made the change. */
  author: LedgerActor,
});

/** One version of a policy as the chain records it: who changed it, and when. */
export type LedgerPolicyRecord<P> = z.infer<typeof PolicyRecordFields> & { policy: P };

export const LedgerOrgPolicyRecord = PolicyRecordFields.extend({ policy: LedgerOrgPolicy });
export type LedgerOrgPolicyRecord = LedgerPolicyRecord<LedgerOrgPolicy>;
export const LedgerRoomPolicyRecord = PolicyRecordFields.extend({ policy: LedgerRoomPolicy });
export type LedgerRoomPolicyRecord = LedgerPolicyRecord<LedgerRoomPolicy>;
