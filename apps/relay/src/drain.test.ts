/**
 * Graceful shutdown: drain() refuses new handshakes and waits for acks already owed.
 * A message is held mid-store by a row lock on the audit head (what a slow commit
 * looks like), so it is provably in flight when the drain starts.
 */
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { EVENTS } from "@cairn/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  client,
  connected,
  emitAck,
  makeRoom,
  makeUser,
  signedEnvelope,
  startRelay,
  type RunningRelay,
  type TestClient,
  type TestUser,
} from "./test-fixtures";

let db: TestDatabase;
let alice: TestUser;
let roomId: string;
const sockets: TestClient[] = [];
const relays: RunningRelay[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  alice = await makeUser(db.prisma, "alice");
  roomId = await makeRoom(db.prisma, [alice]);
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  for (const r of relays.splice(0)) await r.close();
});
afterAll(async () => {
  await db.drop();
});

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Holds the audit head's row lock, so every storeEnvelope waits, until released. */
async function holdAuditHead(): Promise<{ release(): Promise<void> }> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query("BEGIN");
  await c.query(`SELECT * FROM "AuditHead" WHERE id = 1 FOR UPDATE`);
  return {
    release: async () => {
      await c.query("COMMIT");
      await c.end();
    },
  };
}

const pendingOf = (r: RunningRelay): number => r.relay.inFlight();

async function openAlice(r: RunningRelay): Promise<TestClient> {
  const s = client(r.url, alice);
  sockets.push(s);
  await connected(s);
  return s;
}

describe("drain", () => {
  it("waits for a message being stored, acks it, and refuses new connections meanwhile", async () => {
    const r = await startRelay(db.prisma);
    relays.push(r);
    const a = await openAlice(r);
    const lock = await holdAuditHead();
    const sending = emitAck(a, EVENTS.sendMessage, { clientMsgId: "m-drain-01", envelope: signedEnvelope(alice, roomId) });
    await until(() => pendingOf(r) === 1, "the message to be in flight");
    let drained: number | null = null;
    const draining = r.relay.drain(20_000).then((n) => (drained = n));
    const late = client(r.url, alice);
    sockets.push(late);
    await expect(connected(late)).rejects.toThrow();
    expect(drained).toBeNull(); // still waiting for the held message
    await lock.release();
    const ack = await sending;
    expect(ack).toMatchObject({ ok: true, roomSeq: 1 });
    await draining;
    expect(drained).toBe(0);
    expect(await db.prisma.envelope.count({ where: { clientMsgId: "m-drain-01" } })).toBe(1);
  });

  it("gives up after its timeout and reports what is still unacknowledged", async () => {
    const r = await startRelay(db.prisma);
    relays.push(r);
    const a = await openAlice(r);
    const lock = await holdAuditHead();
    const sending = emitAck(a, EVENTS.sendMessage, { clientMsgId: "m-drain-02", envelope: signedEnvelope(alice, roomId) });
    await until(() => pendingOf(r) === 1, "the message to be in flight");
    expect(await r.relay.drain(50)).toBe(1);
    await lock.release();
    expect((await sending).ok).toBe(true);
  });

  it("does not wait for acks nobody owes: events without a handler", async () => {
    const r = await startRelay(db.prisma);
    relays.push(r);
    const a = await openAlice(r);
    (a as unknown as { emit(event: string, payload: unknown, ack: () => void): void }).emit("no:such-event", {}, () => {});
    // Events of one socket are handled in order: this ack comes after the one above was seen.
    expect(await emitAck(a, EVENTS.subscribeRoom, { roomId })).toMatchObject({ ok: true });
    expect(r.relay.inFlight()).toBe(0);
    expect(await r.relay.drain(60_000)).toBe(0);
  });

  it("resolves at once when nothing is in flight", async () => {
    const r = await startRelay(db.prisma);
    relays.push(r);
    await openAlice(r);
    expect(await r.relay.drain(60_000)).toBe(0);
  });
});
