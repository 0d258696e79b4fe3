/**
 * The verified key directory: member devices whose certificate the member's identity
 * key signed. The server serves the keys; this client checks every certificate
 * before it shares a session with a device or trusts an envelope's signature.
 */
import { verifyDeviceCertificate } from "@cairn/crypto";
import { fromBase64Url, type UserKeys } from "@cairn/protocol";

export interface TrustedDevice {
  deviceId: string;
  userId: string;
  username: string;
  signingPublicKey: Uint8Array;
  agreementPublicKey: Uint8Array;
  revoked: boolean;
  /** When the device was revoked (ms since epoch): messages stored after it are refused. */
  revokedAtMs: number | null;
}

export interface RoomMembers {
  userIds: Set<string>;
  devices: TrustedDevice[];
}

/** Verifies each device certificate; returns the trusted devices and the ids of rejected ones. */
export function verifyMembers(users: UserKeys[]): { members: RoomMembers; rejected: string[] } {
  const devices: TrustedDevice[] = [];
  const rejected: string[] = [];
  for (const user of users) {
    const identity = fromBase64Url(user.identityPublicKey);
    for (const d of user.devices) {
      const cert = {
        deviceId: d.deviceId,
        signingPublicKey: fromBase64Url(d.signingPublicKey),
        agreementPublicKey: fromBase64Url(d.agreementPublicKey),
        signature: fromBase64Url(d.signature),
      };
      let ok = false;
      try {
        ok = verifyDeviceCertificate(identity, cert);
      } catch {
        ok = false;
      }
      if (!ok) {
        rejected.push(d.deviceId);
        continue;
      }
      devices.push({
        deviceId: d.deviceId,
        userId: user.userId,
        username: user.username,
        signingPublicKey: cert.signingPublicKey,
        agreementPublicKey: cert.agreementPublicKey,
        revoked: d.revokedAt !== null,
        revokedAtMs: d.revokedAt === null ? null : Date.parse(d.revokedAt),
      });
    }
  }
  return { members: { userIds: new Set(users.map((u) => u.userId)), devices }, rejected };
}
