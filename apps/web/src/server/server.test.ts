/**
 * The web app's server logic against a real, migrated PostgreSQL: sign-up writes the
 * user, device, session and both ledger registrations in one transaction; log-in and
 * room errors carry the stable codes the UI explains.
 */
import { randomUUID } from "node:crypto";
import { certifyDevice, generateDevice, generateIdentity, ready, type SigningKeyPair } from "@cairn/crypto";
import { findSession, type PrismaClient } from "@cairn/db";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { toBase64Url, type MembershipKind, type SignupBody } from "@cairn/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as AccountsModule from "./accounts";
import { signedEvent } from "./membership-fixtures";
import type * as RoomsModule from "./rooms";

let tdb: TestDatabase;
let prisma: PrismaClient;
let accounts: typeof AccountsModule;
let rooms: typeof RoomsModule;

beforeAll(async () => {
  await ready();
  tdb = await createTestDatabase();
  prisma = tdb.prisma;
  process.env.DATABASE_URL = tdb.url;
  accounts = await import("./accounts");
  rooms = await import("./rooms");
});

afterAll(async () => {
  await (await import("./auth-hash")).authHashes().close();
  const { db } = await import("./db");
  await db().$disconnect();
  await tdb.drop();
});

/** Identity key pairs by username, as each browser would hold them. */
const identities = new Map<string, SigningKeyPair>();

function signupBody(username: string, secretByte = 7): SignupBody {
  const identity = generateIdentity();
  if (!identities.has(username)) identities.set(username, identity); // the first body is the one signed up
  const device = generateDevice();
  return {
    username,
    salt: toBase64Url(new Uint8Array(16).fill(1)),
    authSecret: toBase64Url(new Uint8Array(32).fill(secretByte)),
    identityPublicKey: toBase64Url(identity.publicKey),
    device: {
      deviceId: device.deviceId,
      name: "test browser",
      signingPublicKey: toBase64Url(device.signing.publicKey),
      agreementPublicKey: toBase64Url(device.agreement.publicKey),
      signature: toBase64Url(certifyDevice(identity, device)),
    },
  };
}

describe("accounts", () => {
  it("signs up: user, device, live session and two ledger registrations", async () => {
    const body = signupBody("dora");
    const { account, session } = await accounts.signup(body);
    expect(account).toMatchObject({ username: "dora", identityPublicKey: body.identityPublicKey });
    expect((await findSession(prisma, session.token))?.user.id).toBe(account.id);
    const device = await prisma.device.findUniqueOrThrow({ where: { id: body.device.deviceId } });
    expect(device.userId).toBe(account.id);
    const outbox = await prisma.ledgerOutbox.findMany({ orderBy: { id: "asc" } });
    expect(outbox.map((o) => o.kind)).toEqual(["registerIdentity", "registerDevice"]);
    expect(outbox[1]?.payload).toMatchObject({ userId: account.id, deviceId: body.device.deviceId });
    const user = await prisma.user.findUniqueOrThrow({ where: { id: account.id } });
    expect(user.authHash).toMatch(/^\$argon2id\$/);
    expect(user.authHash).not.toContain(body.authSecret);
    // The installation's first account is admin from the moment it exists, before any page asks.
    expect(account.role).toBe("admin");
    expect(user.role).toBe("admin");
  });

  it("refuses a taken username and a forged device certificate, storing nothing", async () => {
    await expect(accounts.signup(signupBody("dora"))).rejects.toMatchObject({ code: "USERNAME_TAKEN" });
    const forged = signupBody("eddie");
    forged.identityPublicKey = signupBody("x").identityPublicKey;
    await expect(accounts.signup(forged)).rejects.toMatchObject({ code: "BAD_SIGNATURE" });
    expect(await prisma.user.count({ where: { username: "eddie" } })).toBe(0);
  });

  it("logs in with the right auth secret only", async () => {
    expect((await accounts.authParams("dora")).salt).toBe(toBase64Url(new Uint8Array(16).fill(1)));
    // No enumeration: an unknown name gets a stable fake salt of the same shape.
    const fake = (await accounts.authParams("nobody")).salt;
    expect(fake).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect((await accounts.authParams("nobody")).salt).toBe(fake);
    const ok = await accounts.login({ username: "dora", authSecret: toBase64Url(new Uint8Array(32).fill(7)) });
    expect(ok.username).toBe("dora");
    await expect(
      accounts.login({ username: "dora", authSecret: toBase64Url(new Uint8Array(32).fill(8)) }),
    ).rejects.toMatchObject({ code: "INVALID_CREDENTIALS" });
    await expect(
      accounts.login({ username: "nobody", authSecret: toBase64Url(new Uint8Array(32).fill(7)) }),
    ).rejects.toMatchObject({ code: "INVALID_CREDENTIALS", message: "Wrong username or passphrase." });
  });
});

describe("rooms", () => {
  it("creates rooms with known members only, and serves keys to members only", async () => {
    const dora = await prisma.user.findUniqueOrThrow({ where: { username: "dora" } });
    const { account: finn } = await accounts.signup(signupBody("finn"));
    const { account: gus } = await accounts.signup(signupBody("gus"));
    expect([finn.role, gus.role]).toEqual(["member", "member"]);

    const signed = (by: string, room: string, kind: MembershipKind, names: string[]) =>
      signedEvent(prisma, identities.get(by) as SigningKeyPair, room, kind, names.map((n) => (identities.get(n) as SigningKeyPair).publicKey));
    const nope = randomUUID();
    const nopeEvent = await signed("dora", nope, "create", ["dora", "finn"]);
    await expect(rooms.createRoom(dora.id, { id: nope, name: "nope", members: ["finn", "ghost"], event: nopeEvent })).rejects.toMatchObject({
      code: "USER_NOT_FOUND",
      message: 'No user named "ghost".',
    });
    expect(await prisma.room.count()).toBe(0);

    const id = randomUUID();
    const room = await rooms.createRoom(dora.id, { id, name: "plans", members: ["finn", "FINN".toLowerCase()], event: await signed("dora", id, "create", ["dora", "finn"]) });
    expect(room.members.map((m) => m.username)).toEqual(["dora", "finn"]);
    expect((await rooms.listRooms(finn.id)).map((r) => r.id)).toEqual([room.id]);

    const { users: keys } = await rooms.roomKeys(room.id, finn.id);
    expect(keys.map((k) => [k.username, k.devices.length])).toEqual([
      ["dora", 1],
      ["finn", 1],
    ]);
    await expect(rooms.roomKeys(room.id, gus.id)).rejects.toMatchObject({ code: "ROOM_NOT_FOUND" });
    await expect(rooms.addMember(room.id, gus.id, "gus", await signed("gus", room.id, "add", ["gus"]))).rejects.toMatchObject({ code: "ROOM_NOT_FOUND" });

    const grown = await rooms.addMember(room.id, finn.id, "gus", await signed("finn", room.id, "add", ["gus"]));
    expect(grown.members.map((m) => m.username)).toEqual(["dora", "finn", "gus"]);
    await expect(rooms.addMember(room.id, finn.id, "ghost", await signed("finn", room.id, "add", ["gus"]))).rejects.toMatchObject({ code: "USER_NOT_FOUND" });
    expect((await rooms.userKeys("gus")).userId).toBe(gus.id);
  });
});
