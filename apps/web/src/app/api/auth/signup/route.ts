import { SignupBody } from "@cairn/protocol";
import { signup } from "@/server/accounts";
import { json, readBody, route } from "@/server/http";
import { rateLimits, requestIp } from "@/server/rate-limit";
import { setSessionCookie } from "@/server/session";

export const runtime = "nodejs";

/** POST /api/auth/signup SignupBody -> 201 { user } and the session cookie (409 USERNAME_TAKEN, 429 RATE_LIMITED per IP) */
export const POST = route(async (req: Request) => {
  await rateLimits().take("signupIp", requestIp(req));
  const body = await readBody(req, SignupBody);
  const { account, session } = await signup(body);
  const res = json({ user: account }, 201);
  setSessionCookie(res, session.token, session.expiresAt);
  return res;
});
