/**
 * The room's member list as this client verified it (docs/protocol.md "Membership"):
 * the server lists members and serves the room's membership event chain; the client
 * replays the chain (@cairn/audit) and keeps only listed members whose pinned identity
 * key the chain shows as added by a member. Anyone else the server lists is
 * "unverified": they get no session keys, and the room says so.
 */
import { replayMembership, type CheckedMembershipEvent, type MembershipProblem, type MembershipState } from "@cairn/audit";
import { verifyEd25519 } from "@cairn/crypto";
import { fromBase64Url, toBase64Url, type MembershipKind, type RoomEventView, type UserKeys } from "@cairn/protocol";

/** One event as the room's timeline shows it. */
export interface MembershipLine {
  seq: number;
  kind: MembershipKind;
  /** Who signed it; null for a removal the server recorded unsigned. */
  actor: string | null;
  targets: string[];
  /** The signer's clock (its claim). */
  timeMs: number;
  leafIndex: number;
}

export interface MembershipView {
  /** Listed members the chain does not show as added: they get no keys. */
  unverified: string[];
  /** The first event that broke a rule (or a fork against what this tab saw before). */
  problem: MembershipProblem | null;
  timeline: MembershipLine[];
}

export interface VerifiedMembership {
  state: MembershipState;
  /** Pinned users the chain vouches for (a fork vouches for nobody). */
  members: UserKeys[];
  view: MembershipView;
}

/**
 * Replays `events` and splits the pinned `users` into verified and unverified.
 * `seen` is the head this client verified before (a chain without it is a fork);
 * `names` gives a username for identity keys of people no longer listed.
 */
export function verifyMembership(
  roomId: string,
  users: UserKeys[],
  events: RoomEventView[],
  seen: MembershipState["head"],
  names: ReadonlyMap<string, string>,
): VerifiedMembership {
  const replay = replayMembership(
    roomId,
    events.map((e) => ({ body: fromBase64Url(e.body), signature: fromBase64Url(e.signature) })),
    verifyEd25519,
    seen,
  );
  const forked = replay.problem?.code === "FORK";
  const members = forked ? [] : users.filter((u) => replay.state.members.has(u.identityPublicKey));
  const vouched = new Set(members.map((u) => u.userId));
  const nameOf = new Map(names);
  for (const u of users) nameOf.set(u.identityPublicKey, u.username);
  const label = (key: Uint8Array) => nameOf.get(toBase64Url(key)) ?? `someone (key ${toBase64Url(key).slice(0, 8)}…)`;
  const line = (e: CheckedMembershipEvent, i: number): MembershipLine => ({
    seq: e.seq,
    kind: e.kind,
    actor: e.signed ? label(e.actor) : null,
    targets: e.targets.map(label),
    timeMs: e.timeMs,
    leafIndex: events[i]?.leafIndex ?? -1,
  });
  return {
    state: replay.state,
    members,
    view: {
      unverified: users.filter((u) => !vouched.has(u.userId)).map((u) => u.username),
      problem: replay.problem,
      timeline: replay.events.map(line),
    },
  };
}
