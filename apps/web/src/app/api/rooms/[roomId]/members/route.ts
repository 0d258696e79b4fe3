import { AddMemberBody, RoomId } from "@cairn/protocol";
import { json, parseWith, readBody, route } from "@/server/http";
import { addMember } from "@/server/rooms";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/** POST /api/rooms/:roomId/members { username } -> { room } (404 USER_NOT_FOUND / ROOM_NOT_FOUND) */
export const POST = route(async (req: Request, ctx: RouteContext<"/api/rooms/[roomId]/members">) => {
  const user = await requireUser();
  const roomId = parseWith(RoomId, (await ctx.params).roomId);
  const { username } = await readBody(req, AddMemberBody);
  return json({ room: await addMember(roomId, user.id, username) });
});
