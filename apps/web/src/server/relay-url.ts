const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The relay URL a browser should use. The session cookie is per host name, so
 * when both the configured relay and the page are on a loopback name, the relay
 * is addressed by the page's own host name (localhost vs 127.0.0.1 would otherwise
 * lose the cookie on the WebSocket handshake).
 * @throws TypeError when configured is not an absolute URL
 */
export function relayUrlFor(configured: string, pageHost: string | null): string {
  const url = new URL(configured);
  if (pageHost) {
    const hostname = pageHost.replace(/:\d+$/, "");
    if (LOOPBACK.has(url.hostname) && LOOPBACK.has(hostname)) url.hostname = hostname;
  }
  return url.toString().replace(/\/$/, "");
}
