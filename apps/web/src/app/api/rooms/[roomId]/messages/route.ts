import { listMessages } from "@cairn/db";
import { MessagesQuery, RoomId } from "@cairn/protocol";
import { db } from "@/server/db";
import { json, parseWith, readQuery, route } from "@/server/http";
import { requireMember } from "@/server/rooms";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/** GET /api/rooms/:roomId/messages?beforeSeq&limit -> { messages: StoredMessage[] } oldest first */
export const GET = route(async (req: Request, ctx: RouteContext<"/api/rooms/[roomId]/messages">) => {
  const user = await requireUser();
  const roomId = parseWith(RoomId, (await ctx.params).roomId);
  const query = readQuery(req, MessagesQuery);
  await requireMember(roomId, user.id);
  return json({ messages: await listMessages(db(), roomId, query) });
});
