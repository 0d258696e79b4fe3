import { LoginBody } from "@cairn/protocol";
import { login } from "@/server/accounts";
import { refuseDeactivated } from "@/server/admin-deactivate";
import { json, readBody, route } from "@/server/http";
import { rateLimits, requestIp } from "@/server/rate-limit";
import { startSession } from "@/server/session";

export const runtime = "nodejs";

/**
 * POST /api/auth/login LoginBody -> { user } and the session cookie
 * (401 INVALID_CREDENTIALS for a wrong passphrase and an unknown username alike;
 * 429 RATE_LIMITED per IP, and per username even with the right passphrase).
 */
export const POST = route(async (req: Request) => {
  const limits = rateLimits();
  await limits.take("loginIp", requestIp(req));
  const body = await readBody(req, LoginBody);
  await limits.take("loginUsername", body.username);
  const account = await login(body);
  await refuseDeactivated(account.id); // issue 9: same answer as a wrong passphrase
  // Only failures count against a username: its owner logging in often is fine.
  await limits.refund("loginUsername", body.username);
  const res = json({ user: account });
  await startSession(res, account.id);
  return res;
});
