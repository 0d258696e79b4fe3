/**
 * The proof endpoints' core against a real database and the embedded ledger: what
 * they serve verifies against the checkpoints the ledger holds (the browser's check),
 * and they refuse sizes that are not indexed checkpoints.
 */
import { leafHash, verifyConsistency, verifyInclusion } from "@cairn/audit";
import { anchorAll, createRoom, createUser, openTestLedger, send } from "@cairn/anchoring/testing";
import type { PrismaClient } from "@cairn/db";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { fromHex } from "@cairn/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consistencyProof, inclusionProofs } from "./audit-proofs";

let tdb: TestDatabase;
let prisma: PrismaClient;
let ledger: ReturnType<typeof openTestLedger>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  prisma = tdb.prisma;
  ledger = openTestLedger(prisma);
  const alice = await createUser(prisma, ledger, "alice");
  const roomId = await createRoom(prisma, alice);
  for (let i = 0; i < 10; i++) await send(prisma, roomId, alice, i);
  await anchorAll(prisma, ledger, 4);
});
afterAll(async () => {
  await ledger?.close();
  await tdb?.drop();
});

const rootAt = async (size: number) => fromHex((await ledger.getCheckpoint(size))?.rootHash ?? "");

describe("audit proofs for clients that check", () => {
  it("serves inclusion proofs that verify against the ledger's checkpoint, and consistency proofs between checkpoints", async () => {
    const sizes = (await prisma.checkpoint.findMany({ orderBy: { treeSize: "asc" } })).map((c) => Number(c.treeSize));
    expect(sizes).toEqual([4, 8, 11]);
    const leaves = await prisma.auditLeaf.findMany({ orderBy: { leafIndex: "asc" } });
    const { proofs } = await inclusionProofs(prisma, 11, [0, 5, 10]);
    for (const p of proofs) {
      const leaf = leaves[p.leafIndex]?.leafHash as Uint8Array;
      expect(verifyInclusion(new Uint8Array(leaf), p.leafIndex, 11, p.path.map(fromHex), await rootAt(11))).toBe(true);
      expect(verifyInclusion(leafHash(new Uint8Array([1])), p.leafIndex, 11, p.path.map(fromHex), await rootAt(11))).toBe(false);
    }
    const c = await consistencyProof(prisma, 4, 11);
    expect(verifyConsistency(4, 11, await rootAt(4), await rootAt(11), c.path.map(fromHex))).toBe(true);
  });

  it("refuses a size that is not an indexed checkpoint, and a leaf beyond the tree", async () => {
    await expect(inclusionProofs(prisma, 5, [0])).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(inclusionProofs(prisma, 8, [8])).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(consistencyProof(prisma, 4, 99)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
