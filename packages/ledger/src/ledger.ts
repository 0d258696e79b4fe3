/**
 * The one ledger interface Cairn's apps use (DESIGN §6). Two implementations run
 * the same chaincode contracts: `embedded` (in-process, PostgreSQL world state and a
 * hash-chained block log) and `fabric` (@hyperledger/fabric-gateway).
 * Bytes cross this interface as base64url (keys, signatures) or lowercase hex (hashes).
 */

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

export interface LedgerDeviceRecord {
  deviceId: string;
  signingPublicKey: string;
  agreementPublicKey: string;
  signature: string;
  registeredTxId: string;
  registeredAt: string;
  revokedAtMs: number | null;
  revokedTxId: string | null;
  /** Time of the revoking transaction (optional: added after the first cut). */
  revokedAt?: string | null;
  /** Identity key's signature over deviceRevocationBytes, when revoked. */
  revocationSignature?: string | null;
}

export interface LedgerKeyRecord {
  userRef: string;
  identityPublicKey: string;
  registeredTxId: string;
  registeredAt: string;
  devices: LedgerDeviceRecord[];
  /** Earlier identity keys replaced by an admin recovery (KeyRegistry:RecoverIdentity), oldest first. */
  identityHistory?: {
    identityPublicKey: string;
    registeredTxId: string;
    registeredAt: string;
    replacedTxId: string;
    replacedAt: string;
    reason: string;
    replacedBy: { mspId: string; idHash: string };
  }[];
}

/** A checkpoint of the audit log as the chain records it. */
export interface LedgerCheckpoint {
  treeSize: number;
  /** RFC 9162 root hash, hex. */
  rootHash: string;
  txId: string;
  /** ISO time of the committing transaction. */
  time: string;
}

export interface LedgerLeaf {
  index: number;
  leafHash: string;
  /** The checkpoint written by the batch that appended this leaf. */
  checkpoint: LedgerCheckpoint;
}

/** One appended batch as the chain keeps it. */
export interface LedgerBatch {
  startIndex: number;
  /** Tree size after the batch (its end, exclusive). */
  treeSize: number;
  /** Leaf hashes (hex) of leaves [startIndex, treeSize). */
  leafHashes: string[];
  checkpoint: LedgerCheckpoint;
}

/** Organisation rules (chaincode Policy contract, DESIGN §5). */
export interface LedgerOrgPolicy {
  /** Default retention of ciphertext in seconds (>= 60); null keeps messages forever. */
  retentionSeconds: number | null;
  /** Maximum active devices per user (1..1000); null for no limit. */
  maxDevicesPerUser: number | null;
  forwardingAllowed: boolean;
}

/** A room's rules (chaincode Policy contract, DESIGN §5). */
export interface LedgerRoomPolicy {
  retentionSeconds: number | null;
  forwardingAllowed: boolean;
  /** Compliance officer's X25519 public key (base64url, 32 bytes) when the room is journaled. */
  complianceJournalKey: string | null;
}

/** One version of a policy as the chain records it: who changed it, and when. */
export interface LedgerPolicyRecord<P> {
  /** "org" or "room:<roomRef>". */
  scope: string;
  /** 1 for a scope's first policy, +1 per change. */
  version: number;
  policy: P;
  txId: string;
  /** ISO time of the committing transaction. */
  time: string;
  /** The admin who made the change: MSP id and SHA-256 hex of the identity's id. */
  author: { mspId: string; idHash: string };
}

export interface AppendBatchInput {
  /** Index of the first leaf; must equal the chain's current tree size (or replay a stored batch). */
  startIndex: number;
  /** Leaf hashes (hex, 32 bytes each) in log order. */
  leafHashes: string[];
}

export interface Ledger {
  readonly kind: "embedded" | "fabric";
  registerIdentity(input: IdentityRegistration): Promise<TxReceipt>;
  registerDevice(input: DeviceKeyRegistration): Promise<TxReceipt>;
  revokeDevice(input: DeviceRevocation): Promise<TxReceipt>;
  getKeys(userRef: string): Promise<LedgerKeyRecord | null>;
  /** Appends a batch; replaying an already appended batch returns its checkpoint unchanged. */
  appendBatch(input: AppendBatchInput): Promise<LedgerCheckpoint>;
  getLatestCheckpoint(): Promise<LedgerCheckpoint | null>;
  getCheckpoint(treeSize: number): Promise<LedgerCheckpoint | null>;
  getLeaf(index: number): Promise<LedgerLeaf | null>;
  /**
   * The whole batch holding leaf `index` (chaincode Audit:GetBatch): lets a verifier
   * check many leaves per ledger call. Optional until every implementation has it.
   */
  getBatch?(index: number): Promise<LedgerBatch | null>;
  /**
   * Sets a room's policy (Policy:SetRoomPolicy). Only admins may: any other identity is
   * refused by the contract (LedgerError / FabricLedgerError with code FORBIDDEN).
   */
  setRoomPolicy(roomRef: string, policy: LedgerRoomPolicy): Promise<LedgerPolicyRecord<LedgerRoomPolicy>>;
  getRoomPolicy(roomRef: string): Promise<LedgerPolicyRecord<LedgerRoomPolicy> | null>;
  /** Sets the organisation policy (Policy:SetOrgPolicy); admins only, as setRoomPolicy. */
  setOrgPolicy(policy: LedgerOrgPolicy): Promise<LedgerPolicyRecord<LedgerOrgPolicy>>;
  getOrgPolicy(): Promise<LedgerPolicyRecord<LedgerOrgPolicy> | null>;
  close(): Promise<void>;
}
