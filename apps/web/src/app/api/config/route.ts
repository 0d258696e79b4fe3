import { env } from "@/env";
import { json, route } from "@/server/http";
import { relayUrlFor } from "@/server/relay-url";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/config -> { relayUrl, witnessKeys } */
export const GET = route(async (req: Request) => {
  const e = env();
  return Promise.resolve(json({ relayUrl: relayUrlFor(e.CAIRN_RELAY_URL, req.headers.get("host")), witnessKeys: e.CAIRN_WITNESS_KEYS }));
});
