import { AuthParamsQuery } from "@cairn/protocol";
import { checkUsernameFree } from "@/server/accounts";
import { json, readQuery, route } from "@/server/http";
import { rateLimits, requestIp } from "@/server/rate-limit";

export const runtime = "nodejs";

/**
 * GET /api/auth/signup/check?username= -> { ok: true } while the name is free
 * (409 USERNAME_TAKEN): the sign-up form asks before showing recovery words. Sign-up
 * itself must tell a taken name apart, so this is the one place that does, limited
 * per IP (429 RATE_LIMITED).
 */
export const GET = route(async (req: Request) => {
  await rateLimits().take("signupCheckIp", requestIp(req));
  const { username } = readQuery(req, AuthParamsQuery);
  await checkUsernameFree(username);
  return json({ ok: true });
});
