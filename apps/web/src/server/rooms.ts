import "server-only";
import { isRoomMember, publishServerEvent, type Tx } from "@cairn/db";
import { CairnError, type CreateRoomBody, type RoomEventView, type RoomView, type UserKeys, type WireMembershipEvent } from "@cairn/protocol";
import { db } from "./db";
import { appendSigned, appendUnsignedRemoval, chainHasMember, expectEvent, roomEventViews } from "./membership-events";
import { resolveRole } from "./roles";
import { DEVICE_SELECT, ROOM_INCLUDE, roomView as baseRoomView, userKeysView } from "./views";

/** A room and its members, with its creator (who may remove members, as org admins may). */
function roomView(r: Parameters<typeof baseRoomView>[0] & { createdBy: string }): RoomView {
  return { ...baseRoomView(r), createdBy: r.createdBy };
}

/** Rooms `userId` belongs to, newest first. */
export async function listRooms(userId: string): Promise<RoomView[]> {
  const rooms = await db().room.findMany({
    where: { members: { some: { userId } } },
    include: ROOM_INCLUDE,
    orderBy: { createdAt: "desc" },
  });
  return rooms.map(roomView);
}

/** @throws CairnError USER_NOT_FOUND naming the first unknown (or deactivated) username */
async function userIdsOf(usernames: string[]): Promise<string[]> {
  const unique = [...new Set(usernames)];
  const users = await db().user.findMany({
    where: { username: { in: unique }, deactivatedAt: null },
    select: { id: true, username: true },
  });
  const known = new Map(users.map((u) => [u.username, u.id]));
  const missing = unique.find((name) => !known.has(name));
  if (missing !== undefined) throw new CairnError("USER_NOT_FOUND", `No user named "${missing}".`);
  return unique.map((name) => known.get(name) as string);
}

/** Identity keys of users by id, in the order given. @throws CairnError USER_NOT_FOUND */
async function identityKeysOf(prisma: Pick<Tx, "user">, userIds: string[]): Promise<Uint8Array[]> {
  const users = await prisma.user.findMany({ where: { id: { in: userIds } }, select: { id: true, identityPublicKey: true } });
  const byId = new Map(users.map((u) => [u.id, new Uint8Array(u.identityPublicKey)]));
  return userIds.map((id) => {
    const key = byId.get(id);
    if (!key) throw new CairnError("USER_NOT_FOUND", "No such user.");
    return key;
  });
}

/**
 * Creates a room with its creator and `members` and its signed create event (the
 * browser chose the id the event names), and tells the relays (in the same
 * transaction) so the members' live sockets join it.
 * @throws CairnError USER_NOT_FOUND; MEMBERSHIP_INVALID when the event does not name
 *   exactly the creator and these members; CONFLICT when the id is taken
 */
export async function createRoom(creatorId: string, body: CreateRoomBody): Promise<RoomView> {
  const ids = [...new Set([creatorId, ...(await userIdsOf(body.members))])];
  const keys = await identityKeysOf(db(), ids);
  const event = expectEvent(body.event, { roomId: body.id, kinds: ["create"], actor: keys[0] as Uint8Array, targets: keys });
  if (await db().room.findUnique({ where: { id: body.id }, select: { id: true } })) {
    throw new CairnError("CONFLICT", "A room with this id exists.");
  }
  const room = await db().$transaction(async (tx) => {
    await tx.room.create({ data: { id: body.id, name: body.name, createdBy: creatorId } });
    await appendSigned(tx, body.id, event);
    await tx.roomMember.createMany({ data: ids.map((userId) => ({ roomId: body.id, userId })) });
    await publishServerEvent(tx, { type: "membership", roomId: body.id, userIds: ids });
    return tx.room.findUniqueOrThrow({ where: { id: body.id }, include: ROOM_INCLUDE });
  });
  return roomView(room);
}

/** @throws CairnError ROOM_NOT_FOUND unless `userId` is a member (a stranger cannot tell the two apart) */
export async function requireMember(roomId: string, userId: string): Promise<void> {
  if (!(await isRoomMember(db(), roomId, userId))) throw new CairnError("ROOM_NOT_FOUND", "No such room.");
}

/** A room its member may see. @throws CairnError ROOM_NOT_FOUND */
export async function getRoom(roomId: string, userId: string): Promise<RoomView> {
  await requireMember(roomId, userId);
  const room = await db().room.findUnique({ where: { id: roomId }, include: ROOM_INCLUDE });
  if (!room) throw new CairnError("ROOM_NOT_FOUND", "No such room.");
  return roomView(room);
}

/**
 * Adds `username` to a room with the actor's signed add event. Adding a member again
 * changes nothing (and needs no new event) unless the chain names another key for them
 * (their identity key changed): then the add vouches for the new key.
 * @throws CairnError ROOM_NOT_FOUND, USER_NOT_FOUND, MEMBERSHIP_INVALID, MEMBERSHIP_STALE
 */
