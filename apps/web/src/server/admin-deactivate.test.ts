/**
 * Offboarding (issue 9) against a real, migrated PostgreSQL: only an admin deactivates,
 * never themselves or another admin; one transaction marks the account, ends every
 * session, revokes every device (dropping their queued shares), removes the user from
 * every room, and writes an audit leaf whose hash is auditDeactivationData's; the relays
 * hear deviceRevoked and membershipRemoved. Refusals change nothing. A deactivated user
 * gets the wrong-passphrase answer at log-in, and the admin list shows status, devices, rooms.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { leafHash } from "@cairn/audit";
import { createSession, findSession, subscribeServerEvents, type PrismaClient, type ServerEvent, type ServerEventSubscription } from "@cairn/db";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { auditDeactivationData, hex } from "@cairn/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deactivateUser, refuseDeactivated } from "./admin-deactivate";
import { listUsers } from "./admin-users";
import { errorResponse } from "./http";

let tdb: TestDatabase;
let prisma: PrismaClient;
let events: ServerEventSubscription;
const heard: ServerEvent[] = [];

async function user(name: string, role = "member"): Promise<string> {
  const u = await prisma.user.create({
    data: { username: name, salt: new Uint8Array(16), authHash: "x", identityPublicKey: new Uint8Array(32), role },
  });
  return u.id;
}

async function device(userId: string, revokedAt: Date | null = null): Promise<string> {
  const id = randomBytes(16).toString("base64url");
  await prisma.device.create({
    data: { id, userId, name: "d", signingPublicKey: randomBytes(32), agreementPublicKey: randomBytes(32), signature: randomBytes(64), revokedAt },
  });
  return id;
}

async function share(roomId: string, recipientDeviceId: string, delivered: boolean): Promise<void> {
  await prisma.sessionShare.create({
    data: { recipientDeviceId, senderDeviceId: "sender", roomId, payload: {}, deliveredAt: delivered ? new Date() : null },
  });
}

async function outcome(fn: () => Promise<unknown>): Promise<[number, string, string]> {
  try {
    await fn();
    return [200, "ok", ""];
  } catch (err) {
    const res = errorResponse(err);
    const body = (await res.json()) as { error: { code: string; message: string } };
    return [res.status, body.error.code, body.error.message];
  }
}

/** Everything deactivation may touch, to show a refusal changed none of it. */
async function state() {
  return {
    users: await prisma.user.findMany({ select: { id: true, deactivatedAt: true }, orderBy: { id: "asc" } }),
    sessions: await prisma.session.count(),
    devices: await prisma.device.count({ where: { revokedAt: null } }),
    members: await prisma.roomMember.count(),
    leaves: await prisma.auditLeaf.count(),
    shares: await prisma.sessionShare.count(),
  };
}

let admin: string, admin2: string, bob: string, carol: string;
let bobPhone: string, bobLaptop: string, bobOld: string;
let roomA: string, roomB: string;
let bobToken: string;
const oldRevocation = new Date("2026-01-01T00:00:00.000Z");

beforeAll(async () => {
  tdb = await createTestDatabase();
  prisma = tdb.prisma;
  process.env.DATABASE_URL = tdb.url;
  events = await subscribeServerEvents(tdb.url, (e) => heard.push(e));
  admin = await user("admin", "admin");
  admin2 = await user("admin2", "admin");
  bob = await user("bob");
  carol = await user("carol");
  [bobPhone, bobLaptop, bobOld] = [await device(bob), await device(bob), await device(bob, oldRevocation)];
  await device(carol);
  roomA = (await prisma.room.create({ data: { name: "a", createdBy: carol, members: { create: [{ userId: carol }, { userId: bob }] } } })).id;
  roomB = (await prisma.room.create({ data: { name: "b", createdBy: bob, members: { create: [{ userId: bob }] } } })).id;
  await share(roomA, bobPhone, false);
  await share(roomA, bobLaptop, true);
  bobToken = (await createSession(prisma, bob)).token;
  await createSession(prisma, bob);
  await createSession(prisma, carol);
});

afterAll(async () => {
  await events.close();
  const { db } = await import("./db");
  await db().$disconnect();
  await tdb.drop();
});

