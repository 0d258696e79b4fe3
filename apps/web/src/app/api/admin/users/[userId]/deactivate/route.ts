import { Uuid } from "@cairn/protocol";
import { json, parseWith, route } from "@/server/http";
import { db } from "@/server/db";
import { deactivateUser } from "@/server/admin-deactivate";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/**
 * POST /api/admin/users/:userId/deactivate -> { deactivation } (admins only; not oneself,
 * not an admin: 403; 404 USER_NOT_FOUND; 409 CONFLICT when already deactivated)
 */
export const POST = route(async (_req: Request, ctx: { params: Promise<{ userId: string }> }) => {
  const actor = await requireUser();
  const userId = parseWith(Uuid, (await ctx.params).userId);
  return json({ deactivation: await deactivateUser(db(), actor.id, userId) });
});
