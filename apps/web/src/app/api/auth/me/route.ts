import { account } from "@/server/accounts";
import { json, route } from "@/server/http";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/** GET /api/auth/me -> { user } (401 UNAUTHENTICATED) */
export const GET = route(async () => {
  const user = await requireUser();
  return json({ user: await account(user.id) });
});
