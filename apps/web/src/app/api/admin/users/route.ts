import { json, route } from "@/server/http";
import { db } from "@/server/db";
import { listUsers } from "@/server/admin-users";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/** GET /api/admin/users -> { users: UserRoleView[] } (403 FORBIDDEN unless admin) */
export const GET = route(async () => {
  const user = await requireUser();
  return json({ users: await listUsers(db(), user.id) });
});
