import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { leafHash } from "@cairn/audit";
import { auditLeafData, type Envelope } from "@cairn/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqlPool } from "./client";
import { storeEnvelopeBatch, type BatchEnvelope } from "./envelope-batch";
import { createTestDatabase, type TestDatabase } from "./testing";

let db: TestDatabase;
let alice: string;
let mallory: string;
const rooms: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const user = (username: string) =>
    db.prisma.user.create({ data: { username, salt: new Uint8Array(16), authHash: "x", identityPublicKey: new Uint8Array(32) } });
  alice = (await user("alice")).id;
  mallory = (await user("mallory")).id;
  for (const name of ["one", "two", "three"]) {
    const room = await db.prisma.room.create({ data: { name, createdBy: alice, members: { create: { userId: alice } } } });
    rooms.push(room.id);
  }
});
afterAll(async () => {
  await db.drop();
});

let counter = 0;
function item(roomId: string, over: Partial<BatchEnvelope> = {}): BatchEnvelope {
  counter += 1;
  const envelope: Envelope = {
    version: 1,
    roomId,
    senderDeviceId: "device-a",
    sessionId: randomBytes(16),
    index: counter,
    prevHash: new Uint8Array(32),
    nonce: randomBytes(24),
    ciphertext: randomBytes(64),
    signature: randomBytes(64),
  };
  return { envelope, clientMsgId: `batch-${String(counter).padStart(6, "0")}`, senderUserId: alice, ...over };
}

const store = (items: BatchEnvelope[]) => storeEnvelopeBatch(sqlPool(db.prisma), items);
const room = (i: number) => rooms[i] ?? "";

async function seqsOf(roomId: string): Promise<number[]> {
  const rows = await db.prisma.envelope.findMany({ where: { roomId }, orderBy: { roomSeq: "asc" }, select: { roomSeq: true } });
  return rows.map((r) => r.roomSeq);
}

async function expectLogGapFree(): Promise<void> {
  const leaves = await db.prisma.auditLeaf.findMany({ orderBy: { leafIndex: "asc" }, select: { leafIndex: true } });
  expect(leaves.map((l) => Number(l.leafIndex))).toEqual(leaves.map((_, i) => i));
  for (const r of rooms) {
    const seqs = await seqsOf(r);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  }
}

describe("storeEnvelopeBatch", () => {
  it("stores a group over several rooms with gap-free room sequence numbers, one run of leaves in order, and the protocol's leaf hashes", async () => {
    const items = [item(room(0)), item(room(1)), item(room(0)), item(room(2)), item(room(0))];
    const out = await store(items);
    const stored = out.map((o) => (o.ok ? o.stored : null));
    expect(stored.every((s) => s?.created)).toBe(true);
    expect(stored.map((s) => s?.roomSeq)).toEqual([1, 1, 2, 1, 3]);
    const first = stored[0]?.leafIndex ?? -1;
    expect(stored.map((s) => s?.leafIndex)).toEqual([0, 1, 2, 3, 4].map((k) => first + k));
    for (const [i, s] of stored.entries()) {
      const leaf = await db.prisma.auditLeaf.findUniqueOrThrow({ where: { leafIndex: BigInt(s?.leafIndex ?? -1) } });
      const envelope = items[i]?.envelope as Envelope;
      const expected = leafHash(auditLeafData({ envelope, roomSeq: s?.roomSeq ?? 0, serverTimeMs: s?.serverTime.getTime() ?? 0 }));
      expect(leaf.leafHash).toEqual(new Uint8Array(expected));
    }
    await expectLogGapFree();
  });

  it("answers a resend with the first ack, by clientMsgId or by envelope identity, and refuses a reused session index", async () => {
    const original = item(room(1));
    const [first] = await store([original]);
    const sameId = { ...original };
    const sameEnvelopeNewId = { ...original, clientMsgId: "batch-other-id" };
    const reusedIndex = { ...item(room(1)), envelope: { ...original.envelope, ciphertext: randomBytes(64) } };
    const elsewhere = { ...original, envelope: { ...original.envelope, roomId: room(2), sessionId: randomBytes(16) } };
    const out = await store([sameId, sameEnvelopeNewId, reusedIndex, elsewhere]);
    const firstAck = first?.ok ? first.stored : null;
    expect(out[0]).toEqual({ ok: true, stored: { ...firstAck, created: false } });
    expect(out[1]).toEqual({ ok: true, stored: { ...firstAck, created: false } });
    expect(out[2]).toMatchObject({ ok: false, error: { code: "CONFLICT" } });
    expect(out[3]).toMatchObject({ ok: false, error: { code: "CONFLICT" } });
    expect(await db.prisma.envelope.count({ where: { senderDeviceId: "device-a", sessionId: new Uint8Array(original.envelope.sessionId) } })).toBe(1);
    await expectLogGapFree();
  });

  it("refuses non-members and unknown rooms inside the statement, allocating nothing for them", async () => {
    const before = await seqsOf(room(2));
    const out = await store([
      item(room(2), { senderUserId: mallory }),
      item("00000000-0000-4000-8000-000000000000"),
      item(room(2)),
    ]);
    expect(out[0]).toMatchObject({ ok: false, error: { code: "NOT_A_MEMBER" } });
    expect(out[1]).toMatchObject({ ok: false, error: { code: "ROOM_NOT_FOUND" } });
    expect(out[2]).toMatchObject({ ok: true, stored: { roomSeq: before.length + 1, created: true } });
    expect(await db.prisma.envelope.count({ where: { senderUserId: mallory } })).toBe(0);
    await expectLogGapFree();
  });

  it("keeps every room and the log gap-free when groups over the same rooms commit concurrently", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 12 }), { minLength: 2, maxLength: 6 }),
        async (groups) => {
          const results = await Promise.all(groups.map((g) => store(g.map((r) => item(room(r))))));
          expect(results.flat().every((o) => o.ok && o.stored.created)).toBe(true);
          await expectLogGapFree();
        },
      ),
      { numRuns: 15 },
    );
  });

  it("a resend racing its original from another connection is stored once", async () => {
    const original = item(room(0));
    const out = await Promise.all(Array.from({ length: 4 }, () => store([{ ...original }, item(room(1))])));
    const acks = out.map((o) => o[0]);
    expect(acks.every((a) => a?.ok)).toBe(true);
    expect(acks.filter((a) => a?.ok && a.stored.created)).toHaveLength(1);
    expect(new Set(acks.map((a) => (a?.ok ? a.stored.roomSeq : 0))).size).toBe(1);
    await expectLogGapFree();
  });
});
