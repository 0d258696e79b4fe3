/**
 * Device-bound sessions against a real, migrated PostgreSQL, with an injected clock:
 * absolute and idle expiry, the once-a-minute use record, binding (unbound only, to a
 * live device of the same user), revoked devices and deactivated users refused, and
 * ending one, all, or a device's sessions.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SESSION_TOUCH_MS,
  bindSession,
  createSession,
  endDeviceSessions,
  endSession,
  endUserSessions,
  findSession,
  listSessions,
} from "./sessions";
import { createTestDatabase, type TestDatabase } from "./testing";

let db: TestDatabase;
const MIN = 60 * 1000;
const DAY = 24 * 60 * MIN;
const T0 = new Date("2026-12-01T00:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const policy = { maxAgeMs: 30 * DAY, idleMs: 14 * DAY };

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

async function makeUser(username: string): Promise<string> {
  const user = await db.prisma.user.create({
    data: { username, salt: randomBytes(16), authHash: "unused", identityPublicKey: randomBytes(32) },
  });
  return user.id;
}

async function makeDevice(userId: string, name = "laptop"): Promise<string> {
  const id = randomBytes(16).toString("base64url");
  await db.prisma.device.create({
    data: { id, userId, name, signingPublicKey: randomBytes(32), agreementPublicKey: randomBytes(32), signature: randomBytes(64) },
  });
  return id;
}

describe("expiry", () => {
  it("ends a session unused for its idle limit, and records use at most once a minute", async () => {
    const userId = await makeUser("idle");
    const { token, id } = await createSession(db.prisma, userId, T0, { policy });
    const lastUsed = async () => (await db.prisma.session.findUniqueOrThrow({ where: { id } })).lastUsedAt.getTime();

    expect((await findSession(db.prisma, token, at(30 * 1000)))?.sessionId).toBe(id);
    expect(await lastUsed()).toBe(T0.getTime()); // under a minute: no write
    expect(await findSession(db.prisma, token, at(SESSION_TOUCH_MS))).not.toBeNull();
    expect(await lastUsed()).toBe(at(SESSION_TOUCH_MS).getTime());

    // Each use moves the idle limit: used on day 13, alive on day 26 (13 idle days).
    expect(await findSession(db.prisma, token, at(13 * DAY))).not.toBeNull();
    expect(await findSession(db.prisma, token, at(26 * DAY))).not.toBeNull();
    expect(await findSession(db.prisma, token, at(40 * DAY - 1))).toBeNull(); // absolute end (day 30) first
    expect(await db.prisma.session.count({ where: { id } })).toBe(0); // deleted once found ended
  });

  it("ends a session idle for its limit even before its absolute end", async () => {
    const userId = await makeUser("idle2");
    const { token } = await createSession(db.prisma, userId, T0, { policy });
    expect(await findSession(db.prisma, token, at(14 * DAY - 1))).not.toBeNull();
    expect(await findSession(db.prisma, token, at(28 * DAY - 1))).toBeNull();
  });

  it("ends a session at its absolute end however often it is used", async () => {
    const userId = await makeUser("busy");
    const { token } = await createSession(db.prisma, userId, T0, { policy });
    for (let day = 1; day < 30; day += 5) expect(await findSession(db.prisma, token, at(day * DAY))).not.toBeNull();
    expect(await findSession(db.prisma, token, at(30 * DAY))).toBeNull();
  });

  it("lets a reader's stricter policy shorten what the row says, never lengthen it", async () => {
    const userId = await makeUser("strict");
    const a = await createSession(db.prisma, userId, T0, { policy });
    expect(await findSession(db.prisma, a.token, at(2 * 60 * MIN), { maxAgeMs: 30 * DAY, idleMs: 60 * MIN })).toBeNull();
    const b = await createSession(db.prisma, userId, T0, { policy: { maxAgeMs: DAY, idleMs: DAY } });
    expect(await findSession(db.prisma, b.token, at(DAY), policy)).toBeNull();
  });
});

describe("devices", () => {
  it("binds an unbound session once, only to a live device of its own user", async () => {
    const ann = await makeUser("ann");
    const bob = await makeUser("bob");
    const annLaptop = await makeDevice(ann);
    const annPhone = await makeDevice(ann, "phone");
    const annOld = await makeDevice(ann, "old");
    await db.prisma.device.update({ where: { id: annOld }, data: { revokedAt: T0 } });
    const bobDevice = await makeDevice(bob);
    const s = await createSession(db.prisma, ann, T0, { policy });
    expect((await findSession(db.prisma, s.token, T0))?.deviceId).toBeNull();

    expect(await bindSession(db.prisma, s.id, bobDevice)).toBe(false); // another user's
    expect(await bindSession(db.prisma, s.id, annOld)).toBe(false); // revoked
    expect(await bindSession(db.prisma, s.id, "no-such-device")).toBe(false);
    expect(await bindSession(db.prisma, s.id, annLaptop)).toBe(true);
    expect(await bindSession(db.prisma, s.id, annLaptop)).toBe(true); // already
    expect(await bindSession(db.prisma, s.id, annPhone)).toBe(false); // never moves
    expect((await findSession(db.prisma, s.token, T0))?.deviceId).toBe(annLaptop);
  });

  it("refuses (and deletes) a session whose device is revoked, and ends a device's sessions", async () => {
    const userId = await makeUser("cat");
    const laptop = await makeDevice(userId);
    const phone = await makeDevice(userId, "phone");
    const onLaptop = await createSession(db.prisma, userId, T0, { deviceId: laptop, policy });
    const onLaptop2 = await createSession(db.prisma, userId, T0, { deviceId: laptop, policy });
    const onPhone = await createSession(db.prisma, userId, T0, { deviceId: phone, policy });

    // Revoked without ending its sessions (as a racing binding could leave it): refused anyway.
    await db.prisma.device.update({ where: { id: laptop }, data: { revokedAt: T0 } });
    expect(await findSession(db.prisma, onLaptop.token, T0)).toBeNull();
    expect(await db.prisma.session.count({ where: { id: onLaptop.id } })).toBe(0);

    expect(await endDeviceSessions(db.prisma, laptop)).toBe(1); // onLaptop2
    expect(await findSession(db.prisma, onLaptop2.token, T0)).toBeNull();
    expect((await findSession(db.prisma, onPhone.token, T0))?.deviceId).toBe(phone);
  });

  it("refuses a deactivated user's sessions", async () => {
    const userId = await makeUser("gone");
    const s = await createSession(db.prisma, userId, T0, { policy });
    await db.prisma.user.update({ where: { id: userId }, data: { deactivatedAt: T0 } });
    expect(await findSession(db.prisma, s.token, T0)).toBeNull();
  });
});

describe("ending sessions", () => {
  it("lists a user's live sessions with their device, and ends one only for its owner", async () => {
    const dan = await makeUser("dan");
    const eve = await makeUser("eve");
    const laptop = await makeDevice(dan, "Dan's laptop");
    const a = await createSession(db.prisma, dan, T0, { deviceId: laptop, policy });
    const b = await createSession(db.prisma, dan, at(MIN), { policy });
    await createSession(db.prisma, dan, at(-40 * DAY), { policy }); // long ended: not listed
    const list = await listSessions(db.prisma, dan, at(2 * MIN));
    expect(list.map((s) => [s.id, s.deviceName])).toEqual([
      [b.id, null],
      [a.id, "Dan's laptop"],
    ]);

    expect(await endSession(db.prisma, eve, a.id)).toBe(false); // not eve's
    expect(await findSession(db.prisma, a.token, at(2 * MIN))).not.toBeNull();
    expect(await endSession(db.prisma, dan, a.id)).toBe(true);
    expect(await findSession(db.prisma, a.token, at(2 * MIN))).toBeNull();
  });

  it("ends all of a user's sessions but the one kept, and nobody else's", async () => {
    const fay = await makeUser("fay");
    const gus = await makeUser("gus");
    const keep = await createSession(db.prisma, fay, T0, { policy });
    const other = await createSession(db.prisma, fay, T0, { policy });
    const third = await createSession(db.prisma, fay, T0, { policy });
    const gusSession = await createSession(db.prisma, gus, T0, { policy });
    expect(await endUserSessions(db.prisma, fay, keep.id)).toBe(2);
    expect(await findSession(db.prisma, other.token, T0)).toBeNull();
    expect(await findSession(db.prisma, third.token, T0)).toBeNull();
    expect(await findSession(db.prisma, keep.token, T0)).not.toBeNull();
    expect(await endUserSessions(db.prisma, fay)).toBe(1);
    expect(await findSession(db.prisma, keep.token, T0)).toBeNull();
    expect(await findSession(db.prisma, gusSession.token, T0)).not.toBeNull();
  });
});
