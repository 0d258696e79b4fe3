/** Policy state shapes and keys, shared by the Policy and KeyRegistry contracts. */

export interface OrgPolicy {
  /** Default retention of ciphertext in seconds; null keeps messages forever. */
  retentionSeconds: number | null;
  /** Maximum active devices per user; null for no limit. Enforced by KeyRegistry. */
  maxDevicesPerUser: number | null;
  /** Default for rooms without their own policy. */
  forwardingAllowed: boolean;
}

export interface RoomPolicy {
  retentionSeconds: number | null;
  forwardingAllowed: boolean;
  /** Compliance officer's X25519 public key (base64url) when the room is journaled. */
  complianceJournalKey: string | null;
}

export interface PolicyRecord<P> {
  /** "org" or "room:<roomRef>". */
  scope: string;
  /** 1 for the first policy of a scope, +1 per change. */
  version: number;
  policy: P;
  txId: string;
  time: string;
  /** Who changed it: MSP id and SHA-256 of the X.509 identity. */
  author: { mspId: string; idHash: string };
}

export const ORG_SCOPE = "org";
export const roomScope = (roomRef: string) => `room:${roomRef}`;
export const policyKey = (scope: string) => `policy/current/${scope}`;
export const ORG_POLICY_KEY = policyKey(ORG_SCOPE);
export const policyHistoryPrefix = (scope: string) => `policy/history/${scope}/`;
