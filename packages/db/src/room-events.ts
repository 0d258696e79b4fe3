/**
 * A room's membership event chain in the database (docs/protocol.md "Membership"). An
 * event is appended only if it extends the stored chain under @cairn/audit's rules; it
 * becomes an audit leaf of kind "membership" in the same transaction, so it is anchored
 * like a message. The Room row is locked first: appends to one room are serialised,
 * and an event signed against an older head is refused MEMBERSHIP_STALE.
 */
import {
  applyMembershipEvent,
  emptyMembership,
  MembershipChainError,
  type CheckedMembershipEvent,
  type Ed25519Verify,
  type MembershipState,
} from "@cairn/audit";
import { CairnError, membershipEventBytes, toBase64Url, type SignedMembershipEvent } from "@cairn/protocol";
import type { PrismaClient, Tx } from "./client";
import { allocateLeaf } from "./envelopes";

export interface StoredRoomEvent extends SignedMembershipEvent {
  seq: number;
  leafIndex: number;
  createdAt: Date;
}

/** A room's events in chain order. */
export async function listRoomEvents(db: PrismaClient | Tx, roomId: string): Promise<StoredRoomEvent[]> {
  const rows = await db.roomEvent.findMany({ where: { roomId }, orderBy: { seq: "asc" } });
  return rows.map((r) => ({
    seq: r.seq,
    body: new Uint8Array(r.body),
    signature: new Uint8Array(r.signature),
    leafIndex: Number(r.leafIndex),
    createdAt: r.createdAt,
  }));
}

/** The stored chain replayed (the server's own check of what it stores). */
export async function roomMembershipState(tx: PrismaClient | Tx, roomId: string, verify: Ed25519Verify): Promise<MembershipState> {
  let state = emptyMembership(roomId);
  for (const e of await listRoomEvents(tx, roomId)) state = applyMembershipEvent(state, e, verify).state;
  return state;
}

/**
 * Appends `event` to the room's chain inside `tx` (the caller changes RoomMember rows in
 * the same transaction, after checking the event names whom it means).
 * @returns the checked event, the state after it and its audit leaf index
 * @throws CairnError ROOM_NOT_FOUND; MEMBERSHIP_STALE when the event names another head
 *   (seq or prevHash: the chain moved on since it was signed); MEMBERSHIP_INVALID for any
 *   other broken rule (signature, membership of actor or targets, malformed bytes)
 */
export async function appendRoomEvent(
  tx: Tx,
  roomId: string,
  event: SignedMembershipEvent,
  verify: Ed25519Verify,
): Promise<{ event: CheckedMembershipEvent; state: MembershipState; leafIndex: number }> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Room" WHERE id = ${roomId}::uuid FOR UPDATE`;
  if (locked.length === 0) throw new CairnError("ROOM_NOT_FOUND", "No such room.");
  const before = await roomMembershipState(tx, roomId, verify);
  let next: ReturnType<typeof applyMembershipEvent>;
  try {
    next = applyMembershipEvent(before, event, verify);
  } catch (err) {
    if (!(err instanceof MembershipChainError)) throw err;
    const stale = err.code === "OUT_OF_ORDER" || err.code === "PREV_HASH_MISMATCH";
    throw new CairnError(stale ? "MEMBERSHIP_STALE" : "MEMBERSHIP_INVALID", err.message);
  }
  // Last: the AuditHead row stays locked until commit.
  const leafIndex = await allocateLeaf(tx);
  const hash = new Uint8Array(next.event.hash);
  await tx.auditLeaf.create({ data: { leafIndex: BigInt(leafIndex), leafHash: hash, kind: "membership" } });
  await tx.roomEvent.create({
    data: {
      roomId,
      seq: next.event.seq,
      body: new Uint8Array(event.body),
      signature: new Uint8Array(event.signature),
      hash,
      leafIndex: BigInt(leafIndex),
    },
  });
  return { ...next, leafIndex };
}

/**
 * Records, unsigned, that the server removed `identityKeys` from the room (an admin's
 * API call, a deactivation): a removal only takes keys away, so clients apply it and
 * show it as the server's word. Keys the chain does not list as members are skipped.
 * @returns the appended event, or null when none of them is a member on the chain
 */
export async function appendServerRemoval(
  tx: Tx,
  roomId: string,
  identityKeys: Uint8Array[],
  verify: Ed25519Verify,
  now = new Date(),
): Promise<{ event: CheckedMembershipEvent; leafIndex: number } | null> {
  await tx.$queryRaw`SELECT id FROM "Room" WHERE id = ${roomId}::uuid FOR UPDATE`;
  const state = await roomMembershipState(tx, roomId, verify);
  const targets = identityKeys.filter((k) => state.members.has(toBase64Url(k)));
  if (!state.head || targets.length === 0) return null;
  const body = membershipEventBytes({
    roomId,
    seq: state.head.seq + 1,
    kind: "remove",
    actor: new Uint8Array(0),
    targets,
    prevHash: state.head.hash,
    timeMs: now.getTime(),
  });
  return appendRoomEvent(tx, roomId, { body, signature: new Uint8Array(0) }, verify);
}
