import { env } from "@/env";
import { json, route } from "@/server/http";
import { relayUrlFor } from "@/server/relay-url";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/config -> { relayUrl } */
export const GET = route(async (req: Request) => {
  return Promise.resolve(json({ relayUrl: relayUrlFor(env().CAIRN_RELAY_URL, req.headers.get("host")) }));
});
