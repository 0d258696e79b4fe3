import { leafHash, rootFromLeaves } from "@cairn/audit";
import { hex, LedgerAppenderGrant, LedgerBatchRecord, LedgerCheckpoint, LedgerLeaf, LedgerRoomHead, LedgerWhoAmI } from "@cairn/protocol";
import { beforeEach, describe, expect, test } from "vitest";
import { AuditContract, CHECKPOINT_EVENT, type Checkpoint, type LeafRecord } from "./audit";
import { ADMIN, CLIENT, MemoryWorld, RELAY, identity } from "./memory-stub.testutil";

let world: MemoryWorld;
const leaves = Array.from({ length: 300 }, (_, i) => leafHash(new TextEncoder().encode(`message ${i}`)));
const joined = (from: number, to: number) => leaves.slice(from, to).map(hex).join("");
const append = (from: number, to: number, who = RELAY) =>
  world.invoke(who, "Audit:AppendBatch", String(from), joined(from, to), "[]") as Promise<Checkpoint>;

beforeEach(() => {
  world = new MemoryWorld([new AuditContract()]);
});

describe("Audit: appending", () => {
  test("the contract recomputes the RFC 9162 root and records the checkpoint", async () => {
    expect(await world.invoke(CLIENT, "Audit:GetLatestCheckpoint")).toBeNull();
    const cp = await append(0, 5);
    expect(cp).toEqual({ treeSize: 5, rootHash: hex(rootFromLeaves(leaves.slice(0, 5))), txId: "tx0002", time: "2026-01-01T00:00:02.000Z" });
    expect(await world.invoke(CLIENT, "Audit:GetLatestCheckpoint")).toEqual(cp);
  });

  test("the root equals @cairn/audit's after any sequence of batch sizes", async () => {
    const cuts = [1, 2, 3, 7, 8, 16, 1, 31, 64, 100, 67];
    let at = 0;
    for (const n of cuts) {
      const cp = await append(at, at + n);
      at += n;
      expect(cp.rootHash).toBe(hex(rootFromLeaves(leaves.slice(0, at))));
    }
    expect(at).toBe(300);
    // the frontier kept on chain is O(log n): one node per set bit of 300 (0b100101100)
    const head = JSON.parse(Buffer.from(world.state.get("audit/head") as Uint8Array).toString()) as { frontier: string[] };
    expect(head.frontier).toHaveLength(4);
  });

  test("a batch is a fixed number of state writes, whatever its size", async () => {
    await append(0, 1);
    const keys = world.state.size;
    await append(1, 300);
    expect(world.state.size - keys).toBe(2); // a batch value and a checkpoint; the head is rewritten
  });

  test("replaying an appended batch is a no-op returning the same checkpoint", async () => {
    const first = await append(0, 10);
    await append(10, 20);
    const before = world.snapshot();
    expect(await append(0, 10)).toEqual(first);
    expect(world.snapshot()).toEqual(before);
  });

  test("each append emits its checkpoint as a chaincode event; a replay emits none", async () => {
    const cp = await append(0, 4);
    expect(world.lastEvent?.name).toBe(CHECKPOINT_EVENT);
    expect(JSON.parse(Buffer.from(world.lastEvent?.payload ?? []).toString())).toEqual(cp);
    await append(0, 4);
    expect(world.lastEvent).toBeNull();
  });

  test("a batch that does not start where the log ends is out of order", async () => {
    await append(0, 10);
    await expect(append(11, 20)).rejects.toThrow(/^CAIRN_E_OUT_OF_ORDER: batch starts at 11 but the log ends at 10/);
    await expect(world.invoke(RELAY, "Audit:AppendBatch", "1", joined(0, 1), "[]")).rejects.toThrow(/^CAIRN_E_CONFLICT: /);
  });

  test("partial overlap or a different hash is rejected", async () => {
    await append(0, 10);
    await expect(append(5, 15)).rejects.toThrow(/^CAIRN_E_CONFLICT: /);
    await expect(append(0, 5)).rejects.toThrow(/^CAIRN_E_CONFLICT: /);
    await expect(append(0, 11)).rejects.toThrow(/^CAIRN_E_CONFLICT: /);
    const tampered = joined(0, 10).replace(/^./, (c) => (c === "0" ? "1" : "0"));
    await expect(world.invoke(RELAY, "Audit:AppendBatch", "0", tampered, "[]")).rejects.toThrow(/^CAIRN_E_CONFLICT: /);
  });

  test("malformed batches are rejected", async () => {
    const bad = ["", "zz".repeat(32), joined(0, 1).slice(2), joined(0, 1).toUpperCase().replace(/[0-9]/g, "A")];
    for (const hashes of bad) {
      await expect(world.invoke(RELAY, "Audit:AppendBatch", "0", hashes, "[]")).rejects.toThrow(/^CAIRN_E_INVALID_ARGUMENT: /);
    }
    for (const start of ["-1", "01", "1.5", "", "9007199254740993"]) {
      await expect(world.invoke(RELAY, "Audit:AppendBatch", start, joined(0, 1), "[]")).rejects.toThrow(/^CAIRN_E_INVALID_ARGUMENT: /);
    }
    const tooMany = hex(leaves[0] as Uint8Array).repeat(20_001);
    await expect(world.invoke(RELAY, "Audit:AppendBatch", "0", tooMany, "[]")).rejects.toThrow(/^CAIRN_E_INVALID_ARGUMENT: /);
  });

  test("20,000 leaves in one batch are accepted", async () => {
    const many = hex(leaves[0] as Uint8Array).repeat(20_000);
    const cp = (await world.invoke(RELAY, "Audit:AppendBatch", "0", many, "[]")) as Checkpoint;
    expect(cp.treeSize).toBe(20_000);
  });
});

