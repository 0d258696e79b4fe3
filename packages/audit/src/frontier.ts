/**
 * The compact frontier of a left-filled Merkle tree: the roots of its perfect
 * subtrees, one per set bit of the tree size, largest (leftmost) first. It is all
 * that is needed to append leaves and to compute the root (RFC 9162 MTH), so the
 * chaincode keeps only this on chain, O(log n) hashes.
 */
import { assertArray, EMPTY_ROOT, assertHash, assertSize, nodeHash } from "./hash";

export interface Frontier {
  /** Number of leaves in the tree. */
  readonly treeSize: number;
  /** Perfect-subtree roots by the bits of treeSize, high bit (leftmost subtree) first. */
  readonly nodes: readonly Uint8Array[];
}

/** Number of set bits of a safe integer (popcount beyond 32 bits). */
export function bitCount(n: number): number {
  let count = 0;
  for (let v = n; v > 0; v = Math.floor(v / 2)) count += v % 2;
  return count;
}

/** The frontier of the empty tree. */
export function emptyFrontier(): Frontier {
  return { treeSize: 0, nodes: [] };
}

/**
 * Checks a frontier's shape: a valid size and one 32-byte hash per set bit.
 * @throws TypeError / RangeError on a malformed frontier
 */
export function assertFrontier(frontier: Frontier): void {
  if (typeof frontier !== "object" || frontier === null) throw new TypeError("frontier must be an object");
  assertSize(frontier.treeSize, "frontier.treeSize");
  assertArray(frontier.nodes, "frontier.nodes");
  if (frontier.nodes.length !== bitCount(frontier.treeSize)) {
    throw new RangeError("frontier.nodes must hold one hash per set bit of treeSize");
  }
  frontier.nodes.forEach((node, i) => assertHash(node, `frontier.nodes[${i}]`));
}

/**
 * Appends leaf hashes, returning a new frontier (the input is not modified).
 * Each append merges equal-sized subtrees like a binary counter's carries.
 * @throws TypeError / RangeError on a malformed frontier or leaf hash
 */
export function appendLeaves(frontier: Frontier, leafHashes: readonly Uint8Array[]): Frontier {
  assertFrontier(frontier);
  assertArray(leafHashes, "leafHashes");
  const nodes = [...frontier.nodes];
  let treeSize = frontier.treeSize;
  for (const [i, leaf] of leafHashes.entries()) {
    assertHash(leaf, `leafHashes[${i}]`);
    let carry = leaf;
    // Each trailing 1 bit of the old size is a subtree of the same size as `carry`.
    for (let s = treeSize; s % 2 === 1; s = Math.floor(s / 2)) {
      const left = nodes.pop();
      if (left === undefined) throw new Error("unreachable: frontier shorter than its size");
      carry = nodeHash(left, carry);
    }
    nodes.push(carry);
    treeSize += 1;
  }
  assertSize(treeSize, "treeSize");
  return { treeSize, nodes };
}

/**
 * The RFC 9162 Merkle Tree Hash of the tree the frontier describes: the subtree
 * roots folded from the right (the right part of an unbalanced tree is the smaller one).
 * @throws TypeError / RangeError on a malformed frontier
 */
export function frontierRoot(frontier: Frontier): Uint8Array {
  assertFrontier(frontier);
  const nodes = frontier.nodes;
  const last = nodes[nodes.length - 1];
  if (last === undefined) return EMPTY_ROOT.slice();
  let root = last;
  for (let i = nodes.length - 2; i >= 0; i--) root = nodeHash(nodes[i] as Uint8Array, root);
  return root;
}

/**
 * MTH of a list of leaf hashes.
 * @throws TypeError / RangeError when a leaf hash is malformed
 */
export function rootFromLeaves(leafHashes: readonly Uint8Array[]): Uint8Array {
  return frontierRoot(appendLeaves(emptyFrontier(), leafHashes));
}
