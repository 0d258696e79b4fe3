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
  close(): Promise<void>;
}
