import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { nodeHash } from "../hash";
import { rootFromLeaves } from "../frontier";
import { inclusionProof } from "../inclusion";
import { flipBit, leavesOfSize } from "../proofs.testutil";
import { MemoryTree } from "../subtree";
import { PathCache } from "./path-cache";

describe("PathCache", () => {
  test("property: agrees with verifyInclusion on valid and corrupted proofs, in any order", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.tuple(fc.nat(10_000), fc.boolean(), fc.nat(10_000)), { minLength: 1, maxLength: 40 }),
        fc.nat(100),
        (size, queries, salt) => {
          const leaves = leavesOfSize(size, salt);
          const tree = new MemoryTree(leaves);
          const cache = new PathCache(size, rootFromLeaves(leaves), nodeHash);
          for (const [q, corrupt, bit] of queries) {
            const index = q % size;
            const proof = inclusionProof(index, size, tree.getter);
            const leaf = leaves[index] as Uint8Array;
            if (!corrupt) {
              expect(cache.verify(leaf, index, proof)).toBe(true);
              continue;
            }
            // Corrupt the leaf, one proof element, the index, or the proof's length.
            const which = bit % 4;
            if (which === 0) expect(cache.verify(flipBit(leaf, bit), index, proof)).toBe(false);
            if (which === 1 && proof.length > 0) {
              const bad = proof.slice();
              const at = bit % proof.length;
              bad[at] = flipBit(bad[at] as Uint8Array, bit);
              expect(cache.verify(leaf, index, bad)).toBe(false);
            }
            if (which === 2 && size > 1) expect(cache.verify(leaf, (index + 1) % size, proof)).toBe(false);
            if (which === 3) expect(cache.verify(leaf, index, [...proof, leaf])).toBe(false);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  test("consecutive leaves cost about two hashes each", () => {
    const n = 4096;
    const leaves = leavesOfSize(n, 1);
    const tree = new MemoryTree(leaves);
    let hashes = 0;
    const cache = new PathCache(n, rootFromLeaves(leaves), (l, r) => {
      hashes += 1;
      return nodeHash(l, r);
    });
    for (let i = 0; i < n; i++) expect(cache.verify(leaves[i] as Uint8Array, i, inclusionProof(i, n, tree.getter))).toBe(true);
    expect(hashes).toBeLessThan(2.1 * n);
  });
});
