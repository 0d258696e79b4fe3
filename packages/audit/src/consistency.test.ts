import { fromHex, hex } from "@cairn/protocol";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { consistencyProof, consistencyProofPlan, verifyConsistency } from "./consistency";
import { rootFromLeaves } from "./frontier";
import { EMPTY_ROOT } from "./hash";
import { flipBit, leavesOfSize, twoSizes } from "./proofs.testutil";
import { refConsistency } from "./reference.testutil";
import { MemoryTree } from "./subtree";
import { RFC6962_LEAVES } from "./vectors.testutil";

const tree8 = new MemoryTree(RFC6962_LEAVES);
const root = (n: number) => rootFromLeaves(RFC6962_LEAVES.slice(0, n));

// Consistency proofs of the RFC 6962 reference tree (certificate-transparency's test vectors).
const VECTORS: [number, number, string[]][] = [
  [1, 1, []],
  [1, 8, [
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
  ]],
  [6, 8, [
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  ]],
  [2, 5, [
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
  ]],
];

describe("consistency proofs: RFC 6962 reference tree", () => {
  test.each(VECTORS)("from %i to %i", (oldSize, newSize, path) => {
    expect(consistencyProof(oldSize, newSize, tree8.getter).map(hex)).toEqual(path);
    expect(verifyConsistency(oldSize, newSize, root(oldSize), root(newSize), path.map(fromHex))).toBe(true);
  });

  test("every single-bit flip of a root or proof element is rejected", () => {
    for (const [oldSize, newSize, path] of VECTORS.filter((v) => v[0] !== v[1])) {
      const proof = path.map(fromHex);
      for (let bit = 0; bit < 256; bit++) {
        expect(verifyConsistency(oldSize, newSize, flipBit(root(oldSize), bit), root(newSize), proof)).toBe(false);
        expect(verifyConsistency(oldSize, newSize, root(oldSize), flipBit(root(newSize), bit), proof)).toBe(false);
        proof.forEach((p, i) => {
          const bad = proof.map((q, j) => (j === i ? flipBit(p, bit) : q));
          expect(verifyConsistency(oldSize, newSize, root(oldSize), root(newSize), bad)).toBe(false);
        });
      }
    }
  });

  test("the empty tree and equal sizes", () => {
    expect(consistencyProofPlan(0, 8)).toEqual([]);
    expect(verifyConsistency(0, 8, EMPTY_ROOT, root(8), [])).toBe(true);
    expect(verifyConsistency(0, 8, root(1), root(8), [])).toBe(false);
    expect(verifyConsistency(8, 8, root(8), root(8), [])).toBe(true);
    expect(verifyConsistency(8, 8, root(8), root(7), [])).toBe(false);
    expect(verifyConsistency(8, 8, root(8), root(8), [root(8)])).toBe(false);
    expect(verifyConsistency(3, 8, root(3), root(8), [])).toBe(false);
    expect(verifyConsistency(8, 3, root(8), root(3), [])).toBe(false);
  });
});

describe("consistency proofs: properties against the naive reference", () => {
  test("generated proof equals RFC PROOF(m, D[n]) and verifies", () => {
    fc.assert(
      fc.property(twoSizes, ([oldSize, newSize, salt]) => {
        const leaves = leavesOfSize(newSize, salt);
        const proof = consistencyProof(oldSize, newSize, new MemoryTree(leaves).getter);
        expect(proof).toEqual(refConsistency(oldSize, leaves));
        const oldRoot = rootFromLeaves(leaves.slice(0, oldSize));
        expect(verifyConsistency(oldSize, newSize, oldRoot, rootFromLeaves(leaves), proof)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  test("a bit flip, another old size or another new size is rejected", () => {
    fc.assert(
      fc.property(twoSizes, fc.nat(), fc.nat(), ([oldSize, newSize, salt], pick, bit) => {
        const leaves = leavesOfSize(newSize + 300, salt);
        const rootOf = (n: number) => rootFromLeaves(leaves.slice(0, n));
        const proof = consistencyProof(oldSize, newSize, new MemoryTree(leaves.slice(0, newSize)).getter);
        const [oldRoot, newRoot] = [rootOf(oldSize), rootOf(newSize)];
        if (proof.length > 0) {
          const at = pick % proof.length;
          const bad = proof.map((p, i) => (i === at ? flipBit(p, bit % 256) : p));
          expect(verifyConsistency(oldSize, newSize, oldRoot, newRoot, bad)).toBe(false);
          expect(verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof.slice(0, -1))).toBe(false);
        }
        expect(verifyConsistency(oldSize, newSize, flipBit(oldRoot, bit % 256), newRoot, proof)).toBe(false);
        expect(verifyConsistency(oldSize, newSize, oldRoot, flipBit(newRoot, bit % 256), proof)).toBe(false);
        const otherOld = 1 + (pick % newSize);
        if (otherOld !== oldSize) {
          expect(verifyConsistency(otherOld, newSize, rootOf(otherOld), newRoot, proof)).toBe(false);
        }
        const otherNew = oldSize + (pick % 300);
        if (otherNew !== newSize) {
          expect(verifyConsistency(oldSize, otherNew, oldRoot, rootOf(otherNew), proof)).toBe(false);
        }
      }),
      { numRuns: 150 },
    );
  });

  test("malformed inputs", () => {
    expect(() => consistencyProofPlan(9, 8)).toThrow(RangeError);
    expect(() => consistencyProofPlan(1, Number.MAX_SAFE_INTEGER + 1)).toThrow(RangeError);
    expect(() => verifyConsistency(1, 2, root(1), root(2), [new Uint8Array(1)])).toThrow(RangeError);
    expect(() => verifyConsistency(1, 2, "x" as unknown as Uint8Array, root(2), [])).toThrow(TypeError);
  });
});
