/**
 * Inclusion proofs of many leaves in one tree, verified with few hashes: RFC 9162
 * §2.1.3.2's walk from the leaf to the root, remembering the nodes of the last
 * verified path. A later proof that reaches one of those nodes (same height, same
 * position) must produce the same hash there, and the rest of its path is then known
 * to lead to the root (SHA-256 collision resistance). Consecutive messages of a room
 * share all but the lowest nodes of their paths, so most proofs cost a few hashes
 * instead of log2(n); memory stays O(log n).
 */
import { equalHashes } from "../hash";

export type NodeHasher = (left: Uint8Array, right: Uint8Array) => Uint8Array;

interface Known {
  fn: number;
  hash: Uint8Array;
  /** The verified proof this node was on, and how many of its elements lie below the node. */
  proof: readonly Uint8Array[];
  used: number;
}

/** The proof elements above two nodes at the same position must be equal too (the proof is exact, not just sufficient). */
function sameRest(a: readonly Uint8Array[], aFrom: number, b: readonly Uint8Array[], bFrom: number): boolean {
  if (a.length - aFrom !== b.length - bFrom) return false;
  for (let i = 0; aFrom + i < a.length; i++) if (!equalHashes(a[aFrom + i] as Uint8Array, b[bFrom + i] as Uint8Array)) return false;
  return true;
}

export class PathCache {
  private known: (Known | undefined)[] = [];

  constructor(
    readonly treeSize: number,
    private readonly root: Uint8Array,
    private readonly nodeHash: NodeHasher,
  ) {}

  /** True when `proof` proves `leaf` is leaf `index` of this tree. Never throws on a wrong proof. */
  verify(leaf: Uint8Array, index: number, proof: readonly Uint8Array[]): boolean {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.treeSize) return false;
    let fn = index;
    let sn = this.treeSize - 1;
    let level = 0;
    let r = leaf;
    const seen: (Known | undefined)[] = [];
    // Every remembered node was on a verified path, so matching any of them proves the rest.
    const at = (used: number): boolean | null => {
      const k = this.known[level];
      if (k === undefined || k.fn !== fn) return null;
      const ok = equalHashes(k.hash, r) && sameRest(k.proof, k.used, proof, used);
      if (ok) this.remember(seen);
      return ok;
    };
    for (let used = 0; used < proof.length; used++) {
      const hit = at(used);
      if (hit !== null) return hit;
      seen[level] = { fn, hash: r, proof, used };
      if (sn === 0) return false;
      const p = proof[used] as Uint8Array;
      if (fn % 2 === 1 || fn === sn) {
        r = this.nodeHash(p, r);
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
          level += 1;
        }
      } else {
        r = this.nodeHash(r, p);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
      level += 1;
    }
    const hit = at(proof.length);
    if (hit !== null) return hit;
    if (sn !== 0 || !equalHashes(r, this.root)) return false;
    seen[level] = { fn, hash: r, proof, used: proof.length };
    this.remember(seen);
    return true;
  }

  private remember(seen: readonly (Known | undefined)[]): void {
    seen.forEach((k, level) => {
      if (k) this.known[level] = k;
    });
  }
}
