import { DeviceId } from "@cairn/protocol";
import { RenameDeviceBody } from "@/lib/api-schemas";
import { renameDevice } from "@/server/devices";
import { json, parseWith, readBody, route } from "@/server/http";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/** PATCH /api/devices/:id { name } -> { device } (403 DEVICE_UNKNOWN) */
export const PATCH = route(async (req: Request, ctx: RouteContext<"/api/devices/[deviceId]">) => {
  const user = await requireUser();
  const deviceId = parseWith(DeviceId, (await ctx.params).deviceId);
  const body = await readBody(req, RenameDeviceBody);
  return json({ device: await renameDevice(user.id, deviceId, body.name) });
});
