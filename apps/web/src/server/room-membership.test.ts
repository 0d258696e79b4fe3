/**
 * Leaving and removing members (issue 9) against a real, migrated PostgreSQL: who may
 * remove whom, what a refused request leaves unchanged, and that each removal is
 * announced to the relays (LISTEN/NOTIFY, in the same transaction) with its reason.
 * A refused request publishes nothing: NOTIFY is delivered in commit order, so the
 * next event heard after a refusal is the next successful change's.
 */
import { randomUUID } from "node:crypto";
import { replayMembership } from "@cairn/audit";
import { verifyEd25519, type SigningKeyPair } from "@cairn/crypto";
import { fromBase64Url, toBase64Url, type MembershipKind } from "@cairn/protocol";
import { subscribeServerEvents, type PrismaClient, type ServerEvent, type ServerEventSubscription } from "@cairn/db";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponse } from "./http";
import { signedEvent, testIdentity } from "./membership-fixtures";
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

const identities = new Map<string, SigningKeyPair>();

async function user(name: string, role = "member"): Promise<string> {
  const identity = await testIdentity();
  const u = await prisma.user.create({
    data: { username: name, salt: new Uint8Array(16), authHash: "x", identityPublicKey: new Uint8Array(identity.publicKey), role },
  });
  identities.set(u.id, identity);
  return u.id;
}

const key = (id: string) => (identities.get(id) as SigningKeyPair).publicKey;
/** `actor`'s browser signs a membership event naming `targets` over the stored head. */
const ev = (actor: string, kind: MembershipKind, targets: string[], room = roomId) =>
  signedEvent(prisma, identities.get(actor) as SigningKeyPair, room, kind, targets.map(key));

/** Members by the room's chain (as a browser replays it), as user ids. */
async function chainMembers(room: string): Promise<string[]> {
  const stored = await prisma.roomEvent.findMany({ where: { roomId: room }, orderBy: { seq: "asc" } });
  const { state, problem } = replayMembership(room, stored.map((e) => ({ body: e.body, signature: e.signature })), verifyEd25519);
  expect(problem).toBeNull();
  return [...identities.entries()].filter(([, k]) => state.members.has(toBase64Url(k.publicKey))).map(([id]) => id).sort();
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
  roomId = randomUUID();
  const room = await rooms.createRoom(alice, { id: roomId, name: "plans", members: ["bob", "carol"], event: await ev(alice, "create", [alice, bob, carol]) });
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
    const room = await rooms.removeMember(roomId, alice, carol, await ev(alice, "remove", [carol]));
    expect(room.members.map((m) => m.username)).toEqual(["alice", "bob"]);
    // The first event after the refusals above is this removal's: they published nothing.
    expect(await nextEvent()).toEqual({ type: "membershipRemoved", roomId, userIds: [carol], reason: "removed" });
    expect(await members(roomId)).toEqual([alice, bob].sort());
    // Carol is now a stranger to the room: no room, no keys, no history.
    expect(await outcome(() => rooms.getRoom(roomId, carol))).toEqual([404, "ROOM_NOT_FOUND"]);
    expect(await outcome(() => rooms.roomKeys(roomId, carol))).toEqual([404, "ROOM_NOT_FOUND"]);
    expect((await rooms.roomKeys(roomId, alice)).users.map((u) => u.username)).toEqual(["alice", "bob"]);
    expect(await chainMembers(roomId)).toEqual([alice, bob].sort());
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
    await rooms.addMember(roomId, alice, "carol", await ev(alice, "add", [carol]));
    expect(await nextEvent()).toMatchObject({ type: "membership", userIds: [carol] });
    // No signed event: the server records the admin's removal unsigned (its word).
    const room = await rooms.removeMember(roomId, admin, alice);
    expect(room.members.map((m) => m.username)).toEqual(["bob", "carol"]);
    expect(await nextEvent()).toEqual({ type: "membershipRemoved", roomId, userIds: [alice], reason: "removed" });
    // The creator, once out, may no longer remove anyone.
    expect(await outcome(() => rooms.removeMember(roomId, alice, bob))).toEqual([404, "ROOM_NOT_FOUND"]);
    await rooms.addMember(roomId, bob, "alice", await ev(bob, "add", [alice]));
    expect(await nextEvent()).toMatchObject({ type: "membership", userIds: [alice] });
    expect(await chainMembers(roomId)).toEqual([alice, bob, carol].sort());
  });

  it("removing oneself is leaving", async () => {
    await rooms.removeMember(roomId, carol, carol);
    expect(await nextEvent()).toEqual({ type: "membershipRemoved", roomId, userIds: [carol], reason: "left" });
    expect(await members(roomId)).toEqual([alice, bob].sort());
  });
});

