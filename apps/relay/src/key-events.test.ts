/**
 * Members added and keys changed, on the relay (issue 13 item 4), with real Socket.IO
 * clients and the real LISTEN/NOTIFY path: a `membership` event joins the new member's
 * live sockets and the room (the new member included) hears `room:members-added`; a
 * device registered or revoked makes each room of its user hear `room:keys-changed`,
 * and rooms the user is not in hear nothing.
 */
import { publishServerEvent } from "@cairn/db";
import { createLogger } from "@cairn/log";
import { EVENTS } from "@cairn/protocol";
import { describe, expect, it } from "vitest";
import { applyServerEvent } from "./server-events";
import { drained, makeRoom, makeUser, nextEvent, useRelayWithServerEvents, type TestClient } from "./test-fixtures";

const t = useRelayWithServerEvents();
const open = t.open;

function collect<E extends typeof EVENTS.keysChanged | typeof EVENTS.membersAdded>(socket: TestClient, event: E): unknown[] {
  const got: unknown[] = [];
  socket.on<typeof EVENTS.keysChanged>(event as typeof EVENTS.keysChanged, (e) => got.push(e));
  return got;
}

describe("room:members-added", () => {
  it("joins the new member's sockets, then tells the room and the new member", async () => {
    const alice = await makeUser(t.db.prisma, "alice");
    const bob = await makeUser(t.db.prisma, "bob");
    const roomId = await makeRoom(t.db.prisma, [alice]);
    const a = await open(alice);
    const b = await open(bob);
    for (const s of [a, b]) await drained(s);
    const aliceTold = nextEvent(a, EVENTS.membersAdded);
    const bobTold = nextEvent(b, EVENTS.membersAdded);
    await t.db.prisma.$transaction(async (tx) => {
      await tx.roomMember.create({ data: { roomId, userId: bob.id } });
      await publishServerEvent(tx, { type: "membership", roomId, userIds: [bob.id] });
    });
    expect(await aliceTold).toEqual({ roomId, userIds: [bob.id] });
    expect(await bobTold).toEqual({ roomId, userIds: [bob.id] });
  });
});

describe("room:keys-changed", () => {
  it("tells each room of a user who registered or revoked a device, and no other room", async () => {
    const alice = await makeUser(t.db.prisma, "alice2");
    const bob = await makeUser(t.db.prisma, "bob2");
    const carol = await makeUser(t.db.prisma, "carol2");
    const roomAB = await makeRoom(t.db.prisma, [alice, bob]);
    const roomBC = await makeRoom(t.db.prisma, [carol, bob]);
    const roomAC = await makeRoom(t.db.prisma, [alice, carol]);
    const a = await open(alice);
    const c = await open(carol);
    for (const s of [a, c]) await drained(s);
    const aliceGot = collect(a, EVENTS.keysChanged);
    const carolGot = collect(c, EVENTS.keysChanged);

    await publishServerEvent(t.db.prisma, { type: "deviceRegistered", userId: bob.id, deviceId: "bob-new-device" });
    await expect.poll(() => aliceGot.length + carolGot.length).toBe(2);
    expect(aliceGot).toEqual([{ roomId: roomAB, userIds: [bob.id] }]);
    expect(carolGot).toEqual([{ roomId: roomBC, userIds: [bob.id] }]);

    await publishServerEvent(t.db.prisma, { type: "deviceRevoked", userId: bob.id, deviceId: "bob-new-device" });
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
