/**
 * zod schemas for every REST body and socket event; client and server import the
 * same ones. Bytes travel as base64url strings and are length-checked here.
 */
import { z } from "zod";
import { fromBase64Url } from "./bytes";
import {
  ENVELOPE_VERSION,
  HASH_LENGTH,
  KEY_LENGTH,
  NONCE_LENGTH,
  SESSION_ID_LENGTH,
  SIGNATURE_LENGTH,
  type Envelope,
} from "./records";
import { toBase64Url } from "./bytes";

/** Largest socket event or REST body the servers accept. */
export const MAX_EVENT_BYTES = 64 * 1024;
/** Largest ciphertext inside an envelope (leaves room for the header in 64 KiB). */
export const MAX_CIPHERTEXT_BYTES = 48 * 1024;

interface ByteLength {
  length?: number;
  max?: number;
}

/** The bytes `text` encodes, or why it is refused. */
function decodeChecked(text: string, opts: ByteLength): Uint8Array | string {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(text);
  } catch {
    return "must be base64url";
  }
  if (opts.length !== undefined && bytes.length !== opts.length) return `must be ${opts.length} bytes`;
  if (opts.max !== undefined && bytes.length > opts.max) return `must be at most ${opts.max} bytes`;
  return bytes;
}

/** base64url bytes of an exact length (or at most `max`); the output is the text. */
export function b64Bytes(opts: ByteLength) {
  return z.string().superRefine((text, ctx) => {
    const bytes = decodeChecked(text, opts);
    if (typeof bytes === "string") ctx.addIssue({ code: "custom", message: bytes });
  });
}

/** The same check as {@link b64Bytes}, decoding once: the output is the bytes. */
export function b64Decoded(opts: ByteLength) {
  return z.string().transform((text, ctx) => {
    const bytes = decodeChecked(text, opts);
    if (typeof bytes !== "string") return bytes;
    ctx.addIssue({ code: "custom", message: bytes });
    return z.NEVER;
  });
}

export const Username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_.-]{2,31}$/, "3–32 characters: letters, digits, _ . -");
export const Uuid = z.uuid();
export const RoomId = z.uuid();
/** Device ids are random 16-byte values in base64url, chosen by the browser. */
export const DeviceId = b64Bytes({ length: 16 });
export const ClientMsgId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
export const RoomName = z.string().trim().min(1).max(80);
export const DeviceName = z.string().trim().min(1).max(64);

export const PublicKey = b64Bytes({ length: KEY_LENGTH });
export const Signature = b64Bytes({ length: SIGNATURE_LENGTH });

/** An envelope's fields, its bytes checked by `bytes` (b64Bytes keeps the text, b64Decoded decodes). */
function envelopeSchema<S extends z.ZodType<unknown, string>>(bytes: (opts: ByteLength) => S) {
  return z.strictObject({
    version: z.literal(ENVELOPE_VERSION),
    roomId: RoomId,
    senderDeviceId: DeviceId,
    sessionId: bytes({ length: SESSION_ID_LENGTH }),
    index: z.number().int().min(0).max(0xffff_ffff),
    prevHash: bytes({ length: HASH_LENGTH }),
    nonce: bytes({ length: NONCE_LENGTH }),
    ciphertext: bytes({ max: MAX_CIPHERTEXT_BYTES }),
    signature: bytes({ length: SIGNATURE_LENGTH }),
  });
}

export const WireEnvelope = envelopeSchema(b64Bytes);
export type WireEnvelope = z.infer<typeof WireEnvelope>;

export function envelopeFromWire(w: WireEnvelope): Envelope {
  return {
    version: w.version,
    roomId: w.roomId,
    senderDeviceId: w.senderDeviceId,
    sessionId: fromBase64Url(w.sessionId),
    index: w.index,
    prevHash: fromBase64Url(w.prevHash),
    nonce: fromBase64Url(w.nonce),
    ciphertext: fromBase64Url(w.ciphertext),
    signature: fromBase64Url(w.signature),
  };
}

export function envelopeToWire(e: Envelope): WireEnvelope {
  return {
    version: ENVELOPE_VERSION,
    roomId: e.roomId,
    senderDeviceId: e.senderDeviceId,
    sessionId: toBase64Url(e.sessionId),
    index: e.index,
    prevHash: toBase64Url(e.prevHash),
    nonce: toBase64Url(e.nonce),
    ciphertext: toBase64Url(e.ciphertext),
    signature: toBase64Url(e.signature),
  };
}

