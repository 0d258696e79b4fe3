import { appendLeaves, emptyFrontier, frontierRoot } from "@cairn/audit";
import { fromHex, hex } from "@cairn/protocol";
import { afterAll, describe, expect, it } from "vitest";
import { ledgerAs, randomHash } from "./helpers";

const ledger = ledgerAs("org1Appender");
const outsider = ledgerAs("org2User");
afterAll(async () => {
  await ledger.close();
  await outsider.close();
});

const rootOf = (leaves: string[]): string =>
  hex(frontierRoot(appendLeaves(emptyFrontier(), leaves.map((l) => fromHex(l)))));

// One log per network: the steps build on each other, in order.
describe("Audit on a real Fabric network", () => {
  const first = [randomHash(), randomHash(), randomHash()];
  const second = [randomHash(), randomHash()];

  it("starts empty", async () => {
    expect(await ledger.getLatestCheckpoint()).toBeNull();
    expect(await ledger.getLeaf(0)).toBeNull();
  });

  it("appends a batch; the chain recomputes the RFC 9162 root", async () => {
    const cp = await ledger.appendBatch({ startIndex: 0, leafHashes: first });
    expect(cp).toMatchObject({ treeSize: 3, rootHash: rootOf(first) });
    expect(await ledger.getLatestCheckpoint()).toEqual(cp);
  });

  it("a replayed batch is a no-op returning the same checkpoint", async () => {
    const original = await ledger.getCheckpoint(3);
    const replay = await ledger.appendBatch({ startIndex: 0, leafHashes: first });
    expect(replay).toEqual(original);
    expect((await ledger.getLatestCheckpoint())?.treeSize).toBe(3);
  });

  it("rejects a batch that does not start where the log ends", async () => {
    await expect(ledger.appendBatch({ startIndex: 7, leafHashes: second })).rejects.toMatchObject({
      code: "OUT_OF_ORDER",
    });
    await expect(ledger.appendBatch({ startIndex: 1, leafHashes: second })).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });

  it("refuses appends from an identity that is not the relay's", async () => {
    await expect(outsider.appendBatch({ startIndex: 3, leafHashes: second })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("answers which hash is leaf i and in which checkpoint, and keeps the history", async () => {
    const cp5 = await ledger.appendBatch({ startIndex: 3, leafHashes: second });
    expect(cp5).toMatchObject({ treeSize: 5, rootHash: rootOf([...first, ...second]) });
    const cp3 = await ledger.getCheckpoint(3);

    expect(await ledger.getLeaf(1)).toEqual({ index: 1, leafHash: first[1], checkpoint: cp3 });
    expect(await ledger.getLeaf(4)).toEqual({ index: 4, leafHash: second[1], checkpoint: cp5 });
    expect(await ledger.getLeaf(5)).toBeNull();

    expect(cp3?.rootHash).toBe(rootOf(first));
    expect(await ledger.getCheckpoint(4)).toBeNull();
    expect(await ledger.getCheckpoint(5)).toEqual(cp5);
    expect(await ledger.getLatestCheckpoint()).toEqual(cp5);
    expect(cp3?.txId).not.toBe(cp5.txId);
  });

  it("returns the whole batch holding a leaf (for verifiers checking many leaves per call)", async () => {
    const cp3 = await ledger.getCheckpoint(3);
    const cp5 = await ledger.getCheckpoint(5);
    expect(await outsider.getBatch(2)).toEqual({ startIndex: 0, treeSize: 3, leafHashes: first, checkpoint: cp3 });
    expect(await outsider.getBatch(3)).toEqual({ startIndex: 3, treeSize: 5, leafHashes: second, checkpoint: cp5 });
    expect(await outsider.getBatch(5)).toBeNull();
  });
});
