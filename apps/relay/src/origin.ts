/**
 * The relay's Origin check, run on every Engine.IO handshake (WebSocket upgrade and
 * HTTP long-polling alike) through Socket.IO's `allowRequest`. Socket.IO's `cors`
 * option only answers browsers' CORS preflights for polling; it does not stop a page
 * on another origin from opening a WebSocket with the user's cookie. Browsers always
 * send `Origin` on WebSocket upgrades and cross-origin requests, so a handshake
 * without one is refused unless the operator allows it (non-browser clients).
 */
import type { IncomingMessage } from "node:http";

export type AllowRequest = (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => void;

export interface OriginPolicy {
  /** Web origins allowed to open a connection, e.g. `https://chat.example.org`. */
  origins: readonly string[];
  /** Whether a handshake without an `Origin` header is let through (default: no). */
  allowMissingOrigin?: boolean;
}

/** `scheme://host[:port]` of a URL, lower-cased and without a default port; null if it is none. */
export function normalizeOrigin(value: string): string | null {
  try {
    const origin = new URL(value).origin;
    return origin === "null" ? null : origin;
  } catch {
    return null;
  }
}

/** Why a handshake's Origin is refused, or null when it is allowed. */
export function originRefusal(header: string | string[] | undefined, policy: OriginPolicy): string | null {
  if (header === undefined || header === "") {
    return policy.allowMissingOrigin ? null : "Origin header required.";
  }
  if (Array.isArray(header)) return "One Origin header only.";
  const allowed = new Set(policy.origins.map(normalizeOrigin).filter((o): o is string => o !== null));
  // Compared exactly as sent: browsers send the serialized origin, never a path.
  const origin = normalizeOrigin(header);
  if (origin === null || origin !== header.toLowerCase() || !allowed.has(origin)) return "Origin not allowed.";
  return null;
}

/**
 * An `allowRequest` that refuses handshakes from other origins and, while the relay
 * drains for shutdown (`refuseAll()` true), every new handshake.
 */
export function originGuard(policy: OriginPolicy, refuseAll: () => boolean = () => false): AllowRequest {
  return (req, callback) => {
    if (refuseAll()) {
      callback("The relay is shutting down.", false);
      return;
    }
    const refusal = originRefusal(req.headers.origin, policy);
    if (refusal) callback(refusal, false);
    else callback(null, true);
  };
}
