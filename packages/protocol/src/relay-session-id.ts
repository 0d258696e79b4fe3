/**
 * Engine.IO session ids of a relay among several name the relay that issued them
 * (`r2.<random>`), so a balancer can route each long-polling request to the relay
 * holding its session, without sticky cookies. The relay issues them
 * (apps/relay session-ids.ts); `cairn start --relays` routes by them.
 */

/** A relay id: letters, digits and "-", at most 32. */
export const RELAY_ID = /^[A-Za-z0-9-]{1,32}$/;

export function relaySessionId(relayId: string, random: string): string {
  return `${relayId}.${random}`;
}

/** The relay id a session id was issued by, or null for an id that names none. */
export function relayOfSessionId(sid: string): string | null {
  const dot = sid.indexOf(".");
  if (dot <= 0) return null;
  const id = sid.slice(0, dot);
  return RELAY_ID.test(id) ? id : null;
}
