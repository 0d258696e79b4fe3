/**
 * A room's membership event chain (docs/protocol.md "Membership"), checked event by
 * event: the rules every client, the web server and the verifier apply alike.
 *
 * - Event 0 is "create", names the genesis prevHash, is signed by its actor and names
 *   the actor among its targets: the creator and the first members.
 * - Event i names seq i and the previous event's hash (no reorder, gap, replay or splice).
 * - "add": signed by a current member; it names identity keys that are not members.
 * - "leave": signed by a current member naming only itself.
 * - "remove": names current members; signed by the creator, or by someone who is not a
 *   member (an org admin: the server's word for the role), or unsigned (the server
 *   recorded it: an admin tool, a deactivation). A removal only takes keys away.
 *   A member other than the creator may not sign one.
 *
 * {@link replayMembership} stops at the first event that breaks a rule: the members are
 * those of the valid prefix, and the problem names the event.
 */
import {
  decodeMembershipEvent,
  equalBytes,
  MEMBERSHIP_GENESIS,
  membershipLeafData,
  SIGNATURE_LENGTH,
  toBase64Url,
  type MembershipEventBody,
  type SignedMembershipEvent,
} from "@cairn/protocol";
import { leafHash } from "./hash";

export const MEMBERSHIP_PROBLEMS = [
  "MALFORMED",
  "WRONG_ROOM",
  "OUT_OF_ORDER",
  "PREV_HASH_MISMATCH",
  "BAD_SIGNATURE",
  "NOT_A_MEMBER",
  "ALREADY_A_MEMBER",
  "NOT_ALLOWED",
  "FORK",
] as const;
export type MembershipProblemCode = (typeof MEMBERSHIP_PROBLEMS)[number];

export interface MembershipProblem {
  seq: number;
  code: MembershipProblemCode;
  message: string;
}

/** An event that passed every rule, with its hash (the audit leaf hash). */
export interface CheckedMembershipEvent extends MembershipEventBody {
  hash: Uint8Array;
  signed: boolean;
}

export interface MembershipState {
  roomId: string;
  /** Current members: base64url identity key → seq of the event that added them. */
  members: Map<string, number>;
  /** The creator's identity key (base64url), once the create event is in. */
  creator: string | null;
  /** The last valid event: the next one names seq + 1 and this hash. */
  head: { seq: number; hash: Uint8Array } | null;
}

export type Ed25519Verify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

export class MembershipChainError extends Error {
  override readonly name = "MembershipChainError";
  constructor(
    readonly code: MembershipProblemCode,
    message: string,
  ) {
    super(message);
  }
}

export const emptyMembership = (roomId: string): MembershipState => ({ roomId, members: new Map(), creator: null, head: null });

/** The hash the next event names: the leaf hash of this event's audit data. */
export function membershipEventHash(e: SignedMembershipEvent): Uint8Array {
  return leafHash(membershipLeafData(e));
}

/**
 * Checks one event against the state so far and returns the new state (the input is
 * not changed).
 * @throws MembershipChainError naming the broken rule
 */
