/**
 * The handshake and device-bound sessions (issue 9), with real Socket.IO clients
 * against a real relay and database: an unbound session is bound by its first
 * handshake and then opens sockets for that device only; a session bound to a device
 * that is revoked (its row deleted by the revocation, or left behind by a race) is
 * refused, and the device is told DEVICE_REVOKED even without a session; an idle or
 * ended session is refused.
 */
import { randomBytes } from "node:crypto";
import { bindSession, createSession, endDeviceSessions } from "@cairn/db";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { toBase64Url } from "@cairn/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { client, connected, makeUser, startRelay, type RunningRelay, type TestClient, type TestUser } from "./test-fixtures";

let db: TestDatabase;
let relay: RunningRelay;
const sockets: TestClient[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  relay = await startRelay(db.prisma);
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});
afterAll(async () => {
  await relay.close();
  await db.drop();
});

function open(token: string, deviceId: string): Promise<TestClient> {
  const s = client(relay.url, { token, deviceId });
  sockets.push(s);
  return connected(s).then(() => s);
}

function refusal(token: string | null, deviceId: string): Promise<unknown> {
  const s = client(relay.url, token === null ? null : { token, deviceId }, { deviceId });
  sockets.push(s);
  return connected(s).then(
    () => ({ connected: true }),
    (err: { data?: unknown }) => err.data,
  );
}

async function secondDevice(user: TestUser): Promise<string> {
  const id = toBase64Url(randomBytes(16));
  await db.prisma.device.create({
    data: {
      id,
      userId: user.id,
      name: "second",
      signingPublicKey: randomBytes(32),
      agreementPublicKey: randomBytes(32),
      signature: randomBytes(64),
    },
  });
  return id;
}

/** The device the user's first session (makeUser's) is bound to. */
async function boundTo(user: TestUser): Promise<string | null> {
  const row = await db.prisma.session.findFirstOrThrow({ where: { userId: user.id }, orderBy: { createdAt: "asc" } });
  return row.deviceId;
}

describe("device-bound sessions at the handshake", () => {
  it("binds an unbound session to the device of its first handshake, then refuses its other devices", async () => {
    const ann = await makeUser(db.prisma, "ann"); // makeUser's session is unbound
    const phone = await secondDevice(ann);
    expect(await boundTo(ann)).toBeNull();
    await open(ann.token, ann.deviceId);
    expect(await boundTo(ann)).toBe(ann.deviceId);
    await open(ann.token, ann.deviceId); // a second tab of the same device
    expect(await refusal(ann.token, phone)).toEqual({ code: "DEVICE_UNKNOWN" });
    // The phone connects with a session of its own.
    const phoneSession = await createSession(db.prisma, ann.id, new Date(), { deviceId: phone });
    await open(phoneSession.token, phone);
  });

  it("refuses a revoked device's sessions, telling it DEVICE_REVOKED even once its session is gone", async () => {
    const bob = await makeUser(db.prisma, "bob");
    const s = await open(bob.token, bob.deviceId);
    const dropped = new Promise<string>((resolve) => s.once("disconnect", resolve));
    // As the web app revokes (the row and the device's sessions in one transaction),
    // then what main.ts does on the deviceRevoked event it publishes.
    await db.prisma.$transaction(async (tx) => {
      await tx.device.update({ where: { id: bob.deviceId }, data: { revokedAt: new Date() } });
      expect(await endDeviceSessions(tx, bob.deviceId)).toBe(1);
    });
    relay.relay.dropDevice(bob.deviceId);
    expect(await dropped).toBe("io server disconnect");
    expect(await refusal(bob.token, bob.deviceId)).toEqual({ code: "DEVICE_REVOKED" });
    expect(await refusal(null, bob.deviceId)).toEqual({ code: "DEVICE_REVOKED" });
  });

  it("refuses (and deletes) a session left bound to a device revoked without ending it", async () => {
    const cat = await makeUser(db.prisma, "cat");
    const other = await secondDevice(cat);
    const session = await db.prisma.session.findFirstOrThrow({ where: { userId: cat.id } });
    expect(await bindSession(db.prisma, session.id, other)).toBe(true);
    await db.prisma.device.update({ where: { id: other }, data: { revokedAt: new Date() } });
    // The session is refused on its own device's behalf and deleted; cat's live device needs a new log-in.
    expect(await refusal(cat.token, cat.deviceId)).toEqual({ code: "UNAUTHENTICATED" });
    expect(await db.prisma.session.count({ where: { userId: cat.id } })).toBe(0);
  });

  it("refuses an idle session", async () => {
    const dan = await makeUser(db.prisma, "dan");
    const old = new Date(Date.now() - 15 * 24 * 3600 * 1000);
    await db.prisma.session.updateMany({ where: { userId: dan.id }, data: { lastUsedAt: old } });
    expect(await refusal(dan.token, dan.deviceId)).toEqual({ code: "UNAUTHENTICATED" });
  });
});
