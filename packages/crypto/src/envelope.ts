/**
 * Envelopes (docs/protocol.md): XChaCha20-Poly1305 under the chain's message key,
 * random 24-byte nonce, associated data = the canonical header; the whole envelope is
 * signed with the sender device's Ed25519 key. Encodings come from @cairn/protocol.
 */
import {
  ENVELOPE_VERSION,
  HASH_LENGTH,
  KEY_LENGTH,
  MAX_CIPHERTEXT_BYTES,
  NONCE_LENGTH,
  SESSION_ID_LENGTH,
  SIGNATURE_LENGTH,
  envelopeBytes,
  envelopeHeaderBytes,
  envelopeSigningBytes,
  equalBytes,
  type Envelope,
  type EnvelopeHeader,
} from "@cairn/protocol";
import { messageKey, nextChainKey } from "./chain";
import { CryptoError } from "./errors";
import { bytes, int, maxBytes, object, text, wipe } from "./guards";
import { SIGNING_SECRET_KEY_LENGTH } from "./keys";
import {
  MAX_FORWARD_JUMP,
  MAX_INDEX,
  MAX_SKIPPED_KEYS,
  checkInbound,
  checkOutbound,
  type InboundSession,
  type OutboundSession,
} from "./session";
import { randomBytes, sodium } from "./sodium";

const AEAD_TAG_LENGTH = 16;
/** Largest plaintext one envelope carries (the relay caps ciphertext at 48 KiB). */
export const MAX_PLAINTEXT_BYTES = MAX_CIPHERTEXT_BYTES - AEAD_TAG_LENGTH;

/**
 * The prevHash of a room's first envelope: 32 zero bytes. Treat it as read-only
 * (a Uint8Array cannot be frozen).
 */
export const GENESIS_PREV_HASH: Uint8Array = new Uint8Array(HASH_LENGTH);

export interface EncryptArgs {
  senderDeviceId: string;
  /** The sender device's 64-byte Ed25519 secret key. */
  signingSecretKey: Uint8Array;
  /** envelopeHash of the last envelope this device saw in the room, or GENESIS_PREV_HASH. */
  prevHash: Uint8Array;
  plaintext: Uint8Array;
}

/**
 * SHA-256 of the complete canonical envelope (envelopeBytes): the next message's
 * prevHash, and the link the transcript-consistency check follows.
 * @throws TypeError / RangeError on a malformed envelope
 */
export function envelopeHash(envelope: Envelope): Uint8Array {
  checkEnvelope(envelope);
  return sodium().crypto_hash_sha256(envelopeBytes(envelope));
}

/**
 * Encrypts with mk_index, signs the envelope with the device key and returns the
 * envelope and the advanced session. The given session is consumed: its chain key
 * is erased, so keep only the returned one.
 * @throws TypeError / RangeError on malformed arguments, a plaintext over
 *   MAX_PLAINTEXT_BYTES, or a session at the last index (rotate first)
 * @throws CryptoError BAD_INPUT when the session was already consumed
 */
export function encryptMessage(
  session: OutboundSession,
  args: EncryptArgs,
): { envelope: Envelope; session: OutboundSession } {
  return sealWithNonce(session, args, randomBytes(NONCE_LENGTH));
}

/**
 * {@link encryptMessage} with a caller-chosen nonce. Internal: only tests use it (for
 * frozen vectors); it is not exported from the package, because a repeated nonce
 * under one message key would be fatal.
 */
export function sealWithNonce(
  session: OutboundSession,
  args: EncryptArgs,
  nonce: Uint8Array,
): { envelope: Envelope; session: OutboundSession } {
  checkOutbound(session);
  object("args", args);
  const senderDeviceId = text("senderDeviceId", args.senderDeviceId, { max: 64 });
  const signingSecretKey = bytes("signingSecretKey", args.signingSecretKey, SIGNING_SECRET_KEY_LENGTH);
  const prevHash = bytes("prevHash", args.prevHash, HASH_LENGTH);
  const plaintext = maxBytes("plaintext", args.plaintext, MAX_PLAINTEXT_BYTES);
  bytes("nonce", nonce, NONCE_LENGTH);
  if (session.index >= MAX_INDEX) throw new RangeError("session exhausted: rotate");

  const s = sodium();
  const header: EnvelopeHeader = {
    version: ENVELOPE_VERSION,
    roomId: session.roomId,
    senderDeviceId,
    sessionId: session.sessionId.slice(),
    index: session.index,
    prevHash: prevHash.slice(),
  };
  const mk = messageKey(session.chainKey);
  let ciphertext: Uint8Array;
  try {
    ciphertext = s.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, envelopeHeaderBytes(header), null, nonce, mk);
  } finally {
    wipe(mk);
  }
  const unsigned = { ...header, nonce: nonce.slice(), ciphertext };
  const signature = s.crypto_sign_detached(envelopeSigningBytes(unsigned), signingSecretKey);
  const next: OutboundSession = {
    roomId: session.roomId,
    sessionId: session.sessionId,
    chainKey: nextChainKey(session.chainKey),
    index: session.index + 1,
    createdAtMs: session.createdAtMs,
  };
  wipe(session.chainKey); // forward secrecy: ck_index is never needed again
  return { envelope: { ...unsigned, signature }, session: next };
}

