import { z } from "zod";
import { json, parseWith, readBody, route } from "@/server/http";
import { db } from "@/server/db";
import { setComplianceRole } from "@/server/admin-users";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

const Body = z.object({ role: z.enum(["compliance", "member"]) });

/** PUT /api/admin/users/:userId/role { role: "compliance" | "member" } -> { user } (admins only) */
export const PUT = route(async (req: Request, ctx: { params: Promise<{ userId: string }> }) => {
  const actor = await requireUser();
  const userId = parseWith(z.uuid(), (await ctx.params).userId);
  const { role } = await readBody(req, Body);
  return json({ user: await setComplianceRole(db(), actor.id, userId, role) });
});