describe("Audit: room heads (completeness)", () => {
  const R1 = "a".repeat(64);
  const R2 = "b".repeat(64);
  const heads = (list: { roomRef: string; roomSeq: number; leafIndex: number }[]) => JSON.stringify(list);
  const appendWith = (from: number, to: number, list: { roomRef: string; roomSeq: number; leafIndex: number }[]) =>
    world.invoke(RELAY, "Audit:AppendBatch", String(from), joined(from, to), heads(list)) as Promise<Checkpoint>;
  const headAt = (ref: string, size: number) => world.invoke(CLIENT, "Audit:GetRoomHead", ref, String(size)) as Promise<LedgerRoomHead | null>;

  test("answers each room's head as of any checkpoint: the latest committed at or before it", async () => {
    const a = await appendWith(0, 10, [{ roomRef: R1, roomSeq: 4, leafIndex: 8 }]);
    await appendWith(10, 20, [{ roomRef: R2, roomSeq: 2, leafIndex: 15 }]);
    const c = await appendWith(20, 30, [{ roomRef: R1, roomSeq: 9, leafIndex: 29 }, { roomRef: R2, roomSeq: 3, leafIndex: 21 }]);
    expect(await headAt(R1, 9)).toBeNull();
    expect(await headAt(R1, 10)).toEqual({ roomRef: R1, roomSeq: 4, leafIndex: 8, treeSize: 10, txId: a.txId });
    expect((await headAt(R1, 29))?.roomSeq).toBe(4);
    expect(await headAt(R1, 30)).toEqual({ roomRef: R1, roomSeq: 9, leafIndex: 29, treeSize: 30, txId: c.txId });
    expect((await headAt(R1, 1_000_000))?.roomSeq).toBe(9);
    expect((await headAt(R2, 25))?.roomSeq).toBe(2);
    expect(await headAt("c".repeat(64), 30)).toBeNull();
    expect(LedgerRoomHead.parse(await headAt(R2, 30))).toMatchObject({ roomSeq: 3, treeSize: 30 });
  });

  test("refuses heads outside the batch, a room named twice and malformed JSON, changing nothing", async () => {
    const before = world.snapshot();
    for (const bad of [
      heads([{ roomRef: R1, roomSeq: 1, leafIndex: 10 }]),
      heads([{ roomRef: R1, roomSeq: 1, leafIndex: 0 }, { roomRef: R1, roomSeq: 2, leafIndex: 1 }]),
      heads([{ roomRef: "room-1", roomSeq: 1, leafIndex: 0 }]),
      heads([{ roomRef: R1, roomSeq: 0, leafIndex: 0 }]),
      "{",
      "",
    ]) {
      await expect(world.invoke(RELAY, "Audit:AppendBatch", "0", joined(0, 10), bad)).rejects.toThrow(/^CAIRN_E_INVALID_ARGUMENT: /);
    }
    await expect(world.invoke(CLIENT, "Audit:GetRoomHead", "room-1", "5")).rejects.toThrow(/^CAIRN_E_INVALID_ARGUMENT: /);
    expect(world.snapshot()).toEqual(before);
  });
});

