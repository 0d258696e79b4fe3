import { RoomId } from "@cairn/protocol";
import { json, parseWith, route } from "@/server/http";
import { roomKeys } from "@/server/rooms";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/** GET /api/rooms/:roomId/keys -> { users: UserKeys[] of every member, events: RoomEventView[] (the membership chain) } */
export const GET = route(async (_req: Request, ctx: RouteContext<"/api/rooms/[roomId]/keys">) => {
  const user = await requireUser();
  const roomId = parseWith(RoomId, (await ctx.params).roomId);
  return json(await roomKeys(roomId, user.id));
});
