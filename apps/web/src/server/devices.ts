import "server-only";
import { bindSession, endDeviceSessions, enqueueLedgerTx, publishServerEvent } from "@cairn/db";
import { ready, verifyDeviceCertificate, verifyDeviceRevocation } from "@cairn/crypto";
import { CairnError, fromBase64Url, type DeviceRegistration } from "@cairn/protocol";
import type { OwnDevice } from "@/lib/api-schemas";
import { db } from "./db";
import { DEVICE_SELECT, deviceView } from "./views";

/** How far a revocation's timestamp may be from the server's clock. */
export const REVOCATION_CLOCK_SKEW_MS = 10 * 60 * 1000;

const OWN_SELECT = { ...DEVICE_SELECT, userId: true, lastSeenAt: true } as const;

function ownView(d: Parameters<typeof deviceView>[0] & { lastSeenAt: Date | null }): OwnDevice {
  return { ...deviceView(d), lastSeenAt: d.lastSeenAt ? d.lastSeenAt.toISOString() : null };
}

function bytesOf(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(fromBase64Url(text));
}

async function identityKeyOf(userId: string): Promise<Uint8Array> {
  const user = await db().user.findUnique({ where: { id: userId }, select: { identityPublicKey: true } });
  if (!user) throw new CairnError("UNAUTHENTICATED", "Please log in.");
  return user.identityPublicKey;
}

/** @throws CairnError DEVICE_UNKNOWN unless `deviceId` is one of `userId`'s devices */
async function ownDevice(userId: string, deviceId: string) {
  const device = await db().device.findUnique({ where: { id: deviceId }, select: OWN_SELECT });
  if (!device || device.userId !== userId) throw new CairnError("DEVICE_UNKNOWN", "No such device on your account.");
  return device;
}

/** The user's devices, oldest first. */
export async function listDevices(userId: string): Promise<OwnDevice[]> {
  const rows = await db().device.findMany({ where: { userId }, select: OWN_SELECT, orderBy: { createdAt: "asc" } });
  return rows.map(ownView);
}

/**
 * Registers a new device of the logged-in user (restored from the key backup): the
 * certificate must verify under the account's identity key, as the chaincode will
 * check again. Writes the Device row and the registerDevice ledger outbox row in one
 * transaction, and binds the registering session (`sessionId`) to the new device if it
 * is still unbound (a log-in from a browser without keys: packages/db sessions.ts).
 * @throws CairnError BAD_SIGNATURE, CONFLICT (device id taken)
 */
export async function registerDevice(userId: string, body: DeviceRegistration, sessionId?: string): Promise<OwnDevice> {
  await ready();
  const identity = await identityKeyOf(userId);
  const cert = {
    deviceId: body.deviceId,
    signingPublicKey: bytesOf(body.signingPublicKey),
    agreementPublicKey: bytesOf(body.agreementPublicKey),
    signature: bytesOf(body.signature),
  };
  if (!verifyDeviceCertificate(identity, cert)) {
    throw new CairnError("BAD_SIGNATURE", "The device certificate is not signed by your identity key.");
  }
  try {
    const row = await db().$transaction(async (tx) => {
      const created = await tx.device.create({
        data: {
          id: body.deviceId,
          userId,
          name: body.name,
          signingPublicKey: cert.signingPublicKey,
          agreementPublicKey: cert.agreementPublicKey,
          signature: cert.signature,
        },
        select: OWN_SELECT,
      });
      await enqueueLedgerTx(tx, "registerDevice", {
        userId,
        deviceId: body.deviceId,
        signingPublicKey: body.signingPublicKey,
        agreementPublicKey: body.agreementPublicKey,
        signature: body.signature,
      });
      if (sessionId) await bindSession(tx, sessionId, body.deviceId);
      // Relays tell the user's rooms on commit: members' clients refresh keys and share with it.
      await publishServerEvent(tx, { type: "deviceRegistered", userId, deviceId: body.deviceId });
      return created;
    });
    return ownView(row);
  } catch (err) {
    if ((err as { code?: unknown }).code === "P2002") throw new CairnError("CONFLICT", "That device id is taken.");
    throw err;
  }
}

/** Renames one of the user's devices. @throws CairnError DEVICE_UNKNOWN */
export async function renameDevice(userId: string, deviceId: string, name: string): Promise<OwnDevice> {
  await ownDevice(userId, deviceId);
  const row = await db().device.update({ where: { id: deviceId }, data: { name }, select: OWN_SELECT });
  return ownView(row);
}

/**
 * Revokes one of the user's devices with the identity key's signature over
 * deviceRevocationBytes: Device.revokedAt and the revokeDevice ledger outbox row in one
 * transaction, which also deletes every session bound to the device (its browser gets
 * 401 on every route from then on). The relay then refuses the device (handshake and
 * shares); members' clients see `revokedAt` in the key directory and rotate before
 * their next message.
 * @throws CairnError DEVICE_UNKNOWN, DEVICE_REVOKED (already), BAD_SIGNATURE,
 *   VALIDATION_FAILED (timestamp too far from now)
 */
export async function revokeDevice(
  userId: string,
  deviceId: string,
  revocation: { revokedAtMs: number; signature: string },
  now = Date.now(),
): Promise<OwnDevice> {
  await ready();
  const device = await ownDevice(userId, deviceId);
  if (device.revokedAt) throw new CairnError("DEVICE_REVOKED", "This device is already revoked.");
  if (Math.abs(revocation.revokedAtMs - now) > REVOCATION_CLOCK_SKEW_MS) {
    throw new CairnError("VALIDATION_FAILED", "The revocation's time is too far from the server's clock.");
  }
  const identity = await identityKeyOf(userId);
  const ok = verifyDeviceRevocation(identity, {
    deviceId,
    revokedAtMs: revocation.revokedAtMs,
    signature: fromBase64Url(revocation.signature),
  });
  if (!ok) throw new CairnError("BAD_SIGNATURE", "The revocation is not signed by your identity key.");
  const row = await db().$transaction(async (tx) => {
    const updated = await tx.device.update({
      where: { id: deviceId },
      data: { revokedAt: new Date(revocation.revokedAtMs) },
      select: OWN_SELECT,
    });
    // Shares still queued for the device are never delivered now: drop them.
    await tx.sessionShare.deleteMany({ where: { recipientDeviceId: deviceId, deliveredAt: null } });
    // Its browser's log-ins end with it.
    await endDeviceSessions(tx, deviceId);
    await enqueueLedgerTx(tx, "revokeDevice", {
      userId,
      deviceId,
      revokedAtMs: revocation.revokedAtMs,
      signature: revocation.signature,
    });
    // Relays drop the device's open sockets at once (delivered on commit).
    await publishServerEvent(tx, { type: "deviceRevoked", userId, deviceId });
    return updated;
  });
  return ownView(row);
}
