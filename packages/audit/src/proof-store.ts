/**
 * Proof serving from stored perfect-subtree hashes (docs/audit.md). As batches are
 * anchored, every perfect subtree they complete is stored once; a proof then needs
 * only the O(log n) subtrees its plan names, read in one query. Storage is passed
 * in as a {@link SubtreeStore} (packages/db implements it over the AuditNode table),
 * so this file stays isomorphic.
 */
import { assertArray, assertHash, assertSize, equalHashes, nodeHash } from "./hash";
import { consistencyProofPlan } from "./consistency";
import { inclusionProofPlan } from "./inclusion";
import { proofFromPlan, rangeRefs, subtreeKey, type ProofPlan, type SubtreeRef } from "./subtree";

/** The hash of one perfect subtree: (level, index) covers leaves [index·2^level, (index+1)·2^level). */
export interface StoredSubtree {
  level: number;
  index: number;
  hash: Uint8Array;
}

/** Reads stored subtree hashes; absent ones are simply missing from the map (keyed by {@link subtreeKey}). */
export type SubtreeReader = (refs: readonly SubtreeRef[]) => Promise<Map<string, Uint8Array>>;

/** What indexing needs from storage. */
export interface SubtreeStore {
  read: SubtreeReader;
  /** Number of leaves whose subtrees are all stored (the stored prefix of the log). */
  indexedSize(): Promise<number>;
  /** Leaf hashes [from, from + limit) of the log, in order (fewer when the log is shorter). */
  leaves(from: number, limit: number): Promise<Uint8Array[]>;
  /** Stores subtrees; storing one that exists already is a no-op. */
  write(nodes: readonly StoredSubtree[]): Promise<void>;
}

/** Thrown when a stored subtree needed for a proof is missing or the stored tree disagrees with a root. */
export class ProofStoreError extends Error {
  readonly code: "SUBTREE_MISSING" | "ROOT_MISMATCH";
  constructor(code: "SUBTREE_MISSING" | "ROOT_MISMATCH", message: string) {
    super(message);
    this.name = "ProofStoreError";
    this.code = code;
  }
}

/**
 * The perfect subtrees completed by appending `leafHashes` at `startIndex`, given the
 * log's frontier before the batch (the stored subtrees of rangeRefs(0, startIndex),
 * largest first): each new leaf, then each merge it causes, like a binary counter's carries.
 * @throws TypeError / RangeError on a malformed argument or a frontier that does not fit startIndex
 */
export function subtreesOfBatch(
  frontier: readonly StoredSubtree[],
  startIndex: number,
  leafHashes: readonly Uint8Array[],
): StoredSubtree[] {
  assertSize(startIndex, "startIndex");
  assertArray(frontier, "frontier");
  assertArray(leafHashes, "leafHashes");
  const expected = rangeRefs(0, startIndex);
  if (frontier.length !== expected.length) throw new RangeError("frontier must hold one subtree per set bit of startIndex");
  const stack: StoredSubtree[] = frontier.map((node, i) => {
    const ref = expected[i] as SubtreeRef;
    assertHash(node.hash, `frontier[${i}].hash`);
    if (node.level !== ref.level || node.index !== ref.index) throw new RangeError(`frontier[${i}] is not subtree ${subtreeKey(ref.level, ref.index)}`);
    return node;
  });
  const out: StoredSubtree[] = [];
  for (const [i, hash] of leafHashes.entries()) {
    assertHash(hash, `leafHashes[${i}]`);
    let node: StoredSubtree = { level: 0, index: startIndex + i, hash };
    out.push(node);
    for (let top = stack[stack.length - 1]; top !== undefined && top.level === node.level; top = stack[stack.length - 1]) {
      stack.pop();
      node = { level: node.level + 1, index: top.index / 2, hash: nodeHash(top.hash, node.hash) };
      out.push(node);
    }
    stack.push(node);
  }
  return out;
}

/** RFC 9162 root of the first `size` leaves from the stored subtrees of rangeRefs(0, size). */
function rootOf(frontier: readonly StoredSubtree[]): Uint8Array | null {
  const last = frontier[frontier.length - 1];
  if (last === undefined) return null;
  let root = last.hash;
  for (let i = frontier.length - 2; i >= 0; i--) root = nodeHash((frontier[i] as StoredSubtree).hash, root);
  return root;
}

async function frontierOf(read: SubtreeReader, size: number): Promise<StoredSubtree[]> {
  const refs = rangeRefs(0, size);
  const found = await read(refs);
  return refs.map((r) => {
    const hash = found.get(subtreeKey(r.level, r.index));
    if (!hash) throw new ProofStoreError("SUBTREE_MISSING", `stored subtree ${subtreeKey(r.level, r.index)} is missing`);
    return { ...r, hash };
  });
}

