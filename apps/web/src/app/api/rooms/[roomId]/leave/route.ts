import { RemovalBody, RoomId } from "@cairn/protocol";
import { json, parseWith, readBody, route } from "@/server/http";
import { leaveRoom } from "@/server/rooms";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/**
 * POST /api/rooms/:roomId/leave { event? } -> { ok: true } (404 ROOM_NOT_FOUND when not a member: leaving
 * twice, or a stranger). The optional body is the member's signed leave event.
 */
export const POST = route(async (req: Request, ctx: { params: Promise<{ roomId: string }> }) => {
  const user = await requireUser();
  const roomId = parseWith(RoomId, (await ctx.params).roomId);
  const { event } = await readBody(req, RemovalBody, undefined, { emptyIs: {} });
  await leaveRoom(roomId, user.id, event);
  return json({ ok: true });
});