export async function addMember(roomId: string, actorId: string, username: string, wire: WireMembershipEvent): Promise<RoomView> {
  await requireMember(roomId, actorId);
  const [userId] = await userIdsOf([username]);
  if (userId === undefined) throw new CairnError("USER_NOT_FOUND", `No user named "${username}".`);
  const [actorKey, targetKey] = (await identityKeysOf(db(), [actorId, userId])) as [Uint8Array, Uint8Array];
  if ((await isRoomMember(db(), roomId, userId)) && (await chainHasMember(db(), roomId, targetKey))) return getRoom(roomId, actorId);
  const event = expectEvent(wire, { roomId, kinds: ["add"], actor: actorKey, targets: [targetKey] });
  await db().$transaction(async (tx) => {
    await appendSigned(tx, roomId, event);
    await tx.roomMember.upsert({ where: { roomId_userId: { roomId, userId } }, create: { roomId, userId }, update: {} });
    await publishServerEvent(tx, { type: "membership", roomId, userIds: [userId] });
  });
  return getRoom(roomId, actorId);
}

/**
 * Takes `targetId` out of the room inside `tx` and records it on the chain: the actor's
 * signed event when given (a leave when actor and target are one), else an unsigned
 * removal (the server's word); then tells the relays.
 * @returns false when the target was not a member (nothing changed)
 */
async function recordRemoval(tx: Tx, roomId: string, actorId: string, targetId: string, wire: WireMembershipEvent | undefined): Promise<boolean> {
  const { count } = await tx.roomMember.deleteMany({ where: { roomId, userId: targetId } });
  if (count === 0) return false;
  const [actorKey, targetKey] = (await identityKeysOf(tx, [actorId, targetId])) as [Uint8Array, Uint8Array];
  const self = actorId === targetId;
  if (wire) {
    await appendSigned(tx, roomId, expectEvent(wire, { roomId, kinds: self ? ["leave", "remove"] : ["remove"], actor: actorKey, targets: [targetKey] }));
  } else {
    await appendUnsignedRemoval(tx, roomId, [targetKey]);
  }
  await publishServerEvent(tx, { type: "membershipRemoved", roomId, userIds: [targetId], reason: self ? "left" : "removed" });
  return true;
}

/**
 * The member leaves the room, with their signed leave event (without one, the server
 * records an unsigned removal): the membership row goes and, in the same transaction,
 * the relays are told (their sockets leave the room's channel at once). Messages the
 * user already read stay theirs; the other members' next message rotates the session.
 * @throws CairnError ROOM_NOT_FOUND when not a member (leaving twice; a stranger cannot
 *   tell); MEMBERSHIP_INVALID, MEMBERSHIP_STALE
 */
export async function leaveRoom(roomId: string, userId: string, wire?: WireMembershipEvent): Promise<void> {
  await db().$transaction(async (tx) => {
    if (!(await recordRemoval(tx, roomId, userId, userId, wire))) throw new CairnError("ROOM_NOT_FOUND", "No such room.");
  });
}

/**
 * Removes `targetId` from a room. Allowed to the room's creator and to org admins (an
 * admin need not be a member); removing oneself is leaving. Nothing changes on refusal.
 * @throws CairnError ROOM_NOT_FOUND (unknown room, or the actor is neither a member nor
 *   an admin), FORBIDDEN (a member who did not create the room), NOT_FOUND (the target
 *   is not a member), MEMBERSHIP_INVALID, MEMBERSHIP_STALE
 */
export async function removeMember(roomId: string, actorId: string, targetId: string, wire?: WireMembershipEvent): Promise<RoomView> {
  const room = await db().room.findUnique({ where: { id: roomId }, select: { createdBy: true } });
  const admin = (await resolveRole(db(), actorId)) === "admin";
  if (!room || (!admin && !(await isRoomMember(db(), roomId, actorId)))) {
    throw new CairnError("ROOM_NOT_FOUND", "No such room.");
  }
  if (targetId !== actorId && room.createdBy !== actorId && !admin) {
    throw new CairnError("FORBIDDEN", "Only the room's creator or an admin may remove members.");
  }
  await db().$transaction(async (tx) => {
    if (!(await recordRemoval(tx, roomId, actorId, targetId, wire))) {
      throw new CairnError("NOT_FOUND", "That user is not a member of this room.");
    }
  });
  const updated = await db().room.findUnique({ where: { id: roomId }, include: ROOM_INCLUDE });
  if (!updated) throw new CairnError("ROOM_NOT_FOUND", "No such room.");
  return roomView(updated);
}

/**
 * Public keys of every member of a room and the room's membership chain, read in one
 * snapshot, for the browser to check one against the other.
 * @throws CairnError ROOM_NOT_FOUND
 */
export async function roomKeys(roomId: string, userId: string): Promise<{ users: UserKeys[]; events: RoomEventView[] }> {
  await requireMember(roomId, userId);
  return db().$transaction(
    async (tx) => {
      const users = await tx.user.findMany({
        where: { memberships: { some: { roomId } } },
        select: { id: true, username: true, identityPublicKey: true, devices: { select: DEVICE_SELECT } },
        orderBy: { username: "asc" },
      });
      return { users: users.map(userKeysView), events: await roomEventViews(tx, roomId) };
    },
    { isolationLevel: "RepeatableRead" },
  );
}

/** Public keys of one user. @throws CairnError USER_NOT_FOUND */
export async function userKeys(username: string): Promise<UserKeys> {
  const user = await db().user.findUnique({
    where: { username },
    select: { id: true, username: true, identityPublicKey: true, devices: { select: DEVICE_SELECT } },
  });
  if (!user) throw new CairnError("USER_NOT_FOUND", `No user named "${username}".`);
  return userKeysView(user);
}