describe("deactivateUser", () => {
  it("lists people with status, device counts and rooms", async () => {
    const users = await listUsers(prisma, admin);
    const row = users.find((u) => u.id === bob);
    expect(row).toMatchObject({ username: "bob", status: "active", deactivatedAt: null, devices: { active: 2, total: 3 } });
    expect(row?.rooms.map((r) => r.name).sort()).toEqual(["a", "b"]);
    expect(row?.rooms.map((r) => r.id).sort()).toEqual([roomA, roomB].sort());
  });

  it("refuses non-admins (403), oneself (403), an admin (403), unknown (404) and changes nothing", async () => {
    const before = await state();
    expect((await outcome(() => deactivateUser(prisma, carol, bob))).slice(0, 2)).toEqual([403, "FORBIDDEN"]);
    expect((await outcome(() => deactivateUser(prisma, bob, bob))).slice(0, 2)).toEqual([403, "FORBIDDEN"]);
    expect((await outcome(() => deactivateUser(prisma, admin, admin))).slice(0, 2)).toEqual([403, "FORBIDDEN"]);
    expect((await outcome(() => deactivateUser(prisma, admin, admin2))).slice(0, 2)).toEqual([403, "FORBIDDEN"]);
    expect((await outcome(() => deactivateUser(prisma, admin, randomUUID()))).slice(0, 2)).toEqual([404, "USER_NOT_FOUND"]);
    expect(await state()).toEqual(before);
  });

  it("ends sessions, revokes devices, leaves every room and records an audit leaf, in one transaction", async () => {
    const leavesBefore = await prisma.auditLeaf.count();
    const at = new Date("2026-12-02T15:00:00.123Z");
    const result = await deactivateUser(prisma, admin, bob, at);
    expect(result).toEqual({
      userId: bob,
      deactivatedAt: at.toISOString(),
      deactivatedBy: admin,
      leafIndex: leavesBefore,
      sessionsEnded: 2,
      devicesRevoked: 2,
      roomsLeft: 2,
    });

    const row = await prisma.user.findUniqueOrThrow({ where: { id: bob } });
    expect(row).toMatchObject({ deactivatedAt: at, deactivatedBy: admin, deactivationLeaf: BigInt(result.leafIndex) });
    expect(await prisma.session.count({ where: { userId: bob } })).toBe(0);
    expect(await prisma.session.count({ where: { userId: carol } })).toBe(1);
    expect(await findSession(prisma, bobToken)).toBeNull();
    const devices = await prisma.device.findMany({ where: { userId: bob }, orderBy: { id: "asc" } });
    expect(devices.every((d) => d.revokedAt !== null)).toBe(true);
    expect(devices.find((d) => d.id === bobOld)?.revokedAt).toEqual(oldRevocation); // an earlier revocation keeps its time
    expect(devices.find((d) => d.id === bobPhone)?.revokedAt).toEqual(at);
    // The undelivered share is dropped; the delivered one (history bob already had) stays.
    expect(await prisma.sessionShare.findMany({ where: { roomId: roomA }, select: { recipientDeviceId: true } })).toEqual([
      { recipientDeviceId: bobLaptop },
    ]);
    expect(await prisma.roomMember.count({ where: { userId: bob } })).toBe(0);
    expect(await prisma.roomMember.count({ where: { roomId: roomA } })).toBe(1);

    // The leaf is the protocol's record, rebuilt from the row alone.
    const leaf = await prisma.auditLeaf.findUniqueOrThrow({ where: { leafIndex: BigInt(result.leafIndex) } });
    expect(leaf.kind).toBe("deactivation");
    const data = auditDeactivationData({ actorUserId: row.deactivatedBy ?? "", targetUserId: row.id, deactivatedAtMs: row.deactivatedAt?.getTime() ?? 0 });
    expect(hex(leaf.leafHash)).toBe(hex(leafHash(data)));
    expect(Number((await prisma.auditHead.findUniqueOrThrow({ where: { id: 1 } })).nextLeaf)).toBe(result.leafIndex + 1);
    // The ledger hears it through the outbox: every device still active there is revoked.
    const queued = await prisma.ledgerOutbox.findMany({ where: { kind: "deactivateUser" }, select: { payload: true } });
    expect(queued.map((q) => q.payload)).toEqual([{ userId: bob, auditLeafIndex: result.leafIndex }]);

    // The relays hear it: both live devices dropped, both rooms left (the revoked one needs nothing).
    await expect.poll(() => heard.length).toBeGreaterThanOrEqual(4);
    expect(heard).toEqual(
      expect.arrayContaining([
        { type: "deviceRevoked", userId: bob, deviceId: bobPhone },
        { type: "deviceRevoked", userId: bob, deviceId: bobLaptop },
        { type: "membershipRemoved", roomId: roomA, userIds: [bob], reason: "deactivated" },
        { type: "membershipRemoved", roomId: roomB, userIds: [bob], reason: "deactivated" },
      ]),
    );
    expect(heard).toHaveLength(4);
  });

  it("shows the account as deactivated in the admin list", async () => {
    const users = await listUsers(prisma, admin);
    expect(users.find((u) => u.id === bob)).toMatchObject({
      status: "deactivated",
      deactivatedAt: "2026-12-02T15:00:00.123Z",
      devices: { active: 0, total: 3 },
      rooms: [],
    });
    expect(users.find((u) => u.id === carol)).toMatchObject({ status: "active" });
  });

  it("deactivating twice is 409 CONFLICT and writes no second leaf", async () => {
    const before = await state();
    expect((await outcome(() => deactivateUser(prisma, admin, bob))).slice(0, 2)).toEqual([409, "CONFLICT"]);
    expect(await state()).toEqual(before);
  });

  it("two admins deactivating at once: one succeeds, the other gets CONFLICT; one leaf", async () => {
    const leaves = await prisma.auditLeaf.count();
    const results = await Promise.all([
      outcome(() => deactivateUser(prisma, admin, carol)),
      outcome(() => deactivateUser(prisma, admin2, carol)),
    ]);
    expect(results.map((r) => r[1]).sort()).toEqual(["CONFLICT", "ok"]);
    expect(await prisma.auditLeaf.count()).toBe(leaves + 1);
  });
});

describe("log-in of a deactivated account", () => {
  it("is refused with the wrong-passphrase answer; an active account passes", async () => {
    const dave = await user("dave");
    await expect(refuseDeactivated(dave, prisma)).resolves.toBeUndefined();
    expect(await outcome(() => refuseDeactivated(bob, prisma))).toEqual([401, "INVALID_CREDENTIALS", "Wrong username or passphrase."]);
    expect(await outcome(() => refuseDeactivated(randomUUID(), prisma))).toEqual([401, "INVALID_CREDENTIALS", "Wrong username or passphrase."]);
  });
});
