/**
 * The security headers decided per request (src/proxy.ts sets them): the pages'
 * Content-Security-Policy with a fresh nonce per response, the Web Workers' own CSP
 * (a worker loaded from a URL is governed by its script's response headers, not by
 * the page's policy), and HSTS. The headers that never vary (nosniff,
 * Referrer-Policy, Permissions-Policy, frame and opener policies) are in next.config.ts.
 */

export interface PageCspSettings {
  /** This response's nonce ({@link newNonce}); Next.js puts it on every script it renders. */
  nonce: string;
  /** The relay's URL as this page's browser addresses it (relayUrlFor). */
  relayUrl: string;
  /** The public URL is https: upgrade any http subresource to https. */
  https: boolean;
  /** `next dev`: React's dev tooling needs eval and inline styles. */
  dev: boolean;
}

/** One year; no includeSubDomains or preload: sibling hosts are the operator's call. */
export const HSTS = "max-age=31536000";

/** 128 random bits, base64: unguessable and unique per response. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

/**
 * The relay's http(s) and ws(s) origins: Socket.IO starts over WebSocket and falls back
 * to long polling; the ledger view is plain http(s).
 * @throws TypeError when relayUrl is not an absolute URL
 */
export function relaySources(relayUrl: string): [string, string] {
  const url = new URL(relayUrl);
  return [url.origin, `${url.protocol === "https:" ? "wss:" : "ws:"}//${url.host}`];
}

function serialize(directives: readonly (readonly string[])[]): string {
  return directives.map((d) => d.join(" ")).join("; ");
}

/**
 * The pages' policy. Scripts: only those carrying the nonce, and what they load
 * ('strict-dynamic'; 'self' is the fallback for browsers without it); no inline
 * script, no eval. Style elements need the nonce too; style *attributes* are allowed
 * (React renders `style={{…}}` into the server HTML, and Next.js's built-in error
 * pages use them) — they cannot run script, and img-src keeps them from loading
 * anything foreign. Workers: same-origin URLs only (no blob:, no data:).
 */
export function pageCsp(s: PageCspSettings): string {
  const styles = s.dev ? ["'self'", "'unsafe-inline'"] : ["'self'", `'nonce-${s.nonce}'`];
  return serialize([
    ["default-src", "'self'"],
    ["script-src", "'self'", `'nonce-${s.nonce}'`, "'strict-dynamic'", ...(s.dev ? ["'unsafe-eval'"] : [])],
    ["style-src", ...styles],
    ["style-src-elem", ...styles],
    ["style-src-attr", "'unsafe-inline'"],
    ["img-src", "'self'", "data:", "blob:"],
    ["font-src", "'self'"],
    ["connect-src", "'self'", ...relaySources(s.relayUrl)],
    ["worker-src", "'self'"],
    ["frame-src", "'none'"],
    ["object-src", "'none'"],
    ["base-uri", "'none'"],
    ["form-action", "'self'"],
    ["frame-ancestors", "'none'"],
    ...(s.https ? [["upgrade-insecure-requests"]] : []),
  ]);
}

/**
 * The Web Workers' policy (the crypto worker holds the keys; the verify worker checks
 * bundles): scripts from this origin only, WebAssembly compilation for libsodium
 * ('wasm-unsafe-eval' allows WebAssembly, not JavaScript eval), fetches to this origin
 * and the relay, nothing else.
 */
export function workerCsp(relayUrl: string, https: boolean): string {
  return serialize([
    ["default-src", "'none'"],
    ["script-src", "'self'", "'wasm-unsafe-eval'"],
    ["connect-src", "'self'", ...relaySources(relayUrl)],
    ...(https ? [["upgrade-insecure-requests"]] : []),
  ]);
}
