import { LogoutEverywhereBody } from "@/lib/api-schemas";
import { json, readBody, route } from "@/server/http";
import { clearSessionCookie, requireSession } from "@/server/session";
import { logoutEverywhere } from "@/server/sessions";

export const runtime = "nodejs";

/**
 * POST /api/sessions/logout-everywhere { keepCurrent } -> { ended } : ends every session
 * of the caller, their own too unless `keepCurrent` (then its cookie is expired as well).
 * Other browsers get 401 UNAUTHENTICATED on their next request.
 */
export const POST = route(async (req: Request) => {
  const session = await requireSession();
  const { keepCurrent } = await readBody(req, LogoutEverywhereBody);
  const res = json({ ended: await logoutEverywhere(session, keepCurrent) });
  if (!keepCurrent) clearSessionCookie(res);
  return res;
});
