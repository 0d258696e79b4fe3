import { RoomId } from "@cairn/protocol";
import { json, parseWith, route } from "@/server/http";
import { getRoom } from "@/server/rooms";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/** GET /api/rooms/:roomId -> { room } (404 ROOM_NOT_FOUND unless a member) */
export const GET = route(async (_req: Request, ctx: RouteContext<"/api/rooms/[roomId]">) => {
  const user = await requireUser();
  const roomId = parseWith(RoomId, (await ctx.params).roomId);
  return json({ room: await getRoom(roomId, user.id) });
});
