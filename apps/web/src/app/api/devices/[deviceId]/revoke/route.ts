import { DeviceId } from "@cairn/protocol";
import { RevokeDeviceBody } from "@/lib/api-schemas";
import { revokeDevice } from "@/server/devices";
import { json, parseWith, readBody, route } from "@/server/http";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/** POST /api/devices/:id/revoke { revokedAtMs, signature } -> { device } (400 BAD_SIGNATURE, 403 DEVICE_REVOKED) */
export const POST = route(async (req: Request, ctx: RouteContext<"/api/devices/[deviceId]/revoke">) => {
  const user = await requireUser();
  const deviceId = parseWith(DeviceId, (await ctx.params).deviceId);
  const body = await readBody(req, RevokeDeviceBody);
  return json({ device: await revokeDevice(user.id, deviceId, body) });
});
