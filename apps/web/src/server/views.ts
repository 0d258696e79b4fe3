import "server-only";
import { toBase64Url, type DeviceView, type RoomView, type UserKeys } from "@cairn/protocol";

interface DeviceRow {
  id: string;
  name: string;
  signingPublicKey: Uint8Array;
  agreementPublicKey: Uint8Array;
  signature: Uint8Array;
  createdAt: Date;
  revokedAt: Date | null;
  ledgerTxId: string | null;
}

/** A device row as the key directory serves it (public keys only). */
export function deviceView(d: DeviceRow): DeviceView {
  return {
    deviceId: d.id,
    name: d.name,
    signingPublicKey: toBase64Url(d.signingPublicKey),
    agreementPublicKey: toBase64Url(d.agreementPublicKey),
    signature: toBase64Url(d.signature),
    createdAt: d.createdAt.toISOString(),
    revokedAt: d.revokedAt ? d.revokedAt.toISOString() : null,
    registeredOnLedger: d.ledgerTxId !== null,
  };
}

/** A user's identity key and devices. */
export function userKeysView(u: {
  id: string;
  username: string;
  identityPublicKey: Uint8Array;
  devices: DeviceRow[];
}): UserKeys {
  return {
    userId: u.id,
    username: u.username,
    identityPublicKey: toBase64Url(u.identityPublicKey),
    devices: u.devices.map(deviceView),
  };
}

/** A room and its members. */
export function roomView(r: {
  id: string;
  name: string;
  createdAt: Date;
  members: { user: { id: string; username: string } }[];
}): RoomView {
  return {
    id: r.id,
    name: r.name,
    createdAt: r.createdAt.toISOString(),
    members: r.members
      .map((m) => ({ userId: m.user.id, username: m.user.username }))
      .sort((a, b) => a.username.localeCompare(b.username)),
  };
}

/** Prisma `select` for public device columns. */
export const DEVICE_SELECT = {
  id: true,
  name: true,
  signingPublicKey: true,
  agreementPublicKey: true,
  signature: true,
  createdAt: true,
  revokedAt: true,
  ledgerTxId: true,
} as const;

/** Prisma `include` for a room with its members' names. */
export const ROOM_INCLUDE = {
  members: { include: { user: { select: { id: true, username: true } } } },
} as const;
