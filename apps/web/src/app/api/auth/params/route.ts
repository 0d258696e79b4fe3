import { AuthParamsQuery } from "@cairn/protocol";
import { authParams } from "@/server/accounts";
import { json, readQuery, route } from "@/server/http";

export const runtime = "nodejs";

/** GET /api/auth/params?username= -> { salt } (404 USER_NOT_FOUND) */
export const GET = route(async (req: Request) => {
  const { username } = readQuery(req, AuthParamsQuery);
  return json(await authParams(username));
});
