/** Policy state shapes and keys, shared by the Policy and KeyRegistry contracts. */
import type { LedgerOrgPolicy, LedgerPolicyRecord, LedgerRoomPolicy } from "@cairn/protocol";

/** Organisation rules (the shared @cairn/protocol shape). */
export type OrgPolicy = LedgerOrgPolicy;
/** A room's rules. */
export type RoomPolicy = LedgerRoomPolicy;
/** One version of a scope's policy, with its author and time. */
export type PolicyRecord<P> = LedgerPolicyRecord<P>;

export const ORG_SCOPE = "org";
export const roomScope = (roomRef: string) => `room:${roomRef}`;
export const policyKey = (scope: string) => `policy/current/${scope}`;
export const ORG_POLICY_KEY = policyKey(ORG_SCOPE);
export const policyHistoryPrefix = (scope: string) => `policy/history/${scope}/`;