describe("leaving a room", () => {
  it("a member leaves once; leaving twice is 404 ROOM_NOT_FOUND and publishes nothing", async () => {
    await rooms.leaveRoom(roomId, bob, await ev(bob, "leave", [bob]));
    expect(await outcome(() => rooms.leaveRoom(roomId, bob))).toEqual([404, "ROOM_NOT_FOUND"]);
    expect(await outcome(() => rooms.leaveRoom(roomId, dave))).toEqual([404, "ROOM_NOT_FOUND"]);
    expect(await outcome(() => rooms.leaveRoom(randomUUID(), alice))).toEqual([404, "ROOM_NOT_FOUND"]);
    expect(await nextEvent()).toEqual({ type: "membershipRemoved", roomId, userIds: [bob], reason: "left" });
    await rooms.addMember(roomId, alice, "dave", await ev(alice, "add", [dave]));
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
    expect(await outcome(async () => rooms.addMember(roomId, admin, "alice", await ev(admin, "add", [alice])))).toEqual([404, "ROOM_NOT_FOUND"]);
    expect(await chainMembers(roomId)).toEqual([]);
    expect(await members(roomId)).toEqual([]);
    await prisma.roomMember.create({ data: { roomId, userId: alice } });
  });
});

describe("deactivated accounts", () => {
  it("cannot be added to a room or named when creating one", async () => {
    await prisma.user.update({ where: { id: dave }, data: { deactivatedAt: new Date(), deactivatedBy: admin } });
    expect(await outcome(async () => rooms.addMember(roomId, alice, "dave", await ev(alice, "add", [dave])))).toEqual([404, "USER_NOT_FOUND"]);
    const again = randomUUID();
    expect(await outcome(async () => rooms.createRoom(alice, { id: again, name: "again", members: ["dave"], event: await ev(alice, "create", [alice, dave], again) }))).toEqual([404, "USER_NOT_FOUND"]);
    expect(await members(roomId)).toEqual([alice]);
  });
});

describe("membership events", () => {
  let room: string;
  beforeAll(async () => {
    room = randomUUID();
    await rooms.createRoom(bob, { id: room, name: "signed", members: ["carol"], event: await ev(bob, "create", [bob, carol], room) });
    await nextEvent();
  });

  it("refuses events that do not say what the request does, or break a chain rule, changing nothing", async () => {
    const before = await prisma.roomEvent.count({ where: { roomId: room } });
    const leaves = await prisma.auditLeaf.count();
    const cases = {
      "an add signed by someone else": () => ev(carol, "add", [admin], room).then((e) => rooms.addMember(room, bob, "admin", e)),
      "an add naming another person": () => ev(bob, "add", [alice], room).then((e) => rooms.addMember(room, bob, "admin", e)),
      "a removal event for an add": () => ev(bob, "remove", [carol], room).then((e) => rooms.addMember(room, bob, "admin", e)),
      "an event of another room": () => ev(bob, "add", [admin]).then((e) => rooms.addMember(room, bob, "admin", e)),
      "a stale head (signed before the chain moved)": async () => {
        const early = await ev(bob, "add", [admin], room);
        await rooms.leaveRoom(room, carol, await ev(carol, "leave", [carol], room));
        return rooms.addMember(room, bob, "admin", early);
      },
      "a forged signature": () =>
        ev(bob, "add", [admin], room).then((e) => {
          const sig = fromBase64Url(e.signature);
          sig[0] = (sig[0] as number) ^ 1;
          return rooms.addMember(room, bob, "admin", { ...e, signature: toBase64Url(sig) });
        }),
      "a creator who leaves a room for someone else": () => ev(bob, "leave", [carol], room).then((e) => rooms.leaveRoom(room, bob, e)),
      "a create naming a stranger it did not list": async () => {
        const id = randomUUID();
        return rooms.createRoom(bob, { id, name: "x", members: [], event: await ev(bob, "create", [bob, dave], id) });
      },
    };
    const got: Record<string, [number, string]> = {};
    for (const [name, run] of Object.entries(cases)) got[name] = await outcome(run);
    expect(got).toEqual({
      "an add signed by someone else": [400, "MEMBERSHIP_INVALID"],
      "an add naming another person": [400, "MEMBERSHIP_INVALID"],
      "a removal event for an add": [400, "MEMBERSHIP_INVALID"],
      "an event of another room": [400, "MEMBERSHIP_INVALID"],
      "a stale head (signed before the chain moved)": [409, "MEMBERSHIP_STALE"],
      "a forged signature": [400, "MEMBERSHIP_INVALID"],
      "a creator who leaves a room for someone else": [400, "MEMBERSHIP_INVALID"],
      "a create naming a stranger it did not list": [400, "MEMBERSHIP_INVALID"],
    });
    await nextEvent(); // carol's leave, the one change made
    expect(await prisma.roomEvent.count({ where: { roomId: room } })).toBe(before + 1);
    expect(await prisma.auditLeaf.count()).toBe(leaves + 1);
    expect(await members(room)).toEqual([bob]);
    expect(await chainMembers(room)).toEqual([bob]);
  });

  it("each event is an audit leaf of kind membership whose hash the next event names", async () => {
    const stored = await prisma.roomEvent.findMany({ where: { roomId: room }, orderBy: { seq: "asc" } });
    const leaves = await prisma.auditLeaf.findMany({ where: { leafIndex: { in: stored.map((e) => e.leafIndex) } } });
    expect(leaves.map((l) => l.kind)).toEqual(stored.map(() => "membership"));
    for (const e of stored) expect(toBase64Url(leaves.find((l) => l.leafIndex === e.leafIndex)?.leafHash ?? new Uint8Array())).toBe(toBase64Url(e.hash));
    const { events } = await rooms.roomKeys(room, bob);
    expect(events.map((e) => e.seq)).toEqual(stored.map((e) => e.seq));
  });
});
