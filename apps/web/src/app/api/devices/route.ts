import { RegisterDeviceBody } from "@/lib/api-schemas";
import { listDevices, registerDevice } from "@/server/devices";
import { json, readBody, route } from "@/server/http";
import { requireSession, requireUser } from "@/server/session";

export const runtime = "nodejs";

/** GET /api/devices -> { devices: OwnDevice[] } */
export const GET = route(async () => {
  const user = await requireUser();
  return json({ devices: await listDevices(user.id) });
});

/**
 * POST /api/devices RegisterDeviceBody -> 201 { device } (400 BAD_SIGNATURE, 409 CONFLICT).
 * Binds the calling session to the new device when it is bound to none (a restore).
 */
export const POST = route(async (req: Request) => {
  const session = await requireSession();
  const body = await readBody(req, RegisterDeviceBody);
  return json({ device: await registerDevice(session.user.id, body, session.sessionId) }, 201);
});
