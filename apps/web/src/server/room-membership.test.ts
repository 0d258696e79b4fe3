/**
 * Leaving and removing members (issue 9) against a real, migrated PostgreSQL: who may
 * remove whom, what a refused request leaves unchanged, and that each removal is
 * announced to the relays (LISTEN/NOTIFY, in the same transaction) with its reason.
 * A refused request publishes nothing: NOTIFY is delivered in commit order, so the
 * next event heard after a refusal is the next successful change's.
 */
import { randomUUID } from "node:crypto";
import { subscribeServerEvents, type PrismaClient, type ServerEvent, type ServerEventSubscription } from "@cairn/db";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponse } from "./http";
import type * as RoomsModule from "./rooms";

let tdb: TestDatabase;
let prisma: PrismaClient;
let rooms: typeof RoomsModule;
let events: ServerEventSubscription;
const heard: ServerEvent[] = [];
let waiter: (() => void) | null = null;

/** The next server event not yet taken (resolves as soon as one arrives). */
async function nextEvent(): Promise<ServerEvent> {
  while (heard.length === 0) await new Promise<void>((resolve) => (waiter = resolve));
  return heard.shift() as ServerEvent;
}

async function user(name: string, role = "member"): Promise<string> {
  const u = await prisma.user.create({
    data: { username: name, salt: new Uint8Array(16), authHash: "x", identityPublicKey: new Uint8Array(32), role },
  });
  return u.id;
}

/** The HTTP status the API answers for what `fn` throws (200 when it does not), and the code. */
async function outcome(fn: () => Promise<unknown>): Promise<[number, string]> {
  try {
    await fn();
    return [200, "ok"];
  } catch (err) {
    const res = errorResponse(err);
    const body = (await res.json()) as { error: { code: string } };
    return [res.status, body.error.code];
  }
}

async function members(roomId: string): Promise<string[]> {
  const rows = await prisma.roomMember.findMany({ where: { roomId }, select: { userId: true } });
  return rows.map((r) => r.userId).sort();
}

let admin: string, alice: string, bob: string, carol: string, dave: string;
let roomId: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  prisma = tdb.prisma;
  process.env.DATABASE_URL = tdb.url;
  rooms = await import("./rooms");
  events = await subscribeServerEvents(tdb.url, (e) => {
    heard.push(e);
    waiter?.();
  });
  // An explicit admin first, so the first-account bootstrap promotes nobody else.
  admin = await user("admin", "admin");
  [alice, bob, carol, dave] = [await user("alice"), await user("bob"), await user("carol"), await user("dave")];
  const room = await rooms.createRoom(alice, "plans", ["bob", "carol"]);
  roomId = room.id;
  expect(room.createdBy).toBe(alice);
  expect(await nextEvent()).toMatchObject({ type: "membership", roomId });
});

afterAll(async () => {
  await events.close();
  const { db } = await import("./db");
  await db().$disconnect();
  await tdb.drop();
});

