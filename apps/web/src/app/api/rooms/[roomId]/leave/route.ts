import { RoomId } from "@cairn/protocol";
import { json, parseWith, route } from "@/server/http";
import { leaveRoom } from "@/server/rooms";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/** POST /api/rooms/:roomId/leave -> { ok: true } (404 ROOM_NOT_FOUND when not a member: leaving twice, or a stranger) */
export const POST = route(async (_req: Request, ctx: { params: Promise<{ roomId: string }> }) => {
  const user = await requireUser();
  const roomId = parseWith(RoomId, (await ctx.params).roomId);
  await leaveRoom(roomId, user.id);
  return json({ ok: true });
});
