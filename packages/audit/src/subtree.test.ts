import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { rootFromLeaves } from "./frontier";
import { leavesOfSize } from "./proofs.testutil";
import { hashRefs, MemoryTree, rangeRefs, subtreeKey, type SubtreeHashGetter } from "./subtree";

describe("subtrees", () => {
  test("rangeRefs decomposes a right-edge range by the bits of its length", () => {
    expect(rangeRefs(4, 7)).toEqual([{ level: 1, index: 2 }, { level: 0, index: 6 }]);
    expect(rangeRefs(0, 8)).toEqual([{ level: 3, index: 0 }]);
    expect(rangeRefs(8, 8)).toEqual([]);
  });

  test("the whole tree folded from its refs is the root, also through a Map of stored nodes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), (size) => {
        const leaves = leavesOfSize(size, size);
        const tree = new MemoryTree(leaves);
        const refs = rangeRefs(0, size);
        // what a database-backed getter does: fetch the plan's nodes, then look them up
        const stored = new Map(refs.map((r) => [subtreeKey(r.level, r.index), tree.getter(r.level, r.index)]));
        const fromStore: SubtreeHashGetter = (level, index) => {
          const hash = stored.get(subtreeKey(level, index));
          if (!hash) throw new RangeError("missing node");
          return hash;
        };
        expect(hashRefs(refs, fromStore)).toEqual(rootFromLeaves(leaves));
      }),
      { numRuns: 40 },
    );
  });

  test("MemoryTree refuses incomplete subtrees and bad leaves", () => {
    const tree = new MemoryTree(leavesOfSize(5, 0));
    expect(tree.size).toBe(5);
    expect(() => tree.getter(1, 2)).toThrow(RangeError);
    expect(() => tree.getter(0, 5)).toThrow(RangeError);
    expect(() => new MemoryTree([new Uint8Array(2)])).toThrow(RangeError);
    expect(() => hashRefs([], tree.getter)).toThrow(RangeError);
  });
});