/** A device's public keys and the identity key's signature over them. */
export const DeviceRegistration = z.strictObject({
  deviceId: DeviceId,
  name: DeviceName,
  signingPublicKey: PublicKey,
  agreementPublicKey: PublicKey,
  signature: Signature,
});
export type DeviceRegistration = z.infer<typeof DeviceRegistration>;

/** A session key sealed to one recipient device and signed by the sender device. */
export const WireSessionShare = z.strictObject({
  roomId: RoomId,
  sessionId: b64Bytes({ length: SESSION_ID_LENGTH }),
  senderDeviceId: DeviceId,
  recipientDeviceId: DeviceId,
  sealed: b64Bytes({ max: 512 }),
  signature: Signature,
});
export type WireSessionShare = z.infer<typeof WireSessionShare>;

// ---- REST ----------------------------------------------------------------

export const AuthParamsQuery = z.strictObject({ username: Username });
export const AuthParamsResponse = z.object({ salt: b64Bytes({ length: 16 }) });

export const SignupBody = z.strictObject({
  username: Username,
  salt: b64Bytes({ length: 16 }),
  authSecret: b64Bytes({ length: 32 }),
  identityPublicKey: PublicKey,
  device: DeviceRegistration,
});
export type SignupBody = z.infer<typeof SignupBody>;

export const LoginBody = z.strictObject({
  username: Username,
  authSecret: b64Bytes({ length: 32 }),
  /**
   * The device whose keys this browser holds (from its local keystore): the session is
   * bound to it, and a revoked one is refused. Absent for a browser without keys (it
   * restores next, and registering the new device binds the session).
   */
  deviceId: DeviceId.optional(),
});
export type LoginBody = z.infer<typeof LoginBody>;

/**
 * POST /api/auth/passphrase: proves the current passphrase (its auth secret, checked
 * like a log-in) and replaces the salt and auth secret in one request. The browser
 * re-wraps its keys under the new passphrase's keystore key; `endOtherSessions` also
 * ends every other session of the account (this one stays).
 */
export const ChangePassphraseBody = z.strictObject({
  currentAuthSecret: b64Bytes({ length: 32 }),
  newSalt: b64Bytes({ length: 16 }),
  newAuthSecret: b64Bytes({ length: 32 }),
  endOtherSessions: z.boolean(),
});
export type ChangePassphraseBody = z.infer<typeof ChangePassphraseBody>;

/**
 * A membership event on the wire (docs/protocol.md "Membership"): the canonical body and
 * the actor's signature, base64url. The signature is empty only for an unsigned removal.
 */
export const WireMembershipEvent = z.strictObject({
  body: b64Bytes({ max: 9 * 1024 }),
  signature: z.string().refine((t) => t === "" || decodeChecked(t, { length: SIGNATURE_LENGTH }) instanceof Uint8Array, {
    message: `must be ${SIGNATURE_LENGTH} bytes of base64url, or empty`,
  }),
});
export type WireMembershipEvent = z.infer<typeof WireMembershipEvent>;

/** A stored event as the server serves a room's chain. */
export const RoomEventView = WireMembershipEvent.extend({
  seq: z.number().int().min(0),
  leafIndex: z.number().int().min(0),
  createdAt: z.string(),
});
export type RoomEventView = z.infer<typeof RoomEventView>;

/** The room's id is chosen by the creating browser: its create event (seq 0) names it. */
export const CreateRoomBody = z.strictObject({
  id: RoomId,
  name: RoomName,
  members: z.array(Username).max(100).default([]),
  event: WireMembershipEvent,
});
export type CreateRoomBody = z.infer<typeof CreateRoomBody>;

export const AddMemberBody = z.strictObject({ username: Username, event: WireMembershipEvent });

/** Leave or remove: the actor's signed event; without one the server records an unsigned removal. */
export const RemovalBody = z.strictObject({ event: WireMembershipEvent.optional() });

export const MessagesQuery = z.strictObject({
  beforeSeq: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});

/** Public view of a device, as the key directory serves it. */
export const DeviceView = z.object({
  deviceId: DeviceId,
  name: z.string(),
  signingPublicKey: PublicKey,
  agreementPublicKey: PublicKey,
  signature: Signature,
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  registeredOnLedger: z.boolean(),
});
export type DeviceView = z.infer<typeof DeviceView>;

export const UserKeys = z.object({
  userId: Uuid,
  username: z.string(),
  identityPublicKey: PublicKey,
  devices: z.array(DeviceView),
});
export type UserKeys = z.infer<typeof UserKeys>;

