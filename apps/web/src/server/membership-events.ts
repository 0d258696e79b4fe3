import "server-only";
/**
 * The web server's side of membership events (docs/protocol.md "Membership"): an event
 * a browser signed must say what its request does (kind, actor, targets) before the
 * chain rules (@cairn/db appendRoomEvent) decide whether it extends the room's chain.
 */
import { ready, verifyEd25519 } from "@cairn/crypto";
import { appendRoomEvent, appendServerRemoval, listRoomEvents, roomMembershipState, type PrismaClient, type Tx } from "@cairn/db";
import {
  CairnError,
  CanonicalDecodeError,
  decodeMembershipEvent,
  equalBytes,
  fromBase64Url,
  toBase64Url,
  type MembershipKind,
  type RoomEventView,
  type SignedMembershipEvent,
  type WireMembershipEvent,
} from "@cairn/protocol";

const invalid = (message: string) => new CairnError("MEMBERSHIP_INVALID", message);

/** The event's bytes, after checking it does what the request says. @throws CairnError MEMBERSHIP_INVALID */
export function expectEvent(
  wire: WireMembershipEvent,
  want: { roomId: string; kinds: MembershipKind[]; actor: Uint8Array; targets: Uint8Array[] },
): SignedMembershipEvent {
  const event = { body: fromBase64Url(wire.body), signature: fromBase64Url(wire.signature) };
  let body;
  try {
    body = decodeMembershipEvent(event.body);
  } catch (err) {
    if (err instanceof CanonicalDecodeError) throw invalid(`Malformed membership event: ${err.message}.`);
    throw err;
  }
  if (body.roomId !== want.roomId) throw invalid("The membership event names another room.");
  if (!want.kinds.includes(body.kind)) throw invalid(`A ${want.kinds.join(" or ")} event is needed here, not ${body.kind}.`);
  if (!equalBytes(body.actor, want.actor)) throw invalid("The membership event must be signed by your identity key.");
  const named = new Set(body.targets.map(toBase64Url));
  const meant = new Set(want.targets.map(toBase64Url));
  if (named.size !== meant.size || [...meant].some((k) => !named.has(k))) {
    throw invalid("The membership event names other people than the request.");
  }
  return event;
}

/** Appends a browser-signed event. @throws CairnError MEMBERSHIP_STALE, MEMBERSHIP_INVALID, ROOM_NOT_FOUND */
export async function appendSigned(tx: Tx, roomId: string, event: SignedMembershipEvent): Promise<void> {
  await ready();
  await appendRoomEvent(tx, roomId, event, verifyEd25519);
}

/** Records removals the server made without a member's signature (admin tools, deactivation). */
export async function appendUnsignedRemoval(tx: Tx, roomId: string, identityKeys: Uint8Array[]): Promise<void> {
  await ready();
  await appendServerRemoval(tx, roomId, identityKeys, verifyEd25519);
}

/** Whether the room's chain lists `identityKey` as a member. */
export async function chainHasMember(prisma: PrismaClient, roomId: string, identityKey: Uint8Array): Promise<boolean> {
  await ready();
  return (await roomMembershipState(prisma, roomId, verifyEd25519)).members.has(toBase64Url(identityKey));
}

/** A room's chain as clients fetch it. */
export async function roomEventViews(tx: Parameters<typeof listRoomEvents>[0], roomId: string): Promise<RoomEventView[]> {
  return (await listRoomEvents(tx, roomId)).map((e) => ({
    seq: e.seq,
    body: toBase64Url(e.body),
    signature: toBase64Url(e.signature),
    leafIndex: e.leafIndex,
    createdAt: e.createdAt.toISOString(),
  }));
}
