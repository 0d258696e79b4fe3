/**
 * The one ledger interface Cairn's apps use (packages/ledger/README.md). Two implementations run
 * the same chaincode contracts: `embedded` (in-process, PostgreSQL world state and a
 * hash-chained block log) and `fabric` (@hyperledger/fabric-gateway).
 * Bytes cross this interface as base64url (keys, signatures) or lowercase hex (hashes).
 */
import type {
  LedgerBatch,
  LedgerCheckpoint,
  LedgerKeyRecord,
  LedgerLeaf,
  LedgerOrgPolicy,
  LedgerPolicyRecord,
  LedgerRoomPolicy,
  LedgerRoomHead,
  LedgerRoomHeadInput,
} from "@cairn/protocol";

/** Where and when a ledger transaction was committed. */
export interface TxReceipt {
  txId: string;
  /** Commit time as the ledger records it (the transaction timestamp). */
  timestamp: Date;
}

export interface IdentityRegistration {
  /** HMAC(serverSecret, userId) in hex: nothing personal goes on chain. */
  userRef: string;
  identityPublicKey: string;
}

export interface DeviceKeyRegistration {
  userRef: string;
  deviceId: string;
  signingPublicKey: string;
  agreementPublicKey: string;
  /** Identity key's Ed25519 signature over deviceCertificateBytes (checked by the chaincode). */
  signature: string;
}

export interface DeviceRevocation {
  userRef: string;
  deviceId: string;
  revokedAtMs: number;
  /** Identity key's signature over deviceRevocationBytes. */
  signature: string;
}

/** Offboarding: every active device of the user revoked, unsigned (KeyRegistry:DeactivateUser). */
export interface UserDeactivation {
  userRef: string;
  /** The Cairn audit leaf that records the deactivation (who, when). */
  auditLeafIndex: number;
}

/**
 * The chain's records, as @cairn/protocol defines them once (zod schema and type of
 * the same name): both ledgers parse what the chaincode returns with those schemas.
 */
export type {
  LedgerBatch,
  LedgerCheckpoint,
  LedgerDeviceRecord,
  LedgerKeyRecord,
  LedgerLeaf,
  LedgerOrgPolicy,
  LedgerPolicyRecord,
  LedgerRoomPolicy,
  LedgerRoomHead,
  LedgerRoomHeadInput,
} from "@cairn/protocol";

export interface AppendBatchInput {
  /** Index of the first leaf; must equal the chain's current tree size (or replay a stored batch). */
  startIndex: number;
  /** Leaf hashes (hex, 32 bytes each) in log order. */
  leafHashes: string[];
  /** The head of each room whose messages the batch holds (docs/audit.md "Completeness"); none when absent. */
  roomHeads?: LedgerRoomHeadInput[];
}

export interface Ledger {
  readonly kind: "embedded" | "fabric";
  registerIdentity(input: IdentityRegistration): Promise<TxReceipt>;
  registerDevice(input: DeviceKeyRegistration): Promise<TxReceipt>;
  revokeDevice(input: DeviceRevocation): Promise<TxReceipt>;
  /**
   * Revokes every active device of a deactivated account and refuses new ones; the
   * service identity or an admin may. A second call returns the first one's receipt.
   */
  deactivateUser(input: UserDeactivation): Promise<TxReceipt>;
  getKeys(userRef: string): Promise<LedgerKeyRecord | null>;
  /** Appends a batch; replaying an already appended batch returns its checkpoint unchanged. */
  appendBatch(input: AppendBatchInput): Promise<LedgerCheckpoint>;
  getLatestCheckpoint(): Promise<LedgerCheckpoint | null>;
  getCheckpoint(treeSize: number): Promise<LedgerCheckpoint | null>;
  getLeaf(index: number): Promise<LedgerLeaf | null>;
  /** A room's head as of the checkpoint of `treeSize` (Audit:GetRoomHead), or null before its first anchored message. */
  getRoomHead(roomRef: string, treeSize: number): Promise<LedgerRoomHead | null>;
  /**
   * The whole batch holding leaf `index` (chaincode Audit:GetBatch): lets a verifier
   * check many leaves per ledger call. Optional until every implementation has it.
   */
  getBatch?(index: number): Promise<LedgerBatch | null>;
  /**
   * Sets a room's policy (Policy:SetRoomPolicy). Only admins may: any other identity is
   * refused by the contract (LedgerError with code FORBIDDEN).
   */
  setRoomPolicy(roomRef: string, policy: LedgerRoomPolicy): Promise<LedgerPolicyRecord<LedgerRoomPolicy>>;
  getRoomPolicy(roomRef: string): Promise<LedgerPolicyRecord<LedgerRoomPolicy> | null>;
  /** Sets the organisation policy (Policy:SetOrgPolicy); admins only, as setRoomPolicy. */
  setOrgPolicy(policy: LedgerOrgPolicy): Promise<LedgerPolicyRecord<LedgerOrgPolicy>>;
  getOrgPolicy(): Promise<LedgerPolicyRecord<LedgerOrgPolicy> | null>;
  /** Every version of the organisation policy, oldest first (Policy:GetPolicyHistory), with author and transaction. */
  getOrgPolicyHistory(): Promise<LedgerPolicyRecord<LedgerOrgPolicy>[]>;
  /** Every version of a room's policy, oldest first. */
  getRoomPolicyHistory(roomRef: string): Promise<LedgerPolicyRecord<LedgerRoomPolicy>[]>;
  close(): Promise<void>;
}