/**
 * Stores the subtrees of every leaf up to `treeSize` that are not stored yet (an
 * anchored checkpoint's size), reading the leaves in chunks: incremental, resumable
 * after a crash, and idempotent. When `expectedRoot` is given (the checkpoint's root),
 * the stored tree must reproduce it before anything is written.
 * @returns the number of leaves newly indexed
 * @throws ProofStoreError ROOT_MISMATCH when the stored leaves do not hash to expectedRoot; SUBTREE_MISSING on a damaged store
 * @throws RangeError when the log holds fewer than treeSize leaves
 */
export async function indexSubtrees(
  store: SubtreeStore,
  treeSize: number,
  opts: {
    expectedRoot?: Uint8Array;
    chunk?: number;
    /** Leaf hashes the caller already holds (e.g. the batch just anchored): not read again. */
    known?: { from: number; leafHashes: readonly Uint8Array[] };
  } = {},
): Promise<number> {
  assertSize(treeSize, "treeSize");
  const chunk = opts.chunk ?? 10_000;
  const from = await store.indexedSize();
  if (from >= treeSize) return 0;
  let frontier = await frontierOf(store.read, from);
  let pending: StoredSubtree[] = [];
  for (let start = from; start < treeSize; ) {
    const want = Math.min(chunk, treeSize - start);
    const k = opts.known;
    const leaves =
      k && start >= k.from && start + want <= k.from + k.leafHashes.length
        ? k.leafHashes.slice(start - k.from, start - k.from + want)
        : await store.leaves(start, want);
    if (leaves.length === 0) throw new RangeError(`the log has only ${start} leaves, not ${treeSize}`);
    const nodes = subtreesOfBatch(frontier, start, leaves);
    start += leaves.length;
    // The new frontier: the subtrees of rangeRefs(0, start), all among old frontier + new nodes.
    const byKey = new Map<string, StoredSubtree>();
    for (const n of [...frontier, ...nodes]) byKey.set(subtreeKey(n.level, n.index), n);
    frontier = rangeRefs(0, start).map((r) => byKey.get(subtreeKey(r.level, r.index)) as StoredSubtree);
    pending = pending.concat(nodes);
    if (start < treeSize && pending.length < 4 * chunk) continue;
    if (start >= treeSize && opts.expectedRoot) {
      const root = rootOf(frontier);
      if (!root || !equalHashes(root, opts.expectedRoot)) {
        throw new ProofStoreError("ROOT_MISMATCH", `stored leaves do not hash to the checkpoint root at size ${treeSize}`);
      }
    }
    await store.write(pending);
    pending = [];
  }
  return treeSize - from;
}

async function resolve(read: SubtreeReader, plan: ProofPlan): Promise<Uint8Array[]> {
  const refs = plan.flat();
  const found = await read(refs);
  return proofFromPlan(plan, (level, index) => {
    const hash = found.get(subtreeKey(level, index));
    if (!hash) throw new ProofStoreError("SUBTREE_MISSING", `stored subtree ${subtreeKey(level, index)} is missing`);
    return hash;
  });
}

/**
 * Inclusion proof of leaf `leafIndex` in the tree of `treeSize` leaves, from stored
 * subtrees: one read of at most ~2·log2(treeSize) nodes.
 * @throws RangeError unless 0 <= leafIndex < treeSize
 * @throws ProofStoreError SUBTREE_MISSING when treeSize is beyond what is indexed
 */
export async function storedInclusionProof(read: SubtreeReader, leafIndex: number, treeSize: number): Promise<Uint8Array[]> {
  return resolve(read, inclusionProofPlan(leafIndex, treeSize));
}

/**
 * Consistency proof from `fromSize` to `toSize` leaves, from stored subtrees (one read).
 * @throws RangeError unless 0 <= fromSize <= toSize
 * @throws ProofStoreError SUBTREE_MISSING when toSize is beyond what is indexed
 */
export async function storedConsistencyProof(read: SubtreeReader, fromSize: number, toSize: number): Promise<Uint8Array[]> {
  return resolve(read, consistencyProofPlan(fromSize, toSize));
}

/**
 * Root of the first `treeSize` leaves from stored subtrees (one read of log2 nodes).
 * @throws ProofStoreError SUBTREE_MISSING when treeSize is beyond what is indexed
 */
export async function storedRoot(read: SubtreeReader, treeSize: number): Promise<Uint8Array | null> {
  assertSize(treeSize, "treeSize");
  return rootOf(await frontierOf(read, treeSize));
}
