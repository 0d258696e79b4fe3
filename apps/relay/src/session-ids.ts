/**
 * A relay among several issues Engine.IO session ids that name it (@cairn/protocol
 * relay-session-id.ts), so a balancer routes each long-polling request to it. The
 * random part is 15 bytes, as Engine.IO's own ids.
 */
import { randomBytes } from "node:crypto";
import { relaySessionId } from "@cairn/protocol";
import type { Server } from "socket.io";

/** Makes `io` issue session ids prefixed with `relayId` (a no-op for an empty id). */
export function prefixSessionIds(io: Server, relayId: string): void {
  if (!relayId) return;
  io.engine.generateId = () => relaySessionId(relayId, randomBytes(15).toString("base64url"));
}
