import "server-only";
import { isRoomMember, publishServerEvent } from "@cairn/db";
import { CairnError, type RoomView, type UserKeys } from "@cairn/protocol";
import { db } from "./db";
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

/**
 * Creates a room with its creator and `members`, and tells the relays (in the same
 * transaction) so the members' live sockets join it.
 * @throws CairnError USER_NOT_FOUND
 */
export async function createRoom(creatorId: string, name: string, members: string[]): Promise<RoomView> {
  const ids = [...new Set([creatorId, ...(await userIdsOf(members))])];
  const room = await db().$transaction(async (tx) => {
    const created = await tx.room.create({
      data: { name, createdBy: creatorId, members: { create: ids.map((userId) => ({ userId })) } },
      include: ROOM_INCLUDE,
    });
    await publishServerEvent(tx, { type: "membership", roomId: created.id, userIds: ids });
    return created;
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

/** Adds `username` to a room (idempotent). @throws CairnError ROOM_NOT_FOUND, USER_NOT_FOUND */
export async function addMember(roomId: string, actorId: string, username: string): Promise<RoomView> {
  await requireMember(roomId, actorId);
  const [userId] = await userIdsOf([username]);
  if (userId === undefined) throw new CairnError("USER_NOT_FOUND", `No user named "${username}".`);
  await db().$transaction(async (tx) => {
    await tx.roomMember.upsert({
      where: { roomId_userId: { roomId, userId } },
      create: { roomId, userId },
      update: {},
    });
    await publishServerEvent(tx, { type: "membership", roomId, userIds: [userId] });
  });
  return getRoom(roomId, actorId);
}

/**
 * The member leaves the room: the membership row goes and, in the same transaction,
 * the relays are told (their sockets leave the room's channel at once). Messages the
 * user already read stay theirs; the other members' next message rotates the session.
 * @throws CairnError ROOM_NOT_FOUND when not a member (leaving twice; a stranger cannot tell)
 */
export async function leaveRoom(roomId: string, userId: string): Promise<void> {
  await db().$transaction(async (tx) => {
    const { count } = await tx.roomMember.deleteMany({ where: { roomId, userId } });
    if (count === 0) throw new CairnError("ROOM_NOT_FOUND", "No such room.");
    await publishServerEvent(tx, { type: "membershipRemoved", roomId, userIds: [userId], reason: "left" });
  });
}

/**
 * Removes `targetId` from a room. Allowed to the room's creator and to org admins (an
 * admin need not be a member); removing oneself is leaving. Nothing changes on refusal.
 * @throws CairnError ROOM_NOT_FOUND (unknown room, or the actor is neither a member nor
 *   an admin), FORBIDDEN (a member who did not create the room), NOT_FOUND (the target
 *   is not a member)
 */
export async function removeMember(roomId: string, actorId: string, targetId: string): Promise<RoomView> {
  const room = await db().room.findUnique({ where: { id: roomId }, select: { createdBy: true } });
  const admin = (await resolveRole(db(), actorId)) === "admin";
  if (!room || (!admin && !(await isRoomMember(db(), roomId, actorId)))) {
    throw new CairnError("ROOM_NOT_FOUND", "No such room.");
  }
  if (targetId !== actorId && room.createdBy !== actorId && !admin) {
    throw new CairnError("FORBIDDEN", "Only the room's creator or an admin may remove members.");
  }
  await db().$transaction(async (tx) => {
    const { count } = await tx.roomMember.deleteMany({ where: { roomId, userId: targetId } });
    if (count === 0) throw new CairnError("NOT_FOUND", "That user is not a member of this room.");
    const reason = targetId === actorId ? "left" : "removed";
    await publishServerEvent(tx, { type: "membershipRemoved", roomId, userIds: [targetId], reason });
  });
  const updated = await db().room.findUnique({ where: { id: roomId }, include: ROOM_INCLUDE });
  if (!updated) throw new CairnError("ROOM_NOT_FOUND", "No such room.");
  return roomView(updated);
}

/** Public keys of every member of a room. @throws CairnError ROOM_NOT_FOUND */
export async function roomKeys(roomId: string, userId: string): Promise<UserKeys[]> {
  await requireMember(roomId, userId);
  const users = await db().user.findMany({
    where: { memberships: { some: { roomId } } },
    select: { id: true, username: true, identityPublicKey: true, devices: { select: DEVICE_SELECT } },
    orderBy: { username: "asc" },
  });
  return users.map(userKeysView);
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
