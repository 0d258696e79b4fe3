/**
 * Sender-key sessions (docs/protocol.md): one outbound session per (room, sending
 * device), and on every member device one inbound session per (room, sender device,
 * session id), started from a shared chain key.
 */
import { KEY_LENGTH, SESSION_ID_LENGTH } from "@cairn/protocol";
import { CryptoError } from "./errors";
import { bytes, int, text } from "./guards";
import { randomBytes } from "./sodium";

/** Rotate after this many messages (Megolm's default). */
export const ROTATE_AFTER_MESSAGES = 100;
/** Rotate after this long (Megolm's default: 7 days). */
export const ROTATE_AFTER_MS = 7 * 24 * 60 * 60 * 1000;
/** Most message keys an inbound session keeps for messages that have not arrived yet. */
export const MAX_SKIPPED_KEYS = 2000;
/** Largest forward jump (in indices) an inbound session accepts in one message. */
export const MAX_FORWARD_JUMP = 10_000;
/** Highest message index (the header holds a u32). */
export const MAX_INDEX = 0xffff_ffff;

/** The sending side: ck_index, the key of the next message to send. */
export interface OutboundSession {
  readonly roomId: string;
  readonly sessionId: Uint8Array;
  /** ck_index: derives the next message's key. Erased once used. */
  readonly chainKey: Uint8Array;
  /** Index of the next message this session will send. */
  readonly index: number;
  readonly createdAtMs: number;
}

/** The receiving side of one sender's session. */
export interface InboundSession {
  readonly roomId: string;
  readonly senderDeviceId: string;
  readonly sessionId: Uint8Array;
  /** ck_index: derives the keys of messages index, index+1, ... */
  readonly chainKey: Uint8Array;
  /** Lowest index not yet reached by the chain. */
  readonly index: number;
  /**
   * Lowest index this state may still decrypt: where the share started, raised when
   * skipped keys are evicted. Below it: INDEX_TOO_OLD.
   */
  readonly firstIndex: number;
  /**
   * Message keys of indices in [firstIndex, index) that have not arrived yet, in
   * ascending index order, at most {@link MAX_SKIPPED_KEYS}. An index in that range
   * without a key here was already decrypted: REPLAY.
   */
  readonly skipped: ReadonlyMap<number, Uint8Array>;
}

/**
 * A fresh outbound session for a room: random 16-byte session id and 32-byte chain key, index 0.
 * @throws TypeError / RangeError on a non-string or empty roomId, or a bad nowMs
 */
export function createOutboundSession(roomId: string, nowMs: number = Date.now()): OutboundSession {
  text("roomId", roomId, { max: 256 });
  int("nowMs", nowMs, 0, Number.MAX_SAFE_INTEGER);
  return {
    roomId,
    sessionId: randomBytes(SESSION_ID_LENGTH),
    chainKey: randomBytes(KEY_LENGTH),
    index: 0,
    createdAtMs: nowMs,
  };
}

/**
 * Whether the session is due for rotation: 100 messages sent or 7 days old. (Rotation
 * on a member leaving or a device being revoked is the caller's, and mandatory.)
 * @throws TypeError / RangeError on a malformed session or nowMs
 * @throws CryptoError BAD_INPUT on a consumed session
 */
export function shouldRotate(session: OutboundSession, nowMs: number): boolean {
  checkOutbound(session);
  int("nowMs", nowMs, 0, Number.MAX_SAFE_INTEGER);
  return session.index >= ROTATE_AFTER_MESSAGES || nowMs - session.createdAtMs >= ROTATE_AFTER_MS;
}

/** @throws TypeError / RangeError unless `s` has the shape of an OutboundSession */
export function checkOutbound(s: OutboundSession): OutboundSession {
  if (typeof s !== "object" || s === null) throw new TypeError("session must be an object");
  text("session.roomId", s.roomId, { max: 256 });
  bytes("session.sessionId", s.sessionId, SESSION_ID_LENGTH);
  notConsumed(bytes("session.chainKey", s.chainKey, KEY_LENGTH));
  int("session.index", s.index, 0, MAX_INDEX);
  int("session.createdAtMs", s.createdAtMs, 0, Number.MAX_SAFE_INTEGER);
  return s;
}

/** @throws TypeError / RangeError unless `s` has the shape of an InboundSession */
export function checkInbound(s: InboundSession): InboundSession {
  if (typeof s !== "object" || s === null) throw new TypeError("session must be an object");
  text("session.roomId", s.roomId, { max: 256 });
  text("session.senderDeviceId", s.senderDeviceId, { max: 64 });
  bytes("session.sessionId", s.sessionId, SESSION_ID_LENGTH);
  notConsumed(bytes("session.chainKey", s.chainKey, KEY_LENGTH));
  int("session.index", s.index, 0, MAX_INDEX);
  int("session.firstIndex", s.firstIndex, 0, s.index);
  if (!(s.skipped instanceof Map)) throw new TypeError("session.skipped must be a Map");
  if (s.skipped.size > MAX_SKIPPED_KEYS) throw new RangeError("session.skipped is too large");
  return s;
}

/**
 * A session whose chain key was erased (all zero) was consumed by an earlier
 * encrypt/decrypt. Using it again would derive keys from a publicly known value
 * (outbound) or fail later (inbound), so refuse it outright.
 */
function notConsumed(chainKey: Uint8Array): void {
  let any = 0;
  for (const b of chainKey) any |= b;
  if (any === 0) {
    throw new CryptoError("BAD_INPUT", "session was consumed: use the session returned by the last call");
  }
}
