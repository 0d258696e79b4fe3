import { CairnError, Uuid } from "@cairn/protocol";
import { json, route } from "@/server/http";
import { clearSessionCookie, requireSession } from "@/server/session";
import { endOwnSession } from "@/server/sessions";

export const runtime = "nodejs";

/**
 * DELETE /api/sessions/:id -> { ok: true } (404 NOT_FOUND unless it is one of the
 * caller's sessions, a malformed id included; ending the caller's own also expires its cookie)
 */
export const DELETE = route(async (_req: Request, ctx: { params: Promise<{ sessionId: string }> }) => {
  const session = await requireSession();
  const id = Uuid.safeParse((await ctx.params).sessionId);
  if (!id.success) throw new CairnError("NOT_FOUND", "No such session.");
  await endOwnSession(session, id.data);
  const res = json({ ok: true });
  if (id.data === session.sessionId) clearSessionCookie(res);
  return res;
});