describe("Audit: reads", () => {
  test("any leaf is found with the checkpoint of its batch", async () => {
    const cps = [await append(0, 3), await append(3, 4), await append(4, 40)];
    for (let i = 0; i < 40; i++) {
      const leaf = (await world.invoke(CLIENT, "Audit:GetLeaf", String(i))) as LeafRecord;
      expect(leaf.index).toBe(i);
      expect(leaf.leafHash).toBe(hex(leaves[i] as Uint8Array));
      expect(leaf.checkpoint).toEqual(cps[i < 3 ? 0 : i < 4 ? 1 : 2]);
    }
    expect(await world.invoke(CLIENT, "Audit:GetLeaf", "40")).toBeNull();
  });

  test("GetBatch returns the whole batch holding a leaf", async () => {
    await append(0, 3);
    const cp = await append(3, 10);
    expect(await world.invoke(CLIENT, "Audit:GetBatch", "5")).toEqual({ startIndex: 3, treeSize: 10, leafHashes: joined(3, 10), checkpoint: cp });
    expect(await world.invoke(CLIENT, "Audit:GetBatch", "3")).toMatchObject({ startIndex: 3 });
    expect(await world.invoke(CLIENT, "Audit:GetBatch", "2")).toMatchObject({ startIndex: 0, treeSize: 3 });
    expect(await world.invoke(CLIENT, "Audit:GetBatch", "10")).toBeNull();
  });

  test("checkpoint history by tree size", async () => {
    const a = await append(0, 3);
    const b = await append(3, 9);
    expect(await world.invoke(CLIENT, "Audit:GetCheckpoint", "3")).toEqual(a);
    expect(await world.invoke(CLIENT, "Audit:GetCheckpoint", "9")).toEqual(b);
    expect(await world.invoke(CLIENT, "Audit:GetCheckpoint", "4")).toBeNull();
    expect(a.txId).not.toBe(b.txId);
  });
});

describe("Audit: access control", () => {
  test("only the appender appends: plain clients and admins are refused", async () => {
    await expect(append(0, 1, CLIENT)).rejects.toThrow(/^CAIRN_E_FORBIDDEN: /);
    await expect(append(0, 1, ADMIN)).rejects.toThrow(/^CAIRN_E_FORBIDDEN: /);
  });

  test("an admin authorises a cryptogen client identity (no attributes) as appender, and revokes it", async () => {
    const relay = identity({ mspId: "Org1MSP", ou: "client", cn: "User1@org1.example.com" });
    const me = (await world.invoke(relay, "Audit:WhoAmI")) as { mspId: string; idHash: string; appender: boolean; admin: boolean };
    expect(me).toMatchObject({ mspId: "Org1MSP", appender: false, admin: false });
    await expect(world.invoke(relay, "Audit:AuthorizeAppender", me.mspId, me.idHash)).rejects.toThrow(/^CAIRN_E_FORBIDDEN: /);
    await world.invoke(ADMIN, "Audit:AuthorizeAppender", me.mspId, me.idHash);
    expect(await world.invoke(relay, "Audit:WhoAmI")).toMatchObject({ appender: true });
    await append(0, 2, relay);
    // the same subject in another MSP is not authorised
    const other = identity({ mspId: "Org2MSP", ou: "client", cn: "User1@org1.example.com" });
    await expect(append(2, 3, other)).rejects.toThrow(/^CAIRN_E_FORBIDDEN: /);
    await world.invoke(ADMIN, "Audit:RevokeAppender", me.mspId, me.idHash);
    await expect(append(2, 3, relay)).rejects.toThrow(/^CAIRN_E_FORBIDDEN: /);
    await expect(world.invoke(ADMIN, "Audit:RevokeAppender", me.mspId, me.idHash)).rejects.toThrow(/^CAIRN_E_NOT_FOUND: /);
  });

  test("an OU that merely contains 'admin' is not admin", async () => {
    const sneaky = identity({ ou: "administrators", cn: "x" });
    expect(await world.invoke(sneaky, "Audit:WhoAmI")).toMatchObject({ admin: false });
    const attrAdmin = identity({ ou: "client", cn: "y", attrs: { "cairn.role": "admin" } });
    expect(await world.invoke(attrAdmin, "Audit:WhoAmI")).toMatchObject({ admin: true });
  });
});

describe("Audit: records are the shared @cairn/protocol shape", () => {
  test("checkpoints, events, leaves, batches, grants and WhoAmI parse with the shared schemas unchanged", async () => {
    const cp = await append(0, 3);
    expect(LedgerCheckpoint.parse(cp)).toEqual(cp);
    const event = JSON.parse(new TextDecoder().decode(world.lastEvent?.payload)) as unknown;
    expect(LedgerCheckpoint.parse(event)).toEqual(cp);
    expect(LedgerCheckpoint.parse(await world.invoke(CLIENT, "Audit:GetCheckpoint", "3"))).toEqual(cp);
    const leaf = await world.invoke(CLIENT, "Audit:GetLeaf", "2");
    expect(LedgerLeaf.parse(leaf)).toEqual(leaf);
    const batch = await world.invoke(CLIENT, "Audit:GetBatch", "1");
    expect(LedgerBatchRecord.parse(batch)).toEqual(batch);
    const me = LedgerWhoAmI.parse(await world.invoke(CLIENT, "Audit:WhoAmI"));
    const grant = await world.invoke(ADMIN, "Audit:AuthorizeAppender", me.mspId, me.idHash);
    expect(LedgerAppenderGrant.parse(grant)).toEqual(grant);
  });
});
