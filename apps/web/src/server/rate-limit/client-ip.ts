/**
 * The client address a per-IP limit is keyed by. Route handlers do not see the socket,
 * only X-Forwarded-For: Next.js sets it to the peer's address when the request has
 * none, and a reverse proxy appends the address it saw. So the client is the entry
 * `max(1, trustedProxies)` from the right. Without a proxy in front that sets or
 * appends the header, a client can name any address there (and so dodge per-IP
 * limits, never the per-username ones): deploy behind one (docs: rate limits).
 *
 * IPv6 clients are keyed by their /64 (one subscriber's usual allocation), IPv4-mapped
 * IPv6 by the IPv4 address.
 */

/** Expands an IPv6 address to 8 hextets, or null when it is not one. */
function hextets(ip: string): string[] | null {
  const halves = ip.toLowerCase().split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  return all.every((h) => /^[0-9a-f]{1,4}$/.test(h)) ? all.map((h) => h.replace(/^0+(?=.)/, "")) : null;
}

/** The key of one client address: IPv4 as is, IPv6 by its /64; null for anything else. */
export function addressKey(raw: string): string | null {
  let ip = raw.trim();
  if (ip.startsWith("[")) ip = ip.slice(1, ip.indexOf("]") > 0 ? ip.indexOf("]") : undefined);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped?.[1]) ip = mapped[1];
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(ip)) {
    return ip.split(".").every((o) => Number(o) <= 255) ? ip : null;
  }
  const h = hextets(ip.split("%")[0] ?? "");
  return h ? `${h.slice(0, 4).join(":")}::/64` : null;
}

/** The rate-limit key of a request's client ("unknown" when no address can be read). */
export function clientIp(req: Request, trustedProxies: number): string {
  const entries = (req.headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  const entry = entries[entries.length - Math.max(1, trustedProxies)];
  return (entry && addressKey(entry)) ?? "unknown";
}
