/**
 * Membership events (docs/protocol.md "Membership"): who was added to, removed from or
 * left a room, signed by the acting member's identity key and chained by hash, so a
 * client can rebuild the member list without taking the server's word for it.
 *
 *   body = record("cairn/membership/v1",
 *            utf8(roomId), u32be(seq), u8(kind), actor, targets, prevHash, u64be(timeMs))
 *
 * `actor` is the signer's 32-byte Ed25519 identity key, or empty for a removal the
 * server recorded without a member's signature (an admin's API call, a deactivation):
 * a removal only takes keys away, so clients apply it, and say whose word it is.
 * `targets` is the concatenation of 1..MAX_MEMBERSHIP_TARGETS distinct 32-byte
 * identity keys. `prevHash` is the previous event's hash (32 zero bytes for seq 0).
 *
 * The event's audit leaf data is record("cairn/audit-membership/v1", body, signature);
 * its hash — RFC 9162's SHA-256(0x00 || data), computed by @cairn/audit — is the event
 * hash the next event names and the leaf anchored on chain. Frozen by the vectors in
 * membership-event.test.ts: change the tags, never the layout.
 */
import { CanonicalDecodeError, decodeRecord, encodeRecord, u32, u64, u8, utf8 } from "./canonical";
import { HASH_LENGTH, KEY_LENGTH, SIGNATURE_LENGTH } from "./records";

export const MEMBERSHIP_TAG = "cairn/membership/v1";
export const MEMBERSHIP_LEAF_TAG = "cairn/audit-membership/v1";
/** Most identity keys one event names (a room created with its first members). */
export const MAX_MEMBERSHIP_TARGETS = 256;

export const MEMBERSHIP_KINDS = ["create", "add", "remove", "leave"] as const;
export type MembershipKind = (typeof MEMBERSHIP_KINDS)[number];

export interface MembershipEventBody {
  /** Lowercase UUID of the room. */
  roomId: string;
  /** Position in the room's chain, from 0 (the create event). */
  seq: number;
  kind: MembershipKind;
  /** The signer's identity key; empty only for a removal the server recorded unsigned. */
  actor: Uint8Array;
  /** Identity keys the event adds or removes (for "create": every first member, the creator included). */
  targets: Uint8Array[];
  prevHash: Uint8Array;
  /** The actor's clock when it signed (ms since the epoch): its claim, shown as such. */
  timeMs: number;
}

/** A stored event: its body's bytes and the actor's signature over them (empty when unsigned). */
export interface SignedMembershipEvent {
  body: Uint8Array;
  signature: Uint8Array;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The canonical bytes of an event body, the bytes the actor signs.
 * @throws TypeError / RangeError on a malformed field (wrong lengths, duplicate targets,
 *   an unsigned event that is not a removal)
 */
export function membershipEventBytes(e: MembershipEventBody): Uint8Array {
  if (typeof e.roomId !== "string" || !UUID.test(e.roomId)) throw new TypeError("roomId must be a lowercase UUID");
  const kind = MEMBERSHIP_KINDS.indexOf(e.kind);
  if (kind < 0) throw new TypeError("unknown membership event kind");
  if (!(e.actor instanceof Uint8Array) || (e.actor.length !== KEY_LENGTH && e.actor.length !== 0)) {
    throw new RangeError(`actor must be ${KEY_LENGTH} bytes (or empty for an unsigned removal)`);
  }
  if (e.actor.length === 0 && e.kind !== "remove") throw new TypeError("only a removal may be unsigned");
  if (!Array.isArray(e.targets) || e.targets.length < 1 || e.targets.length > MAX_MEMBERSHIP_TARGETS) {
    throw new RangeError(`an event names 1 to ${MAX_MEMBERSHIP_TARGETS} identity keys`);
  }
  const targets = new Uint8Array(e.targets.length * KEY_LENGTH);
  const seen = new Set<string>();
  e.targets.forEach((t, i) => {
    if (!(t instanceof Uint8Array) || t.length !== KEY_LENGTH) throw new RangeError(`each target is ${KEY_LENGTH} bytes`);
    const key = Array.from(t).join(",");
    if (seen.has(key)) throw new TypeError("targets must be distinct");
    seen.add(key);
    targets.set(t, i * KEY_LENGTH);
  });
  if (!(e.prevHash instanceof Uint8Array) || e.prevHash.length !== HASH_LENGTH) throw new RangeError(`prevHash must be ${HASH_LENGTH} bytes`);
  return encodeRecord(MEMBERSHIP_TAG, [utf8(e.roomId), u32(e.seq), u8(kind), e.actor, targets, e.prevHash, u64(e.timeMs)]);
}

const be = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/**
 * Parses and re-checks an event body (the inverse of {@link membershipEventBytes}).
 * @throws CanonicalDecodeError on any malformed input
 */
export function decodeMembershipEvent(bytes: Uint8Array): MembershipEventBody {
  const [room, seq, kind, actor, targets, prevHash, time] = decodeRecord(MEMBERSHIP_TAG, bytes, 7) as [
    Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array,
  ];
  if (seq.length !== 4 || kind.length !== 1 || time.length !== 8) throw new CanonicalDecodeError("bad integer field");
  if (targets.length === 0 || targets.length % KEY_LENGTH !== 0) throw new CanonicalDecodeError("bad targets field");
  const timeMs = be(time).getBigUint64(0, false);
  if (timeMs > BigInt(Number.MAX_SAFE_INTEGER)) throw new CanonicalDecodeError("time out of range");
  let roomId: string;
  try {
    roomId = new TextDecoder("utf-8", { fatal: true }).decode(room);
  } catch {
    throw new CanonicalDecodeError("roomId is not UTF-8");
  }
  const body: MembershipEventBody = {
    roomId,
    seq: be(seq).getUint32(0, false),
    kind: MEMBERSHIP_KINDS[kind[0] as number] as MembershipKind,
    actor: actor.slice(),
    targets: Array.from({ length: targets.length / KEY_LENGTH }, (_, i) => targets.slice(i * KEY_LENGTH, (i + 1) * KEY_LENGTH)),
    prevHash: prevHash.slice(),
    timeMs: Number(timeMs),
  };
  if (body.kind === undefined) throw new CanonicalDecodeError("unknown membership event kind");
  try {
    // One definition of a well-formed body: the encoder's checks, and the exact bytes back.
    const again = membershipEventBytes(body);
    if (again.length !== bytes.length || again.some((b, i) => b !== bytes[i])) throw new CanonicalDecodeError("not canonical");
  } catch (err) {
    if (err instanceof CanonicalDecodeError) throw err;
    throw new CanonicalDecodeError(err instanceof Error ? err.message : "malformed membership event");
  }
  return body;
}

/**
 * The audit leaf data of a signed event: record(MEMBERSHIP_LEAF_TAG, body, signature).
 * @throws RangeError when the signature is neither 64 bytes nor empty
 */
export function membershipLeafData(e: SignedMembershipEvent): Uint8Array {
  if (e.signature.length !== SIGNATURE_LENGTH && e.signature.length !== 0) throw new RangeError(`signature must be ${SIGNATURE_LENGTH} bytes or empty`);
  return encodeRecord(MEMBERSHIP_LEAF_TAG, [e.body, e.signature]);
}

/** prevHash of a room's create event. */
export const MEMBERSHIP_GENESIS = new Uint8Array(HASH_LENGTH);
