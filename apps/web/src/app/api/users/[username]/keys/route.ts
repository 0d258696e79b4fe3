import { Username } from "@cairn/protocol";
import { json, parseWith, route } from "@/server/http";
import { userKeys } from "@/server/rooms";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/** GET /api/users/:username/keys -> { user: UserKeys } (404 USER_NOT_FOUND) */
export const GET = route(async (_req: Request, ctx: RouteContext<"/api/users/[username]/keys">) => {
  await requireUser();
  const username = parseWith(Username, (await ctx.params).username);
  return json({ user: await userKeys(username) });
});
