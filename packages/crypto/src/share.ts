/**
 * Session shares (docs/protocol.md): the sender device seals its session's current
 * position (sessionKeyBytes: session id, index, chain key) to one recipient device's
 * X25519 key with crypto_box_seal, and signs the sealed box together with the room,
 * session, sender and recipient (sessionShareSigningBytes). The seal hides the key
 * from the relay; the signature says which device shared it and for which room.
 */
import {
  KEY_LENGTH,
  SESSION_ID_LENGTH,
  SIGNATURE_LENGTH,
  TAGS,
  decodeRecord,
  equalBytes,
  fromBase64Url,
  sessionKeyBytes,
  sessionShareSigningBytes,
  toBase64Url,
  type WireSessionShare,
} from "@cairn/protocol";
import { CryptoError } from "./errors";
import { bytes, object, text, wipe } from "./guards";
import { SIGNING_SECRET_KEY_LENGTH, type AgreementKeyPair } from "./keys";
import { MAX_INDEX, checkOutbound, type InboundSession, type OutboundSession } from "./session";
import { sodium } from "./sodium";

/** Largest sealed field the wire schema admits. */
const MAX_SEALED = 512;

/**
 * Shares the session's current position with one recipient device: it will decrypt
 * messages from `session.index` on, never earlier ones.
 * @throws TypeError / RangeError on malformed arguments
 * @throws CryptoError BAD_INPUT when the session was already consumed
 */
export function shareSession(args: {
  session: OutboundSession;
  senderDeviceId: string;
  senderSigningSecretKey: Uint8Array;
  recipientDeviceId: string;
  recipientAgreementPublicKey: Uint8Array;
}): WireSessionShare {
  object("args", args);
  const session = checkOutbound(args.session);
  const senderDeviceId = text("senderDeviceId", args.senderDeviceId, { max: 64 });
  const secretKey = bytes("senderSigningSecretKey", args.senderSigningSecretKey, SIGNING_SECRET_KEY_LENGTH);
  const recipientDeviceId = text("recipientDeviceId", args.recipientDeviceId, { max: 64 });
  const recipientKey = bytes("recipientAgreementPublicKey", args.recipientAgreementPublicKey, KEY_LENGTH);

  const s = sodium();
  const secret = sessionKeyBytes({ sessionId: session.sessionId, index: session.index, chainKey: session.chainKey });
  const sealed = s.crypto_box_seal(secret, recipientKey);
  wipe(secret);
  const signature = s.crypto_sign_detached(
    sessionShareSigningBytes({ roomId: session.roomId, sessionId: session.sessionId, senderDeviceId, recipientDeviceId, sealed }),
    secretKey,
  );
  return {
    roomId: session.roomId,
    sessionId: toBase64Url(session.sessionId),
    senderDeviceId,
    recipientDeviceId,
    sealed: toBase64Url(sealed),
    signature: toBase64Url(signature),
  };
}

/**
 * Verifies the sender device's signature, checks the share is addressed to this
 * device, opens the sealed box and checks the session id inside agrees with the one
 * outside. Returns a fresh inbound session starting at the shared index.
 * @throws CryptoError BAD_SIGNATURE (forged or altered share), SESSION_MISMATCH
 *   (addressed to another device, or inner/outer session ids differ),
 *   DECRYPT_FAILED (sealed box does not open to a session key)
 * @throws TypeError / RangeError on malformed arguments or non-base64url fields
 */
export function openSessionShare(args: {
  share: WireSessionShare;
  recipientDeviceId: string;
  recipientAgreement: AgreementKeyPair;
  senderSigningPublicKey: Uint8Array;
}): InboundSession {
  object("args", args);
  const share = object("share", args.share);
  const recipientDeviceId = text("recipientDeviceId", args.recipientDeviceId, { max: 64 });
  const agreement = object("recipientAgreement", args.recipientAgreement);
  const agreementPublic = bytes("recipientAgreement.publicKey", agreement.publicKey, KEY_LENGTH);
  const agreementSecret = bytes("recipientAgreement.secretKey", agreement.secretKey, KEY_LENGTH);
  const senderKey = bytes("senderSigningPublicKey", args.senderSigningPublicKey, KEY_LENGTH);

  const roomId = text("share.roomId", share.roomId, { max: 256 });
  const senderDeviceId = text("share.senderDeviceId", share.senderDeviceId, { max: 64 });
  const shareRecipient = text("share.recipientDeviceId", share.recipientDeviceId, { max: 64 });
  const sessionId = bytes("share.sessionId", decode("share.sessionId", share.sessionId), SESSION_ID_LENGTH);
  const sealed = decode("share.sealed", share.sealed);
  if (sealed.length > MAX_SEALED) throw new RangeError(`share.sealed must be at most ${MAX_SEALED} bytes`);
  const signature = bytes("share.signature", decode("share.signature", share.signature), SIGNATURE_LENGTH);

  const s = sodium();
  const signed = sessionShareSigningBytes({ roomId, sessionId, senderDeviceId, recipientDeviceId: shareRecipient, sealed });
  if (!s.crypto_sign_verify_detached(signature, signed, senderKey)) {
    throw new CryptoError("BAD_SIGNATURE", "session share signature does not verify");
  }
  if (shareRecipient !== recipientDeviceId) {
    throw new CryptoError("SESSION_MISMATCH", "session share is addressed to another device");
  }
  let secret: Uint8Array;
  try {
    secret = s.crypto_box_seal_open(sealed, agreementPublic, agreementSecret);
  } catch (cause) {
    throw new CryptoError("DECRYPT_FAILED", "sealed session key does not open with this device's key", { cause });
  }
  try {
    let fields: Uint8Array[];
    try {
      fields = decodeRecord(TAGS.sessionKey, secret, 3);
    } catch (cause) {
      throw new CryptoError("DECRYPT_FAILED", "sealed box does not hold a session key", { cause });
    }
    const [innerId, indexBytes, chainKey] = fields as [Uint8Array, Uint8Array, Uint8Array];
    if (innerId.length !== SESSION_ID_LENGTH || indexBytes.length !== 4 || chainKey.length !== KEY_LENGTH) {
      throw new CryptoError("DECRYPT_FAILED", "sealed session key has wrong field lengths");
    }
    if (!equalBytes(innerId, sessionId)) {
      throw new CryptoError("SESSION_MISMATCH", "sealed session id differs from the share's");
    }
    const index = new DataView(indexBytes.buffer, indexBytes.byteOffset, 4).getUint32(0, false);
    if (index > MAX_INDEX) throw new CryptoError("DECRYPT_FAILED", "index out of range");
    return {
      roomId,
      senderDeviceId,
      sessionId,
      chainKey: chainKey.slice(),
      index,
      firstIndex: index,
      skipped: new Map(),
    };
  } finally {
    wipe(secret);
  }
}

function decode(name: string, value: unknown): Uint8Array {
  if (typeof value !== "string") throw new TypeError(`${name} must be a base64url string`);
  try {
    return fromBase64Url(value);
  } catch {
    throw new TypeError(`${name} must be base64url`);
  }
}
