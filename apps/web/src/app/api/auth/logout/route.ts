import { deleteSession } from "@cairn/db";
import { db } from "@/server/db";
import { json, route } from "@/server/http";
import { clearSessionCookie, sessionToken } from "@/server/session";

export const runtime = "nodejs";

/** POST /api/auth/logout -> { ok: true }; deletes the session row and expires the cookie. */
export const POST = route(async () => {
  const token = await sessionToken();
  if (token && token.length <= 256) await deleteSession(db(), token);
  const res = json({ ok: true });
  clearSessionCookie(res);
  return res;
});
