import { AddMemberBody, RoomId } from "@cairn/protocol";
import { json, parseWith, readBody, route } from "@/server/http";
import { addMember } from "@/server/rooms";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/** POST /api/rooms/:roomId/members { username, event } -> { room } (404 USER_NOT_FOUND / ROOM_NOT_FOUND; 400 MEMBERSHIP_INVALID; 409 MEMBERSHIP_STALE) */
export const POST = route(async (req: Request, ctx: RouteContext<"/api/rooms/[roomId]/members">) => {
  const user = await requireUser();
  const roomId = parseWith(RoomId, (await ctx.params).roomId);
  const { username, event } = await readBody(req, AddMemberBody);
  return json({ room: await addMember(roomId, user.id, username, event) });
});
