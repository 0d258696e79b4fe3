/**
 * Members added and keys changed, on the relay (issue 13 item 4), with real Socket.IO
 * clients and the real LISTEN/NOTIFY path: a `membership` event joins the new member's
 * live sockets and the room (the new member included) hears `room:members-added`; a
 * device registered or revoked makes each room of its user hear `room:keys-changed`,
 * and rooms the user is not in hear nothing.
 */
import { publishServerEvent, subscribeServerEvents, type ServerEventSubscription } from "@cairn/db";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { createLogger } from "@cairn/log";
import { EVENTS } from "@cairn/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { applyServerEvent } from "./server-events";
import { emitAck, makeRoom, makeUser, nextEvent, startRelay, type RunningRelay, type TestClient, type TestUser, socketPool } from "./test-fixtures";

let db: TestDatabase;
let relay: RunningRelay;
let events: ServerEventSubscription;
const warnings: string[] = [];
const sockets = socketPool();
const open = (user: TestUser) => sockets.open(relay.url, user);

/** Resolves once every packet the relay sent `socket` before this call has arrived. */
async function drained(socket: TestClient): Promise<void> {
  expect((await emitAck(socket, EVENTS.ackShares, { ids: ["1"] })).ok).toBe(true);
}

function collect<E extends typeof EVENTS.keysChanged | typeof EVENTS.membersAdded>(socket: TestClient, event: E): unknown[] {
  const got: unknown[] = [];
  socket.on<typeof EVENTS.keysChanged>(event as typeof EVENTS.keysChanged, (e) => got.push(e));
  return got;
}

beforeAll(async () => {
  db = await createTestDatabase();
  relay = await startRelay(db.prisma);
  const log = createLogger("warn", (line) => void warnings.push(line));
  events = await subscribeServerEvents(db.url, (event) => applyServerEvent(relay.relay, db.prisma, log, event));
});
afterEach(() => {
  sockets.closeAll();
});
afterAll(async () => {
  await events.close();
  await relay.close();
  await db.drop();
});

describe("room:members-added", () => {
  it("joins the new member's sockets, then tells the room and the new member", async () => {
    const alice = await makeUser(db.prisma, "alice");
    const bob = await makeUser(db.prisma, "bob");
    const roomId = await makeRoom(db.prisma, [alice]);
    const a = await open(alice);
    const b = await open(bob);
    for (const s of [a, b]) await drained(s);
    const aliceTold = nextEvent(a, EVENTS.membersAdded);
    const bobTold = nextEvent(b, EVENTS.membersAdded);
    await db.prisma.$transaction(async (tx) => {
      await tx.roomMember.create({ data: { roomId, userId: bob.id } });
      await publishServerEvent(tx, { type: "membership", roomId, userIds: [bob.id] });
    });
    expect(await aliceTold).toEqual({ roomId, userIds: [bob.id] });
    expect(await bobTold).toEqual({ roomId, userIds: [bob.id] });
  });
});

describe("room:keys-changed", () => {
  it("tells each room of a user who registered or revoked a device, and no other room", async () => {
    const alice = await makeUser(db.prisma, "alice2");
    const bob = await makeUser(db.prisma, "bob2");
    const carol = await makeUser(db.prisma, "carol2");
    const roomAB = await makeRoom(db.prisma, [alice, bob]);
    const roomBC = await makeRoom(db.prisma, [carol, bob]);
    const roomAC = await makeRoom(db.prisma, [alice, carol]);
    const a = await open(alice);
    const c = await open(carol);
    for (const s of [a, c]) await drained(s);
    const aliceGot = collect(a, EVENTS.keysChanged);
    const carolGot = collect(c, EVENTS.keysChanged);

    await publishServerEvent(db.prisma, { type: "deviceRegistered", userId: bob.id, deviceId: "bob-new-device" });
    await expect.poll(() => aliceGot.length + carolGot.length).toBe(2);
    expect(aliceGot).toEqual([{ roomId: roomAB, userIds: [bob.id] }]);
    expect(carolGot).toEqual([{ roomId: roomBC, userIds: [bob.id] }]);

    await publishServerEvent(db.prisma, { type: "deviceRevoked", userId: bob.id, deviceId: "bob-new-device" });
    await expect.poll(() => aliceGot.length + carolGot.length).toBe(4);
    expect(aliceGot[1]).toEqual({ roomId: roomAB, userIds: [bob.id] });
    expect(carolGot[1]).toEqual({ roomId: roomBC, userIds: [bob.id] });

    // Nothing about roomAC, where bob is not a member.
    for (const s of [a, c]) await drained(s);
    expect([...aliceGot, ...carolGot].some((e) => (e as { roomId: string }).roomId === roomAC)).toBe(false);
  });

  it("logs a failed room lookup and throws nothing", async () => {
    const target = { joinRoom: () => {}, leaveRoom: () => {}, dropDevice: () => {}, broadcastCheckpoint: () => {}, keysChanged: () => {} };
    const broken = { roomMember: { findMany: () => Promise.reject(new Error("db down")) } } as unknown as Parameters<typeof applyServerEvent>[1];
    const lines: string[] = [];
    const log = createLogger("warn", (line) => void lines.push(line));
    expect(() => applyServerEvent(target, broken, log, { type: "deviceRegistered", userId: alice0, deviceId: "d" })).not.toThrow();
    await expect.poll(() => lines.join("\n")).toContain("keys-changed lookup failed");
  });
});

const alice0 = "00000000-0000-4000-8000-000000000001";
