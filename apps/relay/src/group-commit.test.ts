import pg from "pg";
import { sqlPool, storeEnvelopeBatch, type BatchEnvelope } from "@cairn/db";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { envelopeFromWire } from "@cairn/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGroupCommit } from "./group-commit";
import { makeRoom, makeUser, signedEnvelope, type TestUser } from "./test-fixtures";

let db: TestDatabase;
let alice: TestUser;
let roomId: string;
let n = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  alice = await makeUser(db.prisma, "alice");
  roomId = await makeRoom(db.prisma, [alice]);
});
afterAll(async () => {
  await db.drop();
});

function item(over: Partial<BatchEnvelope> = {}): BatchEnvelope {
  n += 1;
  return {
    envelope: envelopeFromWire(signedEnvelope(alice, roomId)),
    clientMsgId: `gc-${String(n).padStart(8, "0")}`,
    senderUserId: alice.id,
    ...over,
  };
}

/** The real statement, counting groups and their sizes. */
function counted(pool: pg.Pool) {
  const sizes: number[] = [];
  return {
    sizes,
    storeBatch: (items: BatchEnvelope[]) => {
      sizes.push(items.length);
      return storeEnvelopeBatch(pool, items);
    },
  };
}

describe("group commit", () => {
  it("stores concurrent sends in few statements, each acked with its own gap-free room sequence number", async () => {
    const c = counted(sqlPool(db.prisma));
    const writer = createGroupCommit(sqlPool(db.prisma), { storeBatch: c.storeBatch, maxBatch: 64 });
    const acks = await Promise.all(Array.from({ length: 200 }, () => writer.store(item())));
    expect(acks.every((a) => a.created)).toBe(true);
    const seqs = acks.map((a) => a.roomSeq).sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 0) + i));
    expect(c.sizes.reduce((a, b) => a + b, 0)).toBe(200);
    expect(Math.max(...c.sizes)).toBeLessThanOrEqual(64);
    expect(c.sizes.length).toBeLessThanOrEqual(10); // 200 sends, not 200 commits
    expect(writer.queued()).toBe(0);
  });

  it("answers a duplicate sent in the same moment with the same ack, stored once", async () => {
    const writer = createGroupCommit(sqlPool(db.prisma));
    const one = item();
    const [a, b] = await Promise.all([writer.store(one), writer.store({ ...one })]);
    expect(a?.roomSeq).toBe(b?.roomSeq);
    expect([a?.created, b?.created].sort()).toEqual([false, true]);
  });

  it("refuses at once with a retryable OVERLOADED beyond its bound, and stores only what it admitted", async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const pool = sqlPool(db.prisma);
    const writer = createGroupCommit(pool, {
      maxQueued: 4,
      storeBatch: async (items) => {
        await gate;
        return storeEnvelopeBatch(pool, items);
      },
    });
    const items = Array.from({ length: 10 }, () => item());
    const results = items.map((it) => writer.store(it).then(() => "stored", (e: { code: string; retryAfterMs?: number }) => e));
    release();
    const settled = await Promise.all(results);
    expect(settled.filter((r) => r === "stored")).toHaveLength(4);
    const refused = settled.filter((r) => r !== "stored");
    expect(refused).toHaveLength(6);
    expect(refused.every((r) => typeof r === "object" && r.code === "OVERLOADED" && (r.retryAfterMs ?? 0) > 0)).toBe(true);
    const stored = await db.prisma.envelope.count({ where: { clientMsgId: { in: items.map((i) => i.clientMsgId) } } });
    expect(stored).toBe(4);
  });

  it("refuses new sends while the oldest waiting one has waited past its bound, however short the queue", async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const pool = sqlPool(db.prisma);
    const writer = createGroupCommit(pool, {
      maxWaitMs: 100,
      concurrency: 1,
      storeBatch: async (items) => {
        await gate;
        return storeEnvelopeBatch(pool, items);
      },
    });
    const first = writer.store(item()); // in the (stalled) statement, the only one allowed
    await new Promise((r) => setTimeout(r, 20));
    const second = writer.store(item()); // waits for the next group
    await new Promise((r) => setTimeout(r, 150));
    await expect(writer.store(item())).rejects.toMatchObject({ code: "OVERLOADED" });
    release();
    await expect(first).resolves.toMatchObject({ created: true });
    await expect(second).resolves.toMatchObject({ created: true });
  });

  it("fails only the envelope the database refuses, not the rest of its group", async () => {
    const writer = createGroupCommit(sqlPool(db.prisma));
    const bad = item({ clientMsgId: "gc-nul\u0000-byte" }); // PostgreSQL text cannot hold NUL
    const results = await Promise.allSettled([writer.store(item()), writer.store(bad), writer.store(item())]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("answers UNAVAILABLE, retryable, while the database cannot be reached", async () => {
    const down = new pg.Pool({ connectionString: "postgres://cairn@127.0.0.1:1/none", connectionTimeoutMillis: 500 });
    const writer = createGroupCommit(down);
    await expect(writer.store(item())).rejects.toMatchObject({ code: "UNAVAILABLE", retryAfterMs: 1000 });
    await down.end();
  });
});
