import { json, route } from "@/server/http";
import { requireSession } from "@/server/session";
import { ownSessions } from "@/server/sessions";

export const runtime = "nodejs";

/** GET /api/sessions -> { sessions: SessionView[] } (the caller's own live sessions; 401 UNAUTHENTICATED) */
export const GET = route(async () => {
  const session = await requireSession();
  return json({ sessions: await ownSessions(session) });
});