describe("removing a member", () => {
  it("refuses a member who did not create the room (403) and a stranger (404), changing nothing", async () => {
    const before = await members(roomId);
    expect(await outcome(() => rooms.removeMember(roomId, bob, carol))).toEqual([403, "FORBIDDEN"]);
    expect(await outcome(() => rooms.removeMember(roomId, dave, carol))).toEqual([404, "ROOM_NOT_FOUND"]);
    expect(await outcome(() => rooms.removeMember(randomUUID(), alice, carol))).toEqual([404, "ROOM_NOT_FOUND"]);
    expect(await members(roomId)).toEqual(before);
  });

  it("lets the creator remove a member, announced with reason 'removed'", async () => {
    const room = await rooms.removeMember(roomId, alice, carol);
    expect(room.members.map((m) => m.username)).toEqual(["alice", "bob"]);
    // The first event after the refusals above is this removal's: they published nothing.
    expect(await nextEvent()).toEqual({ type: "membershipRemoved", roomId, userIds: [carol], reason: "removed" });
    expect(await members(roomId)).toEqual([alice, bob].sort());
    // Carol is now a stranger to the room: no room, no keys, no history.
    expect(await outcome(() => rooms.getRoom(roomId, carol))).toEqual([404, "ROOM_NOT_FOUND"]);
    expect(await outcome(() => rooms.roomKeys(roomId, carol))).toEqual([404, "ROOM_NOT_FOUND"]);
    expect((await rooms.roomKeys(roomId, alice)).map((u) => u.username)).toEqual(["alice", "bob"]);
    expect((await rooms.listRooms(carol)).map((r) => r.id)).not.toContain(roomId);
  });

  it("answers 404 NOT_FOUND for removing a non-member or an unknown user, changing nothing", async () => {
    expect(await outcome(() => rooms.removeMember(roomId, alice, carol))).toEqual([404, "NOT_FOUND"]);
    expect(await outcome(() => rooms.removeMember(roomId, alice, randomUUID()))).toEqual([404, "NOT_FOUND"]);
    // A stranger removing a non-member still learns nothing about the room.
    expect(await outcome(() => rooms.removeMember(roomId, carol, dave))).toEqual([404, "ROOM_NOT_FOUND"]);
    expect(await members(roomId)).toEqual([alice, bob].sort());
  });

  it("lets an org admin remove a member of a room the admin is not in, the creator included", async () => {
    await rooms.addMember(roomId, alice, "carol");
    expect(await nextEvent()).toMatchObject({ type: "membership", userIds: [carol] });
    const room = await rooms.removeMember(roomId, admin, alice);
    expect(room.members.map((m) => m.username)).toEqual(["bob", "carol"]);
    expect(await nextEvent()).toEqual({ type: "membershipRemoved", roomId, userIds: [alice], reason: "removed" });
    // The creator, once out, may no longer remove anyone.
    expect(await outcome(() => rooms.removeMember(roomId, alice, bob))).toEqual([404, "ROOM_NOT_FOUND"]);
    await rooms.addMember(roomId, bob, "alice");
    expect(await nextEvent()).toMatchObject({ type: "membership", userIds: [alice] });
  });

  it("removing oneself is leaving", async () => {
    await rooms.removeMember(roomId, carol, carol);
    expect(await nextEvent()).toEqual({ type: "membershipRemoved", roomId, userIds: [carol], reason: "left" });
    expect(await members(roomId)).toEqual([alice, bob].sort());
  });
});

describe("leaving a room", () => {
  it("a member leaves once; leaving twice is 404 ROOM_NOT_FOUND and publishes nothing", async () => {
    await rooms.leaveRoom(roomId, bob);
    expect(await outcome(() => rooms.leaveRoom(roomId, bob))).toEqual([404, "ROOM_NOT_FOUND"]);
    expect(await outcome(() => rooms.leaveRoom(roomId, dave))).toEqual([404, "ROOM_NOT_FOUND"]);
    expect(await outcome(() => rooms.leaveRoom(randomUUID(), alice))).toEqual([404, "ROOM_NOT_FOUND"]);
    expect(await nextEvent()).toEqual({ type: "membershipRemoved", roomId, userIds: [bob], reason: "left" });
    await rooms.addMember(roomId, alice, "dave");
    // The refusals published nothing: the next event is dave's addition.
    expect(await nextEvent()).toMatchObject({ type: "membership", userIds: [dave] });
    expect(await members(roomId)).toEqual([alice, dave].sort());
  });

  it("the room and its history stay when the last member leaves (for audit and export)", async () => {
    await rooms.leaveRoom(roomId, dave);
    expect(await nextEvent()).toMatchObject({ type: "membershipRemoved", userIds: [dave], reason: "left" });
    await rooms.leaveRoom(roomId, alice);
    expect(await nextEvent()).toMatchObject({ type: "membershipRemoved", userIds: [alice], reason: "left" });
    expect(await members(roomId)).toEqual([]);
    expect(await prisma.room.count({ where: { id: roomId } })).toBe(1);
    // Adding stays a members' act (the admin is none here).
    expect(await outcome(() => rooms.addMember(roomId, admin, "alice"))).toEqual([404, "ROOM_NOT_FOUND"]);
    expect(await members(roomId)).toEqual([]);
    await prisma.roomMember.create({ data: { roomId, userId: alice } });
  });
});

describe("deactivated accounts", () => {
  it("cannot be added to a room or named when creating one", async () => {
    await prisma.user.update({ where: { id: dave }, data: { deactivatedAt: new Date(), deactivatedBy: admin } });
    expect(await outcome(() => rooms.addMember(roomId, alice, "dave"))).toEqual([404, "USER_NOT_FOUND"]);
    expect(await outcome(() => rooms.createRoom(alice, "again", ["dave"]))).toEqual([404, "USER_NOT_FOUND"]);
    expect(await members(roomId)).toEqual([alice]);
  });
});