/**
 * Verifies the sender device's signature FIRST, then that the header belongs to this
 * session, then decrypts (AD = canonical header). Messages of a session may arrive in
 * any order; each decrypts once. On success the given session is consumed (keys it
 * no longer needs are erased): keep only the returned one. On failure it is untouched.
 * @throws CryptoError BAD_SIGNATURE (forged, altered or truncated envelope),
 *   BAD_INPUT (unknown version, or a session already consumed), SESSION_MISMATCH (other room, sender or session),
 *   INDEX_TOO_OLD (before the share or evicted), REPLAY (already decrypted),
 *   TOO_FAR_AHEAD (over MAX_FORWARD_JUMP past the chain), DECRYPT_FAILED
 * @throws TypeError / RangeError on malformed arguments
 */
export function decryptMessage(
  session: InboundSession,
  envelope: Envelope,
  senderSigningPublicKey: Uint8Array,
): { plaintext: Uint8Array; session: InboundSession } {
  checkInbound(session);
  checkEnvelope(envelope);
  bytes("senderSigningPublicKey", senderSigningPublicKey, KEY_LENGTH);
  const s = sodium();

  if (!s.crypto_sign_verify_detached(envelope.signature, envelopeSigningBytes(envelope), senderSigningPublicKey)) {
    throw new CryptoError("BAD_SIGNATURE", "envelope signature does not verify");
  }
  if (envelope.version !== ENVELOPE_VERSION) {
    throw new CryptoError("BAD_INPUT", `unsupported envelope version ${envelope.version}`);
  }
  if (
    envelope.roomId !== session.roomId ||
    envelope.senderDeviceId !== session.senderDeviceId ||
    !equalBytes(envelope.sessionId, session.sessionId)
  ) {
    throw new CryptoError("SESSION_MISMATCH", "envelope is not from this session");
  }
  const i = envelope.index;
  if (i < session.firstIndex) throw new CryptoError("INDEX_TOO_OLD", `index ${i} is before this session's start`);
  const ad = envelopeHeaderBytes(envelope);

  if (i < session.index) {
    // An earlier message arriving late: its key must still be cached.
    const mk = session.skipped.get(i);
    if (mk === undefined) throw new CryptoError("REPLAY", `index ${i} was already decrypted`);
    const plaintext = open(envelope, ad, mk);
    const skipped = new Map(session.skipped);
    skipped.delete(i);
    wipe(mk);
    return { plaintext, session: { ...session, skipped } };
  }

  // MAX_INDEX itself is never sent (encryptMessage refuses it): the state after it would overflow.
  if (i - session.index > MAX_FORWARD_JUMP || i >= MAX_INDEX) {
    throw new CryptoError("TOO_FAR_AHEAD", `index ${i} is over ${MAX_FORWARD_JUMP} past the chain`);
  }
  // Walk the chain to ck_i, keeping the keys of messages we pass over (at most
  // MAX_SKIPPED_KEYS of them: older ones would be evicted anyway).
  const keepFrom = Math.max(session.index, i - MAX_SKIPPED_KEYS);
  const passed: [number, Uint8Array][] = [];
  let ck = session.chainKey;
  for (let j = session.index; j < i; j++) {
    if (j >= keepFrom) passed.push([j, messageKey(ck)]);
    const next = nextChainKey(ck);
    if (ck !== session.chainKey) wipe(ck);
    ck = next;
  }
  const mk = messageKey(ck);
  let plaintext: Uint8Array;
  try {
    plaintext = open(envelope, ad, mk);
  } catch (err) {
    wipe(mk, ck === session.chainKey ? undefined : ck, ...passed.map(([, k]) => k));
    throw err;
  }
  const chainKey = nextChainKey(ck);
  wipe(mk, ck === session.chainKey ? undefined : ck);

  let skipped = session.skipped;
  let firstIndex = session.firstIndex;
  if (passed.length > 0) {
    const grown = new Map(session.skipped);
    for (const [j, k] of passed) grown.set(j, k);
    // Insertion order is ascending index order, so the first entries are the oldest.
    for (const [j, k] of grown) {
      if (grown.size <= MAX_SKIPPED_KEYS) break;
      wipe(k);
      grown.delete(j);
      firstIndex = j + 1;
    }
    // Indices we walked past without keeping a key can never be decrypted now.
    if (keepFrom > session.index) firstIndex = Math.max(firstIndex, keepFrom);
    skipped = grown;
  }
  wipe(session.chainKey); // forward secrecy: the old chain key is dropped
  return {
    plaintext,
    session: { ...session, chainKey, index: i + 1, firstIndex, skipped },
  };
}

function open(envelope: Envelope, ad: Uint8Array, mk: Uint8Array): Uint8Array {
  try {
    return sodium().crypto_aead_xchacha20poly1305_ietf_decrypt(null, envelope.ciphertext, ad, envelope.nonce, mk);
  } catch (cause) {
    throw new CryptoError("DECRYPT_FAILED", "envelope does not decrypt under its message key", { cause });
  }
}

/** @throws TypeError / RangeError unless `e` has the shape of an Envelope */
export function checkEnvelope(e: Envelope): Envelope {
  object("envelope", e);
  int("envelope.version", e.version, 0, 0xff);
  text("envelope.roomId", e.roomId, { max: 256 });
  text("envelope.senderDeviceId", e.senderDeviceId, { max: 64 });
  bytes("envelope.sessionId", e.sessionId, SESSION_ID_LENGTH);
  int("envelope.index", e.index, 0, MAX_INDEX);
  bytes("envelope.prevHash", e.prevHash, HASH_LENGTH);
  bytes("envelope.nonce", e.nonce, NONCE_LENGTH);
  maxBytes("envelope.ciphertext", e.ciphertext, MAX_CIPHERTEXT_BYTES);
  bytes("envelope.signature", e.signature, SIGNATURE_LENGTH);
  return e;
}
