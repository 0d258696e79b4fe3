import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { rootFromLeaves } from "./frontier";
import {
  indexSubtrees,
  ProofStoreError,
  storedConsistencyProof,
  storedInclusionProof,
  storedRoot,
  subtreesOfBatch,
  type StoredSubtree,
  type SubtreeStore,
} from "./proof-store";
import { leavesOfSize } from "./proofs.testutil";
import { refConsistency, refPath } from "./reference.testutil";
import { MemoryTree, rangeRefs, subtreeKey, type SubtreeRef } from "./subtree";

/** A SubtreeStore over Maps: the same contract the AuditNode table fulfils, counting reads. */
class MapStore implements SubtreeStore {
  readonly nodes = new Map<string, Uint8Array>();
  reads = 0;
  readRefs = 0;
  constructor(private readonly log: Uint8Array[]) {}
  read = (refs: readonly SubtreeRef[]) => {
    this.reads += 1;
    this.readRefs += refs.length;
    const out = new Map<string, Uint8Array>();
    for (const r of refs) {
      const hash = this.nodes.get(subtreeKey(r.level, r.index));
      if (hash) out.set(subtreeKey(r.level, r.index), hash);
    }
    return Promise.resolve(out);
  };
  indexedSize() {
    let n = 0;
    while (this.nodes.has(subtreeKey(0, n))) n++;
    return Promise.resolve(n);
  }
  leaves(from: number, limit: number) {
    return Promise.resolve(this.log.slice(from, from + limit));
  }
  write(nodes: readonly StoredSubtree[]) {
    for (const n of nodes) if (!this.nodes.has(subtreeKey(n.level, n.index))) this.nodes.set(subtreeKey(n.level, n.index), n.hash);
    return Promise.resolve();
  }
}

/** Every perfect subtree of the tree of `size` leaves, as the reference tree has them. */
function allPerfect(leaves: Uint8Array[], size: number): Map<string, Uint8Array> {
  const tree = new MemoryTree(leaves.slice(0, size));
  const out = new Map<string, Uint8Array>();
  for (let level = 0; 2 ** level <= size; level++) {
    for (let index = 0; (index + 1) * 2 ** level <= size; index++) out.set(subtreeKey(level, index), tree.getter(level, index));
  }
  return out;
}

describe("subtreesOfBatch", () => {
  test("a batch from the empty tree yields every perfect subtree it completes", () => {
    const leaves = leavesOfSize(11, 1);
    const nodes = subtreesOfBatch([], 0, leaves);
    const expected = allPerfect(leaves, 11);
    expect(new Map(nodes.map((n) => [subtreeKey(n.level, n.index), n.hash]))).toEqual(expected);
  });

  test("rejects a frontier that does not match the start index", () => {
    const leaves = leavesOfSize(4, 2);
    expect(() => subtreesOfBatch([], 3, leaves)).toThrow(RangeError);
    expect(() => subtreesOfBatch([{ level: 1, index: 0, hash: leaves[0] as Uint8Array }], 3, leaves)).toThrow(RangeError);
    expect(() => subtreesOfBatch([], 0, ["x" as unknown as Uint8Array])).toThrow(TypeError);
  });
});

describe("indexSubtrees over many batches", () => {
  test("property: stored nodes equal the reference tree's perfect subtrees; proofs equal the RFC's", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 17 }),
        fc.nat(1_000),
        async (batches, chunk, salt) => {
          const total = batches.reduce((a, b) => a + b, 0);
          const leaves = leavesOfSize(total, salt);
          const store = new MapStore(leaves);
          let size = 0;
          const checkpoints: number[] = [];
          for (const b of batches) {
            size += b;
            checkpoints.push(size);
            const added = await indexSubtrees(store, size, { expectedRoot: rootFromLeaves(leaves.slice(0, size)), chunk });
            expect(added).toBe(b);
          }
          expect(store.nodes).toEqual(allPerfect(leaves, total));
          for (const t of checkpoints) {
            const index = salt % t;
            const before = store.reads;
            expect(await storedInclusionProof(store.read, index, t)).toEqual(refPath(index, leaves.slice(0, t)));
            expect(store.reads - before).toBe(1);
            const from = checkpoints[salt % checkpoints.length] as number;
            if (from <= t) expect(await storedConsistencyProof(store.read, from, t)).toEqual(refConsistency(from, leaves.slice(0, t)));
            expect(await storedRoot(store.read, t)).toEqual(rootFromLeaves(leaves.slice(0, t)));
          }
        },
      ),
      { numRuns: 30 },
    );
  }, 60_000);

  test("leaves the caller already holds are not read again, and give the same nodes", async () => {
    const leaves = leavesOfSize(300, 11);
    const plain = new MapStore(leaves);
    const hinted = new MapStore(leaves);
    let reads = 0;
    const leavesOf = hinted.leaves.bind(hinted);
    hinted.leaves = (from: number, limit: number) => {
      reads += 1;
      return leavesOf(from, limit);
    };
    for (const size of [100, 250, 300]) {
      await indexSubtrees(plain, size, { chunk: 64 });
      const from = await hinted.indexedSize();
      await indexSubtrees(hinted, size, { chunk: 64, known: { from, leafHashes: leaves.slice(from, size) } });
    }
    expect(hinted.nodes).toEqual(plain.nodes);
    expect(reads).toBe(0);
  });

  test("a proof reads O(log n) nodes", async () => {
    const n = 5_000;
    const leaves = leavesOfSize(n, 9);
    const store = new MapStore(leaves);
    await indexSubtrees(store, n, { chunk: 777 });
    store.readRefs = 0;
    await storedInclusionProof(store.read, 1234, n);
    expect(store.readRefs).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n)));
  });

  test("refuses leaves that do not hash to the checkpoint root", async () => {
    const leaves = leavesOfSize(10, 3);
    const store = new MapStore(leaves);
    await expect(indexSubtrees(store, 10, { expectedRoot: rootFromLeaves(leavesOfSize(10, 4)) })).rejects.toMatchObject({
      code: "ROOT_MISMATCH",
    });
  });

  test("asking beyond what is indexed is a SUBTREE_MISSING error", async () => {
    const leaves = leavesOfSize(10, 5);
    const store = new MapStore(leaves);
    await indexSubtrees(store, 6);
    await expect(storedInclusionProof(store.read, 2, 10)).rejects.toBeInstanceOf(ProofStoreError);
    expect(rangeRefs(0, 6).length).toBe(2);
  });

  test("asking for more leaves than the log holds is a RangeError", async () => {
    const store = new MapStore(leavesOfSize(5, 6));
    await expect(indexSubtrees(store, 9)).rejects.toBeInstanceOf(RangeError);
  });
});
