/**
 * Devices and key backup against a real, migrated PostgreSQL: a new device is
 * registered only with a certificate from the account's identity key (Device row and
 * ledger outbox row together), revocation needs the identity key's signature, and the
 * backup store is ciphertext with compare-and-set versions.
 */
import { certifyDevice, generateDevice, generateIdentity, ready, signDeviceRevocation, type SigningKeyPair } from "@cairn/crypto";
import type { PrismaClient } from "@cairn/db";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { toBase64Url, type SignupBody } from "@cairn/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as AccountsModule from "./accounts";
import type * as BackupsModule from "./backups";
import type * as DevicesModule from "./devices";

let tdb: TestDatabase;
let prisma: PrismaClient;
let accounts: typeof AccountsModule;
let devices: typeof DevicesModule;
let backups: typeof BackupsModule;

beforeAll(async () => {
  await ready();
  tdb = await createTestDatabase();
  prisma = tdb.prisma;
  process.env.DATABASE_URL = tdb.url;
  accounts = await import("./accounts");
  devices = await import("./devices");
  backups = await import("./backups");
});

afterAll(async () => {
  const { db } = await import("./db");
  await db().$disconnect();
  await tdb.drop();
});

async function signup(username: string): Promise<{ userId: string; identity: SigningKeyPair; firstDevice: string }> {
  const identity = generateIdentity();
  const device = generateDevice();
  const body: SignupBody = {
    username,
    salt: toBase64Url(new Uint8Array(16).fill(1)),
    authSecret: toBase64Url(new Uint8Array(32).fill(7)),
    identityPublicKey: toBase64Url(identity.publicKey),
    device: {
      deviceId: device.deviceId,
      name: "first",
      signingPublicKey: toBase64Url(device.signing.publicKey),
      agreementPublicKey: toBase64Url(device.agreement.publicKey),
      signature: toBase64Url(certifyDevice(identity, device)),
    },
  };
  const { account } = await accounts.signup(body);
  return { userId: account.id, identity, firstDevice: device.deviceId };
}

function registration(identity: SigningKeyPair) {
  const device = generateDevice();
  return {
    deviceId: device.deviceId,
    name: "phone",
    signingPublicKey: toBase64Url(device.signing.publicKey),
    agreementPublicKey: toBase64Url(device.agreement.publicKey),
    signature: toBase64Url(certifyDevice(identity, device)),
  };
}

describe("devices", () => {
  it("registers a device certified by the account's identity key, with its ledger outbox row", async () => {
    const ann = await signup("ann");
    const reg = registration(ann.identity);
    const created = await devices.registerDevice(ann.userId, reg);
    expect(created).toMatchObject({ deviceId: reg.deviceId, name: "phone", revokedAt: null, lastSeenAt: null });
    const outbox = await prisma.ledgerOutbox.findMany({ where: { kind: "registerDevice" }, orderBy: { id: "asc" } });
    expect(outbox.at(-1)?.payload).toMatchObject({ userId: ann.userId, deviceId: reg.deviceId });
    expect((await devices.listDevices(ann.userId)).map((d) => d.name)).toEqual(["first", "phone"]);
    await expect(devices.registerDevice(ann.userId, reg)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("refuses a device certified by another identity key, storing nothing", async () => {
    const ben = await signup("ben");
    const reg = registration(generateIdentity());
    await expect(devices.registerDevice(ben.userId, reg)).rejects.toMatchObject({ code: "BAD_SIGNATURE" });
    expect(await prisma.device.count({ where: { id: reg.deviceId } })).toBe(0);
  });

  it("renames and revokes only the user's own devices, with an identity-signed revocation", async () => {
    const cid = await signup("cid");
    const other = await signup("dee");
    const reg = registration(cid.identity);
    await devices.registerDevice(cid.userId, reg);
    expect((await devices.renameDevice(cid.userId, reg.deviceId, "old phone")).name).toBe("old phone");
    await expect(devices.renameDevice(other.userId, reg.deviceId, "mine")).rejects.toMatchObject({ code: "DEVICE_UNKNOWN" });

    const now = Date.now();
    const forged = toBase64Url(signDeviceRevocation(other.identity, reg.deviceId, now));
    await expect(devices.revokeDevice(cid.userId, reg.deviceId, { revokedAtMs: now, signature: forged })).rejects.toMatchObject({
      code: "BAD_SIGNATURE",
    });
    const stale = now - 60 * 60 * 1000;
    const old = toBase64Url(signDeviceRevocation(cid.identity, reg.deviceId, stale));
    await expect(devices.revokeDevice(cid.userId, reg.deviceId, { revokedAtMs: stale, signature: old })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    const signature = toBase64Url(signDeviceRevocation(cid.identity, reg.deviceId, now));
    const revoked = await devices.revokeDevice(cid.userId, reg.deviceId, { revokedAtMs: now, signature });
    expect(revoked.revokedAt).toBe(new Date(now).toISOString());
    const row = await prisma.ledgerOutbox.findFirst({ where: { kind: "revokeDevice" }, orderBy: { id: "desc" } });
    expect(row?.payload).toEqual({ userId: cid.userId, deviceId: reg.deviceId, revokedAtMs: now, signature });
    await expect(devices.revokeDevice(cid.userId, reg.deviceId, { revokedAtMs: now, signature })).rejects.toMatchObject({
      code: "DEVICE_REVOKED",
    });
  });
});

describe("key backup", () => {
  it("stores ciphertext with versions that must follow each other", async () => {
    const eve = await signup("eve");
    expect(await backups.getBackup(eve.userId)).toBeNull();
    const v1 = toBase64Url(new Uint8Array([1, 2, 3]));
    expect(await backups.putBackup(eve.userId, v1, 1)).toEqual({ version: 1 });
    await expect(backups.putBackup(eve.userId, v1, 1)).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(backups.putBackup(eve.userId, v1, 3)).rejects.toMatchObject({ code: "CONFLICT" });
    const v2 = toBase64Url(new Uint8Array([4, 5]));
    expect(await backups.putBackup(eve.userId, v2, 2)).toEqual({ version: 2 });
    expect(await backups.getBackup(eve.userId)).toMatchObject({ ciphertext: v2, version: 2 });
  });
});
