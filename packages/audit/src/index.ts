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
