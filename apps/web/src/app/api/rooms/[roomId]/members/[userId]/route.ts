import { RemovalBody, RoomId, Uuid } from "@cairn/protocol";
import { json, parseWith, readBody, route } from "@/server/http";
import { removeMember } from "@/server/rooms";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/**
 * DELETE /api/rooms/:roomId/members/:userId -> { room } (the room's creator or an org admin;
 * oneself: leaving). 403 FORBIDDEN for other members, 404 ROOM_NOT_FOUND for strangers,
 * 404 NOT_FOUND when the user is not a member. Body (optional): { event } signed by the actor;
 * without it the server records an unsigned removal.
 */
export const DELETE = route(async (req: Request, ctx: { params: Promise<{ roomId: string; userId: string }> }) => {
  const user = await requireUser();
  const params = await ctx.params;
  const roomId = parseWith(RoomId, params.roomId);
  const userId = parseWith(Uuid, params.userId);
  const { event } = await readBody(req, RemovalBody, undefined, { emptyIs: {} });
  return json({ room: await removeMember(roomId, user.id, userId, event) });
});