export function applyMembershipEvent(
  state: MembershipState,
  event: SignedMembershipEvent,
  verify: Ed25519Verify,
): { state: MembershipState; event: CheckedMembershipEvent } {
  const fail = (code: MembershipProblemCode, message: string): never => {
    throw new MembershipChainError(code, message);
  };
  let body: MembershipEventBody;
  try {
    body = decodeMembershipEvent(event.body);
    membershipLeafData(event);
  } catch (err) {
    return fail("MALFORMED", `Malformed membership event: ${err instanceof Error ? err.message : String(err)}.`);
  }
  if (body.roomId !== state.roomId) fail("WRONG_ROOM", "The membership event names another room.");
  const expectedSeq = state.head ? state.head.seq + 1 : 0;
  if (body.seq !== expectedSeq) fail("OUT_OF_ORDER", `Membership event ${body.seq} where ${expectedSeq} was due.`);
  if (!equalBytes(body.prevHash, state.head?.hash ?? MEMBERSHIP_GENESIS)) {
    fail("PREV_HASH_MISMATCH", `Membership event ${body.seq} does not name the event before it.`);
  }
  const signed = body.actor.length > 0;
  if (signed !== (event.signature.length > 0)) fail("BAD_SIGNATURE", "A signed event needs its signature, an unsigned one none.");
  if (signed) {
    let ok = false;
    try {
      ok = event.signature.length === SIGNATURE_LENGTH && verify(body.actor, event.body, event.signature);
    } catch {
      ok = false;
    }
    if (!ok) fail("BAD_SIGNATURE", `Membership event ${body.seq} is not signed by the identity key it names.`);
  }
  const actor = signed ? toBase64Url(body.actor) : null;
  const targets = body.targets.map(toBase64Url);
  const members = new Map(state.members);
  let creator = state.creator;
  const isMember = (key: string | null) => key !== null && members.has(key);

  if (expectedSeq === 0 && body.kind !== "create") fail("NOT_ALLOWED", "A room's membership starts with its create event.");
  switch (body.kind) {
    case "create":
      if (expectedSeq !== 0) fail("NOT_ALLOWED", "Only the first membership event creates the room.");
      if (!actor || !targets.includes(actor)) fail("NOT_ALLOWED", "The creator is among a room's first members.");
      creator = actor;
      for (const t of targets) members.set(t, body.seq);
      break;
    case "add":
      if (!isMember(actor)) fail("NOT_A_MEMBER", "Only a member may add people to a room.");
      if (targets.some((t) => members.has(t))) fail("ALREADY_A_MEMBER", "The event adds someone who is already a member.");
      for (const t of targets) members.set(t, body.seq);
      break;
    case "leave":
      if (!isMember(actor)) fail("NOT_A_MEMBER", "Only a member can leave a room.");
      if (targets.length !== 1 || targets[0] !== actor) fail("NOT_ALLOWED", "A member leaves for themselves only.");
      members.delete(actor as string);
      break;
    case "remove":
      if (isMember(actor) && actor !== creator) fail("NOT_ALLOWED", "Only the room's creator or an admin may remove members.");
      if (targets.some((t) => !members.has(t))) fail("NOT_A_MEMBER", "The event removes someone who is not a member.");
      for (const t of targets) members.delete(t);
      break;
  }
  const hash = membershipEventHash(event);
  return {
    state: { roomId: state.roomId, members, creator, head: { seq: body.seq, hash } },
    event: { ...body, hash, signed },
  };
}

export interface MembershipReplay {
  state: MembershipState;
  events: CheckedMembershipEvent[];
  /** The first broken rule; events after it were not applied. */
  problem: MembershipProblem | null;
}

/**
 * Replays a room's chain from its create event. With `pinned` (a head this client
 * verified before), a chain that does not hold that exact event at that seq is a fork:
 * the server showed this client another history before.
 */
export function replayMembership(
  roomId: string,
  events: readonly SignedMembershipEvent[],
  verify: Ed25519Verify,
  pinned?: { seq: number; hash: Uint8Array } | null,
): MembershipReplay {
  let state = emptyMembership(roomId);
  const checked: CheckedMembershipEvent[] = [];
  let problem: MembershipProblem | null = null;
  for (const [i, e] of events.entries()) {
    try {
      const next = applyMembershipEvent(state, e, verify);
      state = next.state;
      checked.push(next.event);
    } catch (err) {
      if (!(err instanceof MembershipChainError)) throw err;
      problem = { seq: i, code: err.code, message: err.message };
      break;
    }
  }
  if (!problem && pinned) {
    const at = checked[pinned.seq];
    if (!at || !equalBytes(at.hash, pinned.hash)) {
      problem = {
        seq: pinned.seq,
        code: "FORK",
        message: at
          ? `The server now shows another membership history than before (event ${pinned.seq} differs).`
          : `The server now shows a shorter membership history than before (event ${pinned.seq} is missing).`,
      };
    }
  }
  return { state, events: checked, problem };
}
