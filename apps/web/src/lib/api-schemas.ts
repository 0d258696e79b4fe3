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
export const ConfigResponse = z.object({ relayUrl: z.string() });
export type ConfigResponse = z.infer<typeof ConfigResponse>;

export const RoomsResponse = z.object({ rooms: z.array(RoomView) });
export const RoomResponse = z.object({ room: RoomView });
export const MessagesResponse = z.object({ messages: z.array(StoredMessage) });
export const RoomKeysResponse = z.object({ users: z.array(UserKeys) });
export const UserKeysResponse = z.object({ user: UserKeys });

/** A bare acknowledgement (logout). */
export const OkResponse = z.object({ ok: z.literal(true) });

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
