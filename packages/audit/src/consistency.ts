/**
 * Consistency proofs (RFC 9162 §2.1.4): the tree of `oldSize` leaves is a prefix of
 * the tree of `newSize` leaves.
 */
import { assertArray, EMPTY_ROOT, assertHash, assertSize, equalHashes, nodeHash } from "./hash";
import { isPowerOfTwo, largestPowerOfTwoBelow } from "./powers";
import { proofFromPlan, rangeRefs, type ProofPlan, type SubtreeHashGetter } from "./subtree";

/**
 * The subtrees whose hashes form the consistency proof from `oldSize` to `newSize`
 * (RFC 9162 §2.1.4.1, SUBPROOF(m, D[n], true)). Empty when oldSize is 0 or equals newSize.
 * @throws RangeError unless 0 <= oldSize <= newSize
 */
export function consistencyProofPlan(oldSize: number, newSize: number): ProofPlan {
  assertSize(oldSize, "oldSize");
  assertSize(newSize, "newSize");
  if (oldSize > newSize) throw new RangeError("oldSize must not exceed newSize");
  if (oldSize === 0 || oldSize === newSize) return [];
  const tail: ProofPlan = [];
  let start = 0;
  let size = newSize;
  let m = oldSize;
  let isWholeOldTree = true;
  while (m !== size) {
    const k = largestPowerOfTwoBelow(size);
    if (m <= k) {
      tail.push(rangeRefs(start + k, start + size));
      size = k;
    } else {
      tail.push(rangeRefs(start, start + k));
      start += k;
      m -= k;
      size -= k;
      isWholeOldTree = false;
    }
  }
  // When the old tree is itself one subtree of the new one, the verifier already has its hash.
  const head = isWholeOldTree ? [] : [rangeRefs(start, start + size)];
  return [...head, ...tail.reverse()];
}

/**
 * The consistency proof from the tree of `oldSize` leaves to the tree of `newSize`.
 * @throws RangeError unless 0 <= oldSize <= newSize, or when the getter lacks a subtree
 */
export function consistencyProof(oldSize: number, newSize: number, getter: SubtreeHashGetter): Uint8Array[] {
  return proofFromPlan(consistencyProofPlan(oldSize, newSize), getter);
}

/**
 * Verifies a consistency proof (RFC 9162 §2.1.4.2). The empty tree is consistent with
 * every tree (empty proof); equal sizes need an empty proof and equal roots.
 * @throws TypeError / RangeError on malformed arguments (never on a merely wrong proof)
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  assertSize(oldSize, "oldSize");
  assertSize(newSize, "newSize");
  assertHash(oldRoot, "oldRoot");
  assertHash(newRoot, "newRoot");
  assertArray(proof, "proof");
  proof.forEach((p, i) => assertHash(p, `proof[${i}]`));
  if (oldSize > newSize) return false;
  if (oldSize === 0) return proof.length === 0 && equalHashes(oldRoot, EMPTY_ROOT);
  if (oldSize === newSize) return proof.length === 0 && equalHashes(oldRoot, newRoot);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalHashes(fr, oldRoot) && equalHashes(sr, newRoot);
}
