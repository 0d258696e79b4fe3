/**
 * Proof serving from the AuditNode table on a real PostgreSQL: nodes indexed batch by
 * batch equal the in-memory reference tree, and every stored proof equals the
 * reference proof, for random batch sizes.
 */
import { randomBytes } from "node:crypto";
import {
  consistencyProof,
  inclusionProof,
  indexSubtrees,
  MemoryTree,
  rootFromLeaves,
  storedConsistencyProof,
  storedInclusionProof,
} from "@cairn/audit";
import { auditNodeStore, readAuditNodes } from "@cairn/db";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/** Deterministic pseudo-random sizes (no flakiness, still irregular). */
function sizes(seed: number, count: number, max: number): number[] {
  let x = seed;
  return Array.from({ length: count }, () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return 1 + (x % max);
  });
}

describe("AuditNode proof store", () => {
  test("incremental indexing across many batches serves the reference proofs", async () => {
    const store = auditNodeStore(db.prisma);
    const leaves: Uint8Array[] = [];
    const checkpoints: number[] = [];
    for (const batch of sizes(7, 25, 90)) {
      const fresh = Array.from({ length: batch }, () => new Uint8Array(randomBytes(32)));
      await db.prisma.auditLeaf.createMany({
        data: fresh.map((h, i) => ({ leafIndex: BigInt(leaves.length + i), leafHash: h, kind: "message" })),
      });
      leaves.push(...fresh);
      checkpoints.push(leaves.length);
      const added = await indexSubtrees(store, leaves.length, { expectedRoot: rootFromLeaves(leaves), chunk: 64 });
      expect(added).toBe(batch);
    }
    // Idempotent: nothing more to do.
    expect(await indexSubtrees(store, leaves.length)).toBe(0);
    const tree = new MemoryTree(leaves);
    const perfect = leaves.length * 2 - [...leaves.length.toString(2)].filter((b) => b === "1").length;
    expect(await db.prisma.auditNode.count()).toBe(perfect);

    for (const [i, t] of checkpoints.entries()) {
      const reference = new MemoryTree(leaves.slice(0, t));
      for (const index of sizes(i + 1, 4, t).map((s) => s - 1)) {
        expect(await storedInclusionProof(store.read, index, t)).toEqual(inclusionProof(index, t, reference.getter));
      }
      const from = checkpoints[(i * 7) % checkpoints.length] as number;
      if (from <= t) {
        expect(await storedConsistencyProof(store.read, from, t)).toEqual(consistencyProof(from, t, tree.getter));
      }
    }
  });

  test("one query returns exactly the nodes asked for; missing ones are absent", async () => {
    const found = await readAuditNodes(db.prisma, [
      { level: 0, index: 0 },
      { level: 3, index: 1 },
      { level: 40, index: 0 },
    ]);
    expect([...found.keys()].sort()).toEqual(["0:0", "3:1"]);
    expect(await readAuditNodes(db.prisma, [])).toEqual(new Map());
    await expect(readAuditNodes(db.prisma, [{ level: -1, index: 0 }])).rejects.toBeInstanceOf(TypeError);
  });
});
