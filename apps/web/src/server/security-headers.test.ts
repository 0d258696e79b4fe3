import { describe, expect, it } from "vitest";
import { newNonce, pageCsp, relaySources, workerCsp } from "./security-headers";

/** directive name -> its sources */
function parse(csp: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of csp.split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name, sources);
  }
  return out;
}

const base = { nonce: "bm9uY2Vub25jZW5vbmNlIQ==", relayUrl: "http://localhost:3001", https: false, dev: false };

describe("pageCsp", () => {
  it("allows scripts only by nonce (and what they load), never inline or eval", () => {
    const csp = parse(pageCsp(base));
    expect(csp.get("script-src")).toEqual(["'self'", `'nonce-${base.nonce}'`, "'strict-dynamic'"]);
    expect(csp.get("default-src")).toEqual(["'self'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'none'"]);
    expect(csp.get("form-action")).toEqual(["'self'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("worker-src")).toEqual(["'self'"]);
    expect(csp.get("img-src")).toEqual(["'self'", "data:", "blob:"]);
    expect(csp.get("style-src-elem")).toEqual(["'self'", `'nonce-${base.nonce}'`]);
    expect(csp.get("style-src-attr")).toEqual(["'unsafe-inline'"]);
    expect(csp.has("upgrade-insecure-requests")).toBe(false);
  });

  it("lets the page reach only its own origin and the relay, over http and WebSocket", () => {
    expect(parse(pageCsp(base)).get("connect-src")).toEqual(["'self'", "http://localhost:3001", "ws://localhost:3001"]);
    const https = parse(pageCsp({ ...base, relayUrl: "https://relay.example.org/", https: true }));
    expect(https.get("connect-src")).toEqual(["'self'", "https://relay.example.org", "wss://relay.example.org"]);
    expect(https.has("upgrade-insecure-requests")).toBe(true);
  });

  it("relaxes scripts and styles only for next dev", () => {
    const dev = parse(pageCsp({ ...base, dev: true }));
    expect(dev.get("script-src")).toContain("'unsafe-eval'");
    expect(dev.get("style-src")).toContain("'unsafe-inline'");
    expect(parse(pageCsp(base)).get("style-src")).not.toContain("'unsafe-inline'");
  });
});

describe("workerCsp", () => {
  it("allows same-origin scripts and WebAssembly, no eval, fetches to the app and relay only", () => {
    const csp = parse(workerCsp("http://127.0.0.1:3101", false));
    expect(csp.get("default-src")).toEqual(["'none'"]);
    expect(csp.get("script-src")).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(csp.get("connect-src")).toEqual(["'self'", "http://127.0.0.1:3101", "ws://127.0.0.1:3101"]);
  });
});

describe("relaySources", () => {
  it("keeps the port and drops the path", () => {
    expect(relaySources("https://example.org:8443/relay")).toEqual(["https://example.org:8443", "wss://example.org:8443"]);
  });
});

describe("newNonce", () => {
  it("is 16 random bytes, base64, different each time", () => {
    const a = newNonce();
    expect(Buffer.from(a, "base64")).toHaveLength(16);
    expect(a).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(new Set(Array.from({ length: 50 }, newNonce)).size).toBe(50);
  });
});