export const RoomView = z.object({
  id: RoomId,
  name: z.string(),
  createdAt: z.string(),
  members: z.array(z.object({ userId: Uuid, username: z.string() })),
  /** Who created the room: they (and org admins) may remove members (issue 9). */
  createdBy: Uuid.optional(),
});
export type RoomView = z.infer<typeof RoomView>;

/** Why members are no longer in a room: they left, a room admin removed them, or an org admin deactivated them. */
export const MembershipRemovalReason = z.enum(["left", "removed", "deactivated"]);
export type MembershipRemovalReason = z.infer<typeof MembershipRemovalReason>;

/** One stored message as history and fan-out deliver it. */
export const StoredMessage = z.object({
  roomId: RoomId,
  roomSeq: z.number().int().min(1),
  leafIndex: z.number().int().min(0),
  serverTime: z.string(),
  senderUserId: Uuid,
  senderUsername: z.string(),
  envelope: WireEnvelope,
  /** Tree size of the first anchored checkpoint that includes this leaf, or null while pending. */
  anchoredTreeSize: z.number().int().nullable(),
});
export type StoredMessage = z.infer<typeof StoredMessage>;


// ---- Socket.IO -----------------------------------------------------------

/** Handshake `auth` of a relay connection: which of the user's devices this is. */
export const RelayHandshakeAuth = z.strictObject({ deviceId: DeviceId });

export const SendMessageEvent = z.strictObject({
  clientMsgId: ClientMsgId,
  envelope: WireEnvelope,
});
export type SendMessageEvent = z.infer<typeof SendMessageEvent>;
/**
 * {@link SendMessageEvent} checked and decoded in one pass (the relay's hot path):
 * its envelope is the {@link Envelope}, each field decoded once.
 */
export const DecodedSendMessageEvent = z.strictObject({
  clientMsgId: ClientMsgId,
  envelope: envelopeSchema(b64Decoded),
});
export type DecodedSendMessageEvent = z.infer<typeof DecodedSendMessageEvent>;

export const SendMessageAck = z.object({
  roomSeq: z.number().int(),
  leafIndex: z.number().int(),
  serverTime: z.string(),
});
export type SendMessageAck = z.infer<typeof SendMessageAck>;

export const SubscribeRoomEvent = z.strictObject({ roomId: RoomId });

export const SendSharesEvent = z.strictObject({
  shares: z.array(WireSessionShare).min(1).max(200),
});
export type SendSharesEvent = z.infer<typeof SendSharesEvent>;

export const AckSharesEvent = z.strictObject({ ids: z.array(z.string().max(40)).min(1).max(500) });

export const DeliveredShare = z.object({ id: z.string(), share: WireSessionShare });
export type DeliveredShare = z.infer<typeof DeliveredShare>;

/**
 * `room:members-removed` (relay to client): members of a room left or were removed.
 * Sent to the room's remaining sockets and to the removed users' own sockets, which
 * have already left the room's channel: nothing new of the room reaches them.
 */
export const MembersRemovedEvent = z.object({
  roomId: RoomId,
  userIds: z.array(Uuid).min(1).max(200),
  reason: MembershipRemovalReason,
});
export type MembersRemovedEvent = z.infer<typeof MembersRemovedEvent>;

/**
 * `room:members-added` (relay to client): users were added to a room. Sent to the
 * room's sockets once the new members' own live sockets have joined it, so they hear it
 * too. Clients refresh the room's member keys (the next message is shared with them).
 */
export const MembersAddedEvent = z.object({
  roomId: RoomId,
  userIds: z.array(Uuid).min(1).max(200),
});
export type MembersAddedEvent = z.infer<typeof MembersAddedEvent>;

/**
 * `room:keys-changed` (relay to client): members of a room registered or revoked a
 * device. Clients refresh the room's member keys: a new device gets the session, a
 * revoked one makes the next message start a new session.
 */
export const KeysChangedEvent = z.object({
  roomId: RoomId,
  userIds: z.array(Uuid).min(1).max(200),
});
export type KeysChangedEvent = z.infer<typeof KeysChangedEvent>;

/** Every ack is either `{ ok: true, ...data }` or `{ ok: false, error }`. */
export type Ack<T> = ({ ok: true } & T) | { ok: false; error: { code: string; message: string; retryAfterMs?: number } };

/** Names of socket events, in one place. */
export const EVENTS = {
  sendMessage: "message:send",
  newMessage: "message:new",
  subscribeRoom: "room:subscribe",
  sendShares: "shares:send",
  newShares: "shares:new",
  ackShares: "shares:ack",
  checkpoint: "audit:checkpoint",
  membersRemoved: "room:members-removed",
  membersAdded: "room:members-added",
  keysChanged: "room:keys-changed",
} as const;
