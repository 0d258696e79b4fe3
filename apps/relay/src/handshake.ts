/**
 * The relay's handshake: a connection is a device of a logged-in user. The session
 * cookie must name a live session, the handshake's `auth.deviceId` a live device of
 * that user, and the session must belong to that device (an unbound session is bound
 * to it now). Refusals reach the client as a connect error carrying a stable code.
 */
import { bindSession, findSession, readCookie, SESSION_COOKIE, type PrismaClient } from "@cairn/db";
import { errorFields, type Logger } from "@cairn/log";
import { CairnError, RelayHandshakeAuth } from "@cairn/protocol";
import type { ExtendedError } from "socket.io";
import type { RelaySocket, RelaySocketData } from "./app";
import { ed25519PublicKey } from "./signatures";

export function authenticate(
  prisma: PrismaClient,
  log: Logger,
): (socket: RelaySocket, next: (err?: ExtendedError) => void) => void {
  return (socket, next) => {
    void (async () => {
      try {
        const auth = RelayHandshakeAuth.safeParse(socket.handshake.auth);
        if (!auth.success)
          throw new CairnError("VALIDATION_FAILED", "Handshake must name a device.");
        const device = await prisma.device.findUnique({ where: { id: auth.data.deviceId } });
        // Checked before the session: a revoked device's sessions ended with its
        // revocation, and its browser should still learn why (revocations are public
        // on the ledger; device ids are random).
        if (device?.revokedAt) throw new CairnError("DEVICE_REVOKED", "This device was revoked.");
        const token = readCookie(socket.handshake.headers.cookie, SESSION_COOKIE);
        const session = await findSession(prisma, token);
        if (!session) throw new CairnError("UNAUTHENTICATED", "Log in first.");
        if (!device || device.userId !== session.user.id) {
          throw new CairnError("DEVICE_UNKNOWN", "This device is not registered to you.");
        }
        // A session belongs to one device: an unbound one (a log-in that named none) is
        // bound to this device now; a bound one opens sockets for its own device only.
        if (
          session.deviceId !== device.id &&
          !(await bindSession(prisma, session.sessionId, device.id))
        ) {
          throw new CairnError(
            "DEVICE_UNKNOWN",
            "This session belongs to another of your devices. Log in again.",
          );
        }
        const data: RelaySocketData = {
          userId: session.user.id,
          username: session.user.username,
          deviceId: device.id,
          signingKey: { raw: device.signingPublicKey, key: ed25519PublicKey(device.signingPublicKey) },
        };
        socket.data = data;
        next();
      } catch (err) {
        const e = err instanceof CairnError ? err : new CairnError("INTERNAL", "Handshake failed.");
        if (!(err instanceof CairnError)) log.error("handshake failed", errorFields(err));
        const out = new Error(e.message) as Error & { data: unknown };
        out.data = { code: e.code };
        next(out);
      }
    })();
  };
}
