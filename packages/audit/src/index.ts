/**
 * @cairn/audit — Cairn's RFC 9162 Merkle log: hashing, compact frontier, inclusion
 * and consistency proofs (isomorphic: browser, server, chaincode).
 */
export { HASH_SIZE, EMPTY_ROOT, leafHash, nodeHash, assertHash, equalHashes } from "./hash";
export {
  emptyFrontier,
  appendLeaves,
  frontierRoot,
  rootFromLeaves,
  assertFrontier,
  bitCount,
  type Frontier,
} from "./frontier";
export {
  rangeRefs,
  hashRefs,
  proofFromPlan,
  subtreeKey,
  MemoryTree,
  type SubtreeRef,
  type SubtreeHashGetter,
  type ProofPlan,
} from "./subtree";
export { inclusionProofPlan, inclusionProof, rootFromInclusionProof, verifyInclusion } from "./inclusion";
export { consistencyProofPlan, consistencyProof, verifyConsistency } from "./consistency";
export { leafHashOfMessage } from "./leaf";
export {
  subtreesOfBatch,
  indexSubtrees,
  storedInclusionProof,
  storedConsistencyProof,
  storedRoot,
  ProofStoreError,
  type StoredSubtree,
  type SubtreeReader,
  type SubtreeStore,
} from "./proof-store";
export {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  BUNDLE_VERSIONS,
  toBundleKeyRecord,
  type LedgerKind,
  type BundleHeader,
  type BundleCompleteness,
  type BundleKeys,
  type BundleKeyRecord,
  type BundleDeviceRecord,
  type BundleCheckpoint,
  type BundleMembership,
  type BundleProof,
  type BundleVersion,
  type BundleMessage,
  type BundlePlaintext,
  type BundleTrailer,
  type BundleLine,
} from "./bundle/format";
export { parseBundleLine, BundleParseError } from "./bundle/parse";
export { BundleWriter, type LineSink, type Sha256Stream } from "./bundle/writer";
export { CSV_COLUMNS, csvField, csvHeaderRow, csvRow } from "./bundle/csv";
export { FINDING_CODES, type Finding, type FindingCode } from "./bundle/findings";
export { PathCache, type NodeHasher } from "./bundle/path-cache";
export { verifyBundle, BundleUnusableError, FINDING_DESCRIPTIONS, type VerifyReport } from "./bundle/verify";
export type { MembershipReport } from "./bundle/checks/membership";
export type { CompletenessReport } from "./bundle/checks/completeness";
export type { VerifyDeps, LedgerView, SignatureJob, WitnessPolicy } from "./bundle/verify-deps";
export { describeCompleteness, describeMembership, describeWitnesses, formatReport } from "./bundle/report";
export {
  checkpointFileLedger,
  CheckpointFileGapError,
  parseCheckpointFile,
  CheckpointFileInvalidError,
  recordCheckpointFile,
  type RecordingLedger,
  type RecordOptions,
} from "./checkpoint-file";
export {
  MEMBERSHIP_PROBLEMS,
  MembershipChainError,
  emptyMembership,
  membershipEventHash,
  applyMembershipEvent,
  replayMembership,
  type MembershipProblemCode,
  type MembershipProblem,
  type CheckedMembershipEvent,
  type MembershipState,
  type MembershipReplay,
  type Ed25519Verify,
} from "./membership-chain";
export {
  checkpointBody,
  parseCheckpointBody,
  cosignatureMessage,
  cosignaturePayload,
  splitCosignature,
  cosignatureClaims,
  formatSignedNote,
  parseSignedNote,
  signatureLine,
  parseSignatureLine,
  noteKeyId,
  noteBytes,
  noteText,
  formatVerifierKey,
  parseVerifierKey,
  sameKeyId,
  NoteError,
  SIG_TYPE_ED25519,
  SIG_TYPE_COSIGNATURE_V1,
  type CheckpointFields,
  type CosignatureClaim,
  type NoteSignature,
  type VerifierKey,
} from "./note/signed-note";
export { addCheckpoint, type WitnessAnswer, type WitnessDeps, type WitnessIdentity, type WitnessLog, type WitnessedTree } from "./note/witness";
export { witnessPolicy } from "./bundle/witness-policy";
