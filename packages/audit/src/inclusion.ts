/**
 * Inclusion proofs (RFC 9162 §2.1.3): the audit path from a leaf to the root.
 */
import { assertArray, assertHash, assertSize, equalHashes, nodeHash } from "./hash";
import { largestPowerOfTwoBelow } from "./powers";
import { proofFromPlan, rangeRefs, type ProofPlan, type SubtreeHashGetter } from "./subtree";

/**
 * The subtrees whose hashes form the inclusion proof of leaf `index` in a tree of
 * `treeSize` leaves, ordered from the leaf upwards (RFC 9162 §2.1.3.1, PATH(m, D[n])).
 * @throws RangeError unless 0 <= index < treeSize
 */
export function inclusionProofPlan(index: number, treeSize: number): ProofPlan {
  assertSize(index, "index");
  assertSize(treeSize, "treeSize");
  if (index >= treeSize) throw new RangeError("index must be below treeSize");
  const plan: ProofPlan = [];
  let start = 0;
  let size = treeSize;
  let m = index;
  while (size > 1) {
    const k = largestPowerOfTwoBelow(size);
    if (m < k) {
      plan.push(rangeRefs(start + k, start + size));
      size = k;
    } else {
      plan.push(rangeRefs(start, start + k));
      start += k;
      m -= k;
      size -= k;
    }
  }
  return plan.reverse();
}

/**
 * The inclusion proof of leaf `index` in the tree of `treeSize` leaves.
 * @throws RangeError unless 0 <= index < treeSize, or when the getter lacks a subtree
 */
export function inclusionProof(index: number, treeSize: number, getter: SubtreeHashGetter): Uint8Array[] {
  return proofFromPlan(inclusionProofPlan(index, treeSize), getter);
}

function assertProof(proof: readonly Uint8Array[]): void {
  assertArray(proof, "proof");
  proof.forEach((p, i) => assertHash(p, `proof[${i}]`));
}

/**
 * The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or null when the proof
 * cannot belong to that index and size (wrong length).
 * @throws TypeError / RangeError on malformed arguments
 */
export function rootFromInclusionProof(
  leaf: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
): Uint8Array | null {
  assertHash(leaf, "leaf");
  assertSize(index, "index");
  assertSize(treeSize, "treeSize");
  assertProof(proof);
  if (index >= treeSize) return null;
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      // A right-edge node without a sibling is promoted: skip levels until fn is a right child.
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

/**
 * Verifies that `leaf` is leaf `index` of the tree of `treeSize` leaves with `root`.
 * @throws TypeError / RangeError on malformed arguments (never on a merely wrong proof)
 */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  assertHash(root, "root");
  const computed = rootFromInclusionProof(leaf, index, treeSize, proof);
  return computed !== null && equalHashes(computed, root);
}
