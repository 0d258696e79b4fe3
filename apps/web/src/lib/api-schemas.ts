/**
 * REST response shapes that @cairn/protocol does not define (yet). Request bodies
 * and shared views (RoomView, UserKeys, StoredMessage) come from the protocol.
 */
import { z } from "zod";
import {
  DeviceName,
  DeviceRegistration,
  DeviceView,
  PublicKey,
  RoomEventView,
  RoomView,
  Signature,
  StoredMessage,
  UserKeys,
  Uuid,
  b64Bytes,
} from "@cairn/protocol";

/** The logged-in user, as /api/auth/me, /signup and /login return it. */
export const MeResponse = z.object({
  user: z.object({
    id: Uuid,
    username: z.string(),
    role: z.string(),
    identityPublicKey: PublicKey,
  }),
});
export type MeResponse = z.infer<typeof MeResponse>;

/** Browser configuration: where the relay listens. */
export const ConfigResponse = z.object({ relayUrl: z.string(), witnessKeys: z.array(z.string().max(300)).max(16).default([]) });
export type ConfigResponse = z.infer<typeof ConfigResponse>;

export const RoomsResponse = z.object({ rooms: z.array(RoomView) });
export const RoomResponse = z.object({ room: RoomView });
export const MessagesResponse = z.object({ messages: z.array(StoredMessage) });
export const RoomKeysResponse = z.object({ users: z.array(UserKeys), events: z.array(RoomEventView) });
export const UserKeysResponse = z.object({ user: UserKeys });

/** A bare acknowledgement (logout). */
export const OkResponse = z.object({ ok: z.literal(true) });

/** POST /api/auth/passphrase: how many other sessions it ended. */
export const PassphraseChangedResponse = z.object({ ok: z.literal(true), endedSessions: z.number().int().min(0) });

// ---- devices and key backup (issue 3) ------------------------------------

/** Largest sealed key backup the server keeps (identity key, session starts, contact pins). */
export const MAX_BACKUP_BYTES = 1024 * 1024;

/** PUT /api/keys/backup: the sealed backup and the version it becomes (current + 1; 1 for the first). */
export const PutBackupBody = z.strictObject({
  ciphertext: b64Bytes({ max: MAX_BACKUP_BYTES }),
  version: z.number().int().min(1).max(2 ** 31 - 1),
});
export type PutBackupBody = z.infer<typeof PutBackupBody>;

/** GET /api/keys/backup: the account's sealed backup, or null before the first upload. */
export const BackupResponse = z.object({
  backup: z
    .object({ ciphertext: z.string(), version: z.number().int(), updatedAt: z.string() })
    .nullable(),
});
export type BackupResponse = z.infer<typeof BackupResponse>;

/** PUT answer: the version now stored. */
export const BackupVersionResponse = z.object({ version: z.number().int() });

/** One of the user's own devices, as the devices page lists it. */
export const OwnDevice = DeviceView.extend({ lastSeenAt: z.string().nullable() });
export type OwnDevice = z.infer<typeof OwnDevice>;
export const DevicesResponse = z.object({ devices: z.array(OwnDevice) });
export const DeviceResponse = z.object({ device: OwnDevice });

/** POST /api/devices: a new device, certified by the account's identity key. */
export const RegisterDeviceBody = DeviceRegistration;
export type RegisterDeviceBody = z.infer<typeof RegisterDeviceBody>;

/** PATCH /api/devices/:id */
export const RenameDeviceBody = z.strictObject({ name: DeviceName });

/** POST /api/devices/:id/revoke: the identity key's signature over deviceRevocationBytes. */
export const RevokeDeviceBody = z.strictObject({
  revokedAtMs: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  signature: Signature,
});
export type RevokeDeviceBody = z.infer<typeof RevokeDeviceBody>;

// ---- sessions (issue 9) ----------------------------------------------------

/** One of the user's live log-ins, as the devices page lists it. */
export const SessionView = z.object({
  id: Uuid,
  /** The device the session is bound to; null while a log-in has no device yet (restore). */
  deviceId: z.string().nullable(),
  deviceName: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  expiresAt: z.string(),
  /** The session of the browser asking. */
  current: z.boolean(),
});
export type SessionView = z.infer<typeof SessionView>;
export const SessionsResponse = z.object({ sessions: z.array(SessionView) });

/** POST /api/sessions/logout-everywhere: whether this browser's own session survives. */
export const LogoutEverywhereBody = z.strictObject({ keepCurrent: z.boolean() });
export type LogoutEverywhereBody = z.infer<typeof LogoutEverywhereBody>;
export const LogoutEverywhereResponse = z.object({ ended: z.number().int().min(0) });

// ---- membership and offboarding (issue 9) ---------------------------------

/** One account as GET /api/admin/users lists it for admins: role, status, devices, rooms. */
export const AdminUser = z.object({
  id: Uuid,
  username: z.string(),
  role: z.enum(["admin", "compliance", "member"]),
  createdAt: z.string(),
  status: z.enum(["active", "deactivated"]),
  deactivatedAt: z.string().nullable(),
  devices: z.object({ active: z.number().int().min(0), total: z.number().int().min(0) }),
  rooms: z.array(z.object({ id: Uuid, name: z.string() })),
});
export type AdminUser = z.infer<typeof AdminUser>;
export const AdminUsersResponse = z.object({ users: z.array(AdminUser) });

/** POST /api/admin/users/:id/deactivate: what the deactivation did. */
export const DeactivationResponse = z.object({
  deactivation: z.object({
    userId: Uuid,
    deactivatedAt: z.string(),
    deactivatedBy: Uuid,
    leafIndex: z.number().int().min(0),
    sessionsEnded: z.number().int().min(0),
    devicesRevoked: z.number().int().min(0),
    roomsLeft: z.number().int().min(0),
  }),
});
export type DeactivationResponse = z.infer<typeof DeactivationResponse>;
