import { json, route } from "@/server/http";
import { db } from "@/server/db";
import { listAllRooms } from "@/server/admin-rooms";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/** GET /api/admin/rooms -> { rooms: AdminRoomView[] } (admins only) */
export const GET = route(async () => {
  const user = await requireUser();
  return json({ rooms: await listAllRooms(db(), user.id) });
});
