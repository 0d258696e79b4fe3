import { SESSION_COOKIE, readCookie } from "@cairn/db";
import { CairnError, ChangePassphraseBody } from "@cairn/protocol";
import { changePassphrase } from "@/server/accounts";
import { json, readBody, route } from "@/server/http";
import { rateLimits } from "@/server/rate-limit";
import { sessionOf } from "@/server/session";

export const runtime = "nodejs";

/**
 * POST /api/auth/passphrase ChangePassphraseBody -> { ok: true, endedSessions }
 * Replaces the account's salt and auth secret after checking the current one as
 * log-in does; `endOtherSessions` ends every session of the user but this one.
 * 401 UNAUTHENTICATED without a live session; 401 INVALID_CREDENTIALS for a wrong
 * current passphrase (nothing changes); 409 CONFLICT when another change landed first;
 * 429 RATE_LIMITED under the log-in per-username limit (wrong guesses count against
 * it, a change that succeeds does not).
 */
export const POST = route(async (req: Request) => {
  // The session cookie read from the request itself (what next/headers reads too), under
  // the app's session policy (findSession): its id is the one endOtherSessions keeps.
  const session = await sessionOf(
    readCookie(req.headers.get("cookie") ?? undefined, SESSION_COOKIE),
  );
  if (!session) throw new CairnError("UNAUTHENTICATED", "Please log in.");
  const body = await readBody(req, ChangePassphraseBody);
  const limits = rateLimits();
  await limits.take("loginUsername", session.user.username);
  const { endedSessions } = await changePassphrase(session.user.id, session.sessionId, body);
  await limits.refund("loginUsername", session.user.username);
  return json({ ok: true, endedSessions });
});
