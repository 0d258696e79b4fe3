import { fromHex, hex } from "@cairn/protocol";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { rootFromLeaves } from "./frontier";
import { inclusionProof, inclusionProofPlan, rootFromInclusionProof, verifyInclusion } from "./inclusion";
import { flipBit, leavesOfSize, sizeAndIndex } from "./proofs.testutil";
import { refPath } from "./reference.testutil";
import { MemoryTree } from "./subtree";
import { RFC6962_LEAVES } from "./vectors.testutil";

const tree8 = new MemoryTree(RFC6962_LEAVES);
const root = (n: number) => rootFromLeaves(RFC6962_LEAVES.slice(0, n));

// Audit paths of the RFC 6962 reference tree (certificate-transparency's test vectors).
const VECTORS: [number, number, string[]][] = [
  [0, 8, [
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
  ]],
  [5, 8, [
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  ]],
  [2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]],
  [1, 5, [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
  ]],
  [0, 1, []],
];

describe("inclusion proofs: RFC 6962 reference tree", () => {
  test.each(VECTORS)("leaf %i in tree of %i", (index, size, path) => {
    const proof = inclusionProof(index, size, tree8.getter);
    expect(proof.map(hex)).toEqual(path);
    expect(verifyInclusion(RFC6962_LEAVES[index] as Uint8Array, index, size, path.map(fromHex), root(size))).toBe(true);
  });

  test("every single-bit flip of leaf, proof or root is rejected", () => {
    for (const [index, size, path] of VECTORS) {
      const leaf = RFC6962_LEAVES[index] as Uint8Array;
      const proof = path.map(fromHex);
      for (let bit = 0; bit < 256; bit++) {
        expect(verifyInclusion(flipBit(leaf, bit), index, size, proof, root(size))).toBe(false);
        expect(verifyInclusion(leaf, index, size, proof, flipBit(root(size), bit))).toBe(false);
        proof.forEach((p, i) => {
          const bad = proof.map((q, j) => (j === i ? flipBit(p, bit) : q));
          expect(verifyInclusion(leaf, index, size, bad, root(size))).toBe(false);
        });
      }
    }
  });
});

describe("inclusion proofs: properties against the naive reference", () => {
  test("generated proof equals RFC PATH(m, D[n]) and verifies", () => {
    fc.assert(
      fc.property(sizeAndIndex, ([size, index, salt]) => {
        const leaves = leavesOfSize(size, salt);
        const proof = inclusionProof(index, size, new MemoryTree(leaves).getter);
        expect(proof).toEqual(refPath(index, leaves));
        expect(verifyInclusion(leaves[index] as Uint8Array, index, size, proof, rootFromLeaves(leaves))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  test("a bit flip, another index, or another tree size is rejected", () => {
    fc.assert(
      fc.property(sizeAndIndex, fc.nat(), fc.nat(), ([size, index, salt], pick, bit) => {
        const leaves = leavesOfSize(size, salt);
        const tree = new MemoryTree(leaves);
        const leaf = leaves[index] as Uint8Array;
        const rootN = rootFromLeaves(leaves);
        const proof = inclusionProof(index, size, tree.getter);
        if (proof.length > 0) {
          const at = pick % proof.length;
          const bad = proof.map((p, i) => (i === at ? flipBit(p, bit % 256) : p));
          expect(verifyInclusion(leaf, index, size, bad, rootN)).toBe(false);
          // dropping or adding an element never verifies
          expect(verifyInclusion(leaf, index, size, proof.slice(1), rootN)).toBe(false);
        }
        expect(verifyInclusion(leaf, index, size, [...proof, rootN], rootN)).toBe(false);
        expect(verifyInclusion(flipBit(leaf, bit % 256), index, size, proof, rootN)).toBe(false);
        const otherIndex = (index + 1 + (pick % Math.max(1, size - 1))) % size;
        if (otherIndex !== index) {
          expect(verifyInclusion(leaf, otherIndex, size, proof, rootN)).toBe(false);
        }
        // against the real root of another size that still contains the index
        const otherSize = index + 1 + (pick % 300);
        if (otherSize !== size) {
          const other = leavesOfSize(Math.max(size, otherSize), salt).slice(0, otherSize);
          expect(verifyInclusion(leaf, index, otherSize, proof, rootFromLeaves(other))).toBe(false);
        }
        expect(verifyInclusion(leaf, size, size, proof, rootN)).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  test("plans name only complete subtrees and stay O(log n)", () => {
    const plan = inclusionProofPlan(1_000_000, 9_007_199_254_740_991);
    expect(plan.length).toBeLessThanOrEqual(53);
    expect(plan.flat().length).toBeLessThanOrEqual(53 * 2);
  });

  test("malformed inputs", () => {
    const leaf = RFC6962_LEAVES[0] as Uint8Array;
    expect(() => inclusionProofPlan(3, 3)).toThrow(RangeError);
    expect(() => inclusionProofPlan(-1, 3)).toThrow(RangeError);
    expect(() => inclusionProofPlan(0.5, 3)).toThrow(RangeError);
    expect(() => verifyInclusion(leaf, 0, 1, [new Uint8Array(3)], leaf)).toThrow(RangeError);
    expect(() => verifyInclusion(leaf, 0, 1, "x" as unknown as Uint8Array[], leaf)).toThrow(TypeError);
    expect(rootFromInclusionProof(leaf, 5, 5, [])).toBeNull();
  });
});
