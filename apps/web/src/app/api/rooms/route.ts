import { CreateRoomBody } from "@cairn/protocol";
import { json, readBody, route } from "@/server/http";
import { createRoom, listRooms } from "@/server/rooms";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/** GET /api/rooms -> { rooms: RoomView[] } */
export const GET = route(async () => {
  const user = await requireUser();
  return json({ rooms: await listRooms(user.id) });
});

/** POST /api/rooms CreateRoomBody -> 201 { room } (404 USER_NOT_FOUND for an unknown member; 400 MEMBERSHIP_INVALID, 409 CONFLICT) */
export const POST = route(async (req: Request) => {
  const user = await requireUser();
  const body = await readBody(req, CreateRoomBody);
  return json({ room: await createRoom(user.id, body) }, 201);
});
