import { LoginBody } from "@cairn/protocol";
import { login } from "@/server/accounts";
import { json, readBody, route } from "@/server/http";
import { startSession } from "@/server/session";

export const runtime = "nodejs";

/** POST /api/auth/login LoginBody -> { user } and the session cookie (401 INVALID_CREDENTIALS) */
export const POST = route(async (req: Request) => {
  const body = await readBody(req, LoginBody);
  const account = await login(body);
  const res = json({ user: account });
  await startSession(res, account.id);
  return res;
});
