/**
 * Identity and device keys (docs/protocol.md): one Ed25519 identity key per user
 * cross-signs each device's Ed25519 signing key and X25519 agreement key.
 */
import {
  KEY_LENGTH,
  SIGNATURE_LENGTH,
  deviceCertificateBytes,
  deviceRevocationBytes,
  membershipEventBytes,
  type MembershipEventBody,
  type SignedMembershipEvent,
} from "@cairn/protocol";
import { bytes, int, object, text } from "./guards";
import { randomId } from "./random";
import { sodium } from "./sodium";

/** An Ed25519 key pair; secretKey is libsodium's 64-byte form (seed || public key). */
export interface SigningKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** An X25519 key pair for sealed boxes. */
export interface AgreementKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** A device's id and its two key pairs. */
export interface DeviceKeys {
  deviceId: string;
  signing: SigningKeyPair;
  agreement: AgreementKeyPair;
}

export const SIGNING_SECRET_KEY_LENGTH = 64;
/** Device ids are 16 random bytes, base64url: 22 characters. */
const DEVICE_ID_MAX = 64;

/** A fresh Ed25519 identity key pair for a new user. */
export function generateIdentity(): SigningKeyPair {
  const kp = sodium().crypto_sign_keypair();
  return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

/** Fresh keys for a new device: an Ed25519 signing pair, an X25519 agreement pair and a random id. */
export function generateDevice(): DeviceKeys {
  const s = sodium();
  const signing = s.crypto_sign_keypair();
  const agreement = s.crypto_box_keypair();
  return {
    deviceId: randomId(16),
    signing: { publicKey: signing.publicKey, secretKey: signing.privateKey },
    agreement: { publicKey: agreement.publicKey, secretKey: agreement.privateKey },
  };
}

/**
 * The identity key's Ed25519 signature over the device certificate record
 * (deviceCertificateBytes: identity key, device id, signing key, agreement key).
 * @throws TypeError / RangeError on wrong types or key lengths
 */
export function certifyDevice(
  identity: SigningKeyPair,
  device: { deviceId: string; signing: { publicKey: Uint8Array }; agreement: { publicKey: Uint8Array } },
): Uint8Array {
  object("identity", identity);
  object("device", device);
  const secretKey = bytes("identity.secretKey", identity.secretKey, SIGNING_SECRET_KEY_LENGTH);
  const record = deviceCertificateBytes({
    identityPublicKey: bytes("identity.publicKey", identity.publicKey, KEY_LENGTH),
    deviceId: text("device.deviceId", device.deviceId, { max: DEVICE_ID_MAX }),
    signingPublicKey: bytes("device.signing.publicKey", object("device.signing", device.signing).publicKey, KEY_LENGTH),
    agreementPublicKey: bytes("device.agreement.publicKey", object("device.agreement", device.agreement).publicKey, KEY_LENGTH),
  });
  return sodium().crypto_sign_detached(record, secretKey);
}

/**
 * Whether `cert.signature` is the identity key's signature over this device's keys.
 * @throws TypeError / RangeError on wrong types or lengths
 */
export function verifyDeviceCertificate(
  identityPublicKey: Uint8Array,
  cert: { deviceId: string; signingPublicKey: Uint8Array; agreementPublicKey: Uint8Array; signature: Uint8Array },
): boolean {
  object("cert", cert);
  const record = deviceCertificateBytes({
    identityPublicKey: bytes("identityPublicKey", identityPublicKey, KEY_LENGTH),
    deviceId: text("cert.deviceId", cert.deviceId, { max: DEVICE_ID_MAX }),
    signingPublicKey: bytes("cert.signingPublicKey", cert.signingPublicKey, KEY_LENGTH),
    agreementPublicKey: bytes("cert.agreementPublicKey", cert.agreementPublicKey, KEY_LENGTH),
  });
  const signature = bytes("cert.signature", cert.signature, SIGNATURE_LENGTH);
  return sodium().crypto_sign_verify_detached(signature, record, identityPublicKey);
}

/**
 * The identity key's signature revoking one of the user's devices (deviceRevocationBytes).
 * @throws TypeError / RangeError on wrong types, lengths or a negative time
 */
export function signDeviceRevocation(identity: SigningKeyPair, deviceId: string, revokedAtMs: number): Uint8Array {
  object("identity", identity);
  const secretKey = bytes("identity.secretKey", identity.secretKey, SIGNING_SECRET_KEY_LENGTH);
  const record = deviceRevocationBytes({
    identityPublicKey: bytes("identity.publicKey", identity.publicKey, KEY_LENGTH),
    deviceId: text("deviceId", deviceId, { max: DEVICE_ID_MAX }),
    revokedAtMs: int("revokedAtMs", revokedAtMs, 0, Number.MAX_SAFE_INTEGER),
  });
  return sodium().crypto_sign_detached(record, secretKey);
}

/**
 * Whether `signature` is the identity key's revocation of `deviceId` at `revokedAtMs`.
 * @throws TypeError / RangeError on wrong types or lengths
 */
export function verifyDeviceRevocation(
  identityPublicKey: Uint8Array,
  revocation: { deviceId: string; revokedAtMs: number; signature: Uint8Array },
): boolean {
  object("revocation", revocation);
  const record = deviceRevocationBytes({
    identityPublicKey: bytes("identityPublicKey", identityPublicKey, KEY_LENGTH),
    deviceId: text("revocation.deviceId", revocation.deviceId, { max: DEVICE_ID_MAX }),
    revokedAtMs: int("revocation.revokedAtMs", revocation.revokedAtMs, 0, Number.MAX_SAFE_INTEGER),
  });
  const signature = bytes("revocation.signature", revocation.signature, SIGNATURE_LENGTH);
  return sodium().crypto_sign_verify_detached(signature, record, identityPublicKey);
}

/**
 * A membership event signed by the acting member's identity key (docs/protocol.md
 * "Membership"); the body's actor must be that key.
 * @throws TypeError / RangeError on a malformed body or a key that is not the actor's
 */
export function signMembershipEvent(identity: SigningKeyPair, body: Omit<MembershipEventBody, "actor">): SignedMembershipEvent {
  object("identity", identity);
  const secretKey = bytes("identity.secretKey", identity.secretKey, SIGNING_SECRET_KEY_LENGTH);
  const actor = bytes("identity.publicKey", identity.publicKey, KEY_LENGTH);
  const bodyBytes = membershipEventBytes({ ...body, actor });
  return { body: bodyBytes, signature: sodium().crypto_sign_detached(bodyBytes, secretKey) };
}

/** Ed25519 check for @cairn/audit's membership chain (false on any malformed input). */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== KEY_LENGTH || signature.length !== SIGNATURE_LENGTH) return false;
  return sodium().crypto_sign_verify_detached(signature, message, publicKey);
}
