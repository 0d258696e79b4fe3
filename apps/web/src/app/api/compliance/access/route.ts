import { json, route } from "@/server/http";
import { db } from "@/server/db";
import { accessOf, resolveRole } from "@/server/roles";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/** GET /api/compliance/access -> AuditAccess & { userId, username } for the logged-in user */
export const GET = route(async () => {
  const user = await requireUser();
  return json({ userId: user.id, username: user.username, ...accessOf(await resolveRole(db(), user.id)) });
});
