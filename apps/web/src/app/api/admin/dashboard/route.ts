import { json, route } from "@/server/http";
import { db } from "@/server/db";
import { anchoringLag, anchoringStatus } from "@/server/admin-lag";
import { requireAdmin } from "@/server/roles";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/admin/dashboard -> { status: AnchoringStatus, lag: LagPoint[] } (admins only) */
export const GET = route(async () => {
  const user = await requireUser();
  await requireAdmin(db(), user.id);
  const [status, lag] = await Promise.all([anchoringStatus(db()), anchoringLag(db(), 200)]);
  return json({ status, lag });
});
