/**
 * What the bundle verifier needs from its host, passed in so the same core runs in
 * Node (CLI) and the browser (compliance page): the ledger to check against, an
 * Ed25519 verifier and, optionally, faster hashing and decoding and an AEAD opener
 * for disclosed plaintext.
 */
import type { Envelope } from "@cairn/protocol";
import type { VerifierKey } from "../note/signed-note";

/** The parts of @cairn/ledger's Ledger the verifier reads (structurally the same types). */
export interface LedgerView {
  getKeys(userRef: string): Promise<{
    userRef: string;
    identityPublicKey: string;
    devices: { deviceId: string; signingPublicKey: string; agreementPublicKey: string; signature: string; revokedAtMs: number | null }[];
  } | null>;
  getCheckpoint(treeSize: number): Promise<{ treeSize: number; rootHash: string; txId: string; time: string } | null>;
  getLeaf(index: number): Promise<{ index: number; leafHash: string } | null>;
  /** The room's head as of the checkpoint of `treeSize` (Audit:GetRoomHead); without it completeness is not checked. */
  getRoomHead?(roomRef: string, treeSize: number): Promise<{ roomSeq: number; leafIndex: number; treeSize: number } | null>;
}

/** One Ed25519 check. */
export interface SignatureJob {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

/** Which witnesses must have cosigned each checkpoint: `required` of `witnesses` (k of n). */
export interface WitnessPolicy {
  witnesses: readonly VerifierKey[];
  required: number;
}

export interface VerifyDeps {
  /** k of n witnesses' cosignatures required on every checkpoint; none required when absent. */
  witnessPolicy?: WitnessPolicy;
  /** The chain to check against: the ledger's own records, never Cairn's database. */
  ledger: LedgerView;
  /** Ed25519 signature check (libsodium, WebCrypto or node:crypto). */
  verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /**
   * Optional: many Ed25519 checks at once (e.g. on worker threads), results in job order.
   * When given, envelope signatures go through it in batches; certificates still use verifyEd25519.
   */
  verifyEd25519Batch?: (jobs: readonly SignatureJob[]) => Promise<boolean[]>;
  /** SHA-256; defaults to @noble/hashes (pass node:crypto's for speed). */
  sha256?: (data: Uint8Array) => Uint8Array;
  /** Incremental SHA-256 over the bundle's text (the trailer hash); defaults to @noble/hashes over UTF-8. */
  createLineHash?: () => { update(text: string): unknown; digest(): Uint8Array };
  /** base64url decoding; defaults to @cairn/protocol's strict decoder. */
  decodeBase64Url?: (text: string) => Uint8Array;
  /** XChaCha20-Poly1305 open of the envelope under a disclosed message key (AD = canonical header); null when it fails. */
  openEnvelope?(envelope: Envelope, messageKey: Uint8Array): Uint8Array | null;
  /** Called every few hundred lines and at the end. */
  onProgress?(progress: { lines: number; messages: number }): void;
  /** Keep at most this many findings in the report (counts stay exact). Default 10,000. */
  maxFindings?: number;
}
