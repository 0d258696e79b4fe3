import { AuthParamsQuery } from "@cairn/protocol";
import { authParams } from "@/server/accounts";
import { json, readQuery, route } from "@/server/http";
import { rateLimits, requestIp } from "@/server/rate-limit";

export const runtime = "nodejs";

/**
 * GET /api/auth/params?username= -> { salt }: the account's salt, or for a username
 * nobody has a stable fake one (same shape and status). 429 RATE_LIMITED per IP.
 */
export const GET = route(async (req: Request) => {
  await rateLimits().take("paramsIp", requestIp(req));
  const { username } = readQuery(req, AuthParamsQuery);
  return json(await authParams(username));
});
