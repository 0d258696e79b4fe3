/**
 * Proofs are assembled from hashes of perfect subtrees. A perfect subtree at
 * (level, index) covers leaves [index·2^level, (index+1)·2^level); once the log has
 * that many leaves its hash never changes, so it can be stored and read back.
 * Proof generation asks a {@link SubtreeHashGetter} for these hashes: an in-memory
 * tree ({@link MemoryTree}) or stored nodes (O(log n) reads per proof; fetch
 * the refs of a plan in one query and pass a Map-backed getter).
 */
import { assertArray, assertHash, assertSize, nodeHash } from "./hash";

/** A perfect subtree: `level` 0 is a single leaf. */
export interface SubtreeRef {
  readonly level: number;
  readonly index: number;
}

/** Returns the hash of the perfect subtree at (level, index). */
export type SubtreeHashGetter = (level: number, index: number) => Uint8Array;

/**
 * A proof element is the hash of one RFC 9162 subtree, which is a perfect subtree
 * or, on the right edge of the tree, a fold of several: a plan lists, per element,
 * the perfect subtrees it is made of, left to right.
 */
export type ProofPlan = SubtreeRef[][];

/**
 * The perfect subtrees that make up the RFC 9162 subtree over leaves [start, end):
 * one per set bit of its length, largest first. `start` must be aligned as the RFC's
 * recursion aligns it (a multiple of the largest power of two below the length).
 */
export function rangeRefs(start: number, end: number): SubtreeRef[] {
  const refs: SubtreeRef[] = [];
  let offset = start;
  let remaining = end - start;
  while (remaining > 0) {
    let size = 1;
    let level = 0;
    while (size * 2 <= remaining) {
      size *= 2;
      level += 1;
    }
    refs.push({ level, index: offset / size });
    offset += size;
    remaining -= size;
  }
  return refs;
}

/**
 * Hash of a subtree made of the given perfect subtrees (folded from the right).
 * @throws RangeError on an empty list; TypeError / RangeError on a bad getter result
 */
export function hashRefs(refs: readonly SubtreeRef[], getter: SubtreeHashGetter): Uint8Array {
  const last = refs[refs.length - 1];
  if (last === undefined) throw new RangeError("a subtree needs at least one node");
  let hash = getter(last.level, last.index);
  assertHash(hash, "subtree hash");
  for (let i = refs.length - 2; i >= 0; i--) {
    const ref = refs[i] as SubtreeRef;
    const left = getter(ref.level, ref.index);
    assertHash(left, "subtree hash");
    hash = nodeHash(left, hash);
  }
  return hash;
}

/** Resolves a proof plan into proof hashes. */
export function proofFromPlan(plan: ProofPlan, getter: SubtreeHashGetter): Uint8Array[] {
  return plan.map((refs) => hashRefs(refs, getter));
}

/** Key for a perfect subtree, for Map-backed getters over stored nodes. */
export function subtreeKey(level: number, index: number): string {
  return `${level}:${index}`;
}

/**
 * Every level of perfect-subtree hashes over a list of leaf hashes, kept in memory:
 * a getter with O(1) lookups for tests, exports and small logs.
 */
export class MemoryTree {
  private readonly levels: Uint8Array[][];

  /** @throws TypeError / RangeError when a leaf hash is malformed */
  constructor(leafHashes: readonly Uint8Array[]) {
    assertArray(leafHashes, "leafHashes");
    leafHashes.forEach((leaf, i) => assertHash(leaf, `leafHashes[${i}]`));
    this.levels = [[...leafHashes]];
    for (let below = this.levels[0] as Uint8Array[]; below.length >= 2; ) {
      const level: Uint8Array[] = [];
      for (let i = 0; i + 1 < below.length; i += 2) level.push(nodeHash(below[i] as Uint8Array, below[i + 1] as Uint8Array));
      this.levels.push(level);
      below = level;
    }
  }

  get size(): number {
    return (this.levels[0] as Uint8Array[]).length;
  }

  /** @throws RangeError when the subtree is not complete in this tree */
  readonly getter: SubtreeHashGetter = (level, index) => {
    assertSize(level, "level");
    assertSize(index, "index");
    const hash = this.levels[level]?.[index];
    if (hash === undefined) throw new RangeError(`no complete subtree at level ${level}, index ${index}`);
    return hash;
  };
}
