/**
 * Next.js Proxy (formerly middleware): the per-request security headers. Every page
 * gets a Content-Security-Policy with a fresh nonce — Next.js reads the nonce from the
 * request's CSP header while rendering and puts it on its scripts, so pages render
 * dynamically (the root layout awaits `connection()`). Turbopack's Web Worker
 * bootstrap script gets the workers' own policy. HSTS when the public URL is https.
 */
import { NextResponse, type NextRequest } from "next/server";
import { env, servedOverHttps } from "./env";
import { relayUrlFor } from "./server/relay-url";
import { HSTS, newNonce, pageCsp, workerCsp } from "./server/security-headers";

/** Turbopack starts every `new Worker(new URL(…))` through this script (then importScripts). */
const WORKER_BOOTSTRAP = /^\/_next\/static\/chunks\/turbopack-worker-[\w-]+\.js$/;

export function proxy(request: NextRequest): NextResponse {
  const e = env();
  const https = servedOverHttps(e);
  const relayUrl = relayUrlFor(e.CAIRN_RELAY_URL, request.headers.get("host"));

  if (WORKER_BOOTSTRAP.test(request.nextUrl.pathname)) {
    const res = NextResponse.next();
    res.headers.set("Content-Security-Policy", workerCsp(relayUrl, https));
    // The policy names the relay, which is configuration: revalidate (ETag) instead of
    // keeping a year-long immutable copy that would outlive a change of CAIRN_RELAY_URL.
    res.headers.set("Cache-Control", "no-cache");
    return res;
  }

  const nonce = newNonce();
  const csp = pageCsp({ nonce, relayUrl, https, dev: e.NODE_ENV === "development" });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("content-security-policy", csp);
  requestHeaders.set("x-nonce", nonce);
  const res = NextResponse.next({ request: { headers: requestHeaders } });
  res.headers.set("Content-Security-Policy", csp);
  if (https) res.headers.set("Strict-Transport-Security", HSTS);
  return res;
}

export const config = {
  matcher: [
    // Pages (API routes answer JSON, static assets are not documents).
    "/((?!api/|_next/static/|_next/image|favicon.ico).*)",
    "/_next/static/chunks/:file(turbopack-worker-[\\w-]+\\.js)",
  ],
};
