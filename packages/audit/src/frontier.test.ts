import { hex } from "@cairn/protocol";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { appendLeaves, emptyFrontier, frontierRoot, rootFromLeaves, type Frontier } from "./frontier";
import { EMPTY_ROOT, leafHash } from "./hash";
import { refMth } from "./reference.testutil";
import { RFC6962_LEAVES, RFC6962_ROOTS } from "./vectors.testutil";

const leavesArb = (max: number) =>
  fc.array(fc.uint8Array({ maxLength: 8 }), { minLength: 0, maxLength: max }).map((d) => d.map(leafHash));

describe("frontier", () => {
  test("roots of the RFC 6962 test tree, sizes 1..8", () => {
    RFC6962_ROOTS.forEach((root, i) => {
      expect(hex(rootFromLeaves(RFC6962_LEAVES.slice(0, i + 1)))).toBe(root);
    });
  });

  test("empty tree", () => {
    expect(frontierRoot(emptyFrontier())).toEqual(EMPTY_ROOT);
    expect(rootFromLeaves([])).toEqual(EMPTY_ROOT);
  });

  test("frontier holds one node per set bit of the size", () => {
    const f = appendLeaves(emptyFrontier(), RFC6962_LEAVES.slice(0, 7));
    expect(f.treeSize).toBe(7);
    expect(f.nodes).toHaveLength(3);
    expect(hex(f.nodes[0] as Uint8Array)).toBe(RFC6962_ROOTS[3]);
  });

  test("root equals the naive recursive MTH for any size up to 300", () => {
    fc.assert(
      fc.property(leavesArb(300), (leaves) => {
        expect(rootFromLeaves(leaves)).toEqual(refMth(leaves));
      }),
      { numRuns: 60 },
    );
  });

  test("appending in any chunks gives the same frontier as appending at once", () => {
    fc.assert(
      fc.property(leavesArb(120), fc.array(fc.nat(40), { maxLength: 10 }), (leaves, cuts) => {
        let f: Frontier = emptyFrontier();
        let at = 0;
        for (const cut of cuts) {
          f = appendLeaves(f, leaves.slice(at, at + cut));
          at = Math.min(leaves.length, at + cut);
        }
        f = appendLeaves(f, leaves.slice(at));
        expect(f).toEqual(appendLeaves(emptyFrontier(), leaves));
      }),
      { numRuns: 60 },
    );
  });

  test("appendLeaves does not modify its input", () => {
    const f = appendLeaves(emptyFrontier(), RFC6962_LEAVES.slice(0, 3));
    const copy = { treeSize: f.treeSize, nodes: [...f.nodes] };
    appendLeaves(f, RFC6962_LEAVES.slice(3));
    expect(f).toEqual(copy);
  });

  test("malformed frontiers and leaves are rejected", () => {
    expect(() => appendLeaves({ treeSize: 3, nodes: [new Uint8Array(32)] }, [])).toThrow(RangeError);
    expect(() => appendLeaves({ treeSize: -1, nodes: [] }, [])).toThrow(RangeError);
    expect(() => appendLeaves({ treeSize: "1" as unknown as number, nodes: [] }, [])).toThrow(TypeError);
    expect(() => appendLeaves(emptyFrontier(), [new Uint8Array(33)])).toThrow(RangeError);
    expect(() => frontierRoot({ treeSize: 1, nodes: ["x" as unknown as Uint8Array] })).toThrow(TypeError);
  });
});
