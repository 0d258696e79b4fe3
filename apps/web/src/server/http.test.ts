import { CairnError, LoginBody, MAX_EVENT_BYTES, MessagesQuery } from "@cairn/protocol";
import { describe, expect, it } from "vitest";
import { checkOrigin, errorResponse, readBody, readQuery, route } from "./http";

const SECRET = "A".repeat(43);

function post(body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}): Request {
  return new Request("http://localhost/api/x", { method: "POST", body, headers });
}

describe("readBody", () => {
  it("parses a valid body with the protocol schema", async () => {
    const body = await readBody(post(JSON.stringify({ username: " Alice ", authSecret: SECRET })), LoginBody);
    expect(body).toEqual({ username: "alice", authSecret: SECRET });
  });

  it("rejects bad JSON, a wrong shape and extra fields with VALIDATION_FAILED", async () => {
    for (const text of ["{", "[]", JSON.stringify({ username: "alice" }), JSON.stringify({ username: "alice", authSecret: SECRET, x: 1 })]) {
      await expect(readBody(post(text), LoginBody)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    }
  });

  it("rejects a body over 64 KiB with PAYLOAD_TOO_LARGE, declared or streamed", async () => {
    const big = new Uint8Array(MAX_EVENT_BYTES + 1).fill(0x20);
    await expect(readBody(post(big), LoginBody)).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(big);
        c.close();
      },
    });
    const chunked = new Request("http://localhost/api/x", { method: "POST", body: stream, duplex: "half" } as RequestInit);
    await expect(readBody(chunked, LoginBody)).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
  });
});

describe("readQuery", () => {
  it("coerces and defaults query parameters, and rejects unknown ones", () => {
    expect(readQuery(new Request("http://x/?beforeSeq=5"), MessagesQuery)).toEqual({ beforeSeq: 5, limit: 100 });
    expect(() => readQuery(new Request("http://x/?limit=0"), MessagesQuery)).toThrow(CairnError);
    expect(() => readQuery(new Request("http://x/?evil=1"), MessagesQuery)).toThrow(CairnError);
  });
});

describe("error mapping", () => {
  it("maps CairnError to its status and code, and hides anything else", async () => {
    const known = errorResponse(new CairnError("USERNAME_TAKEN", "That username is taken."));
    expect(known.status).toBe(409);
    expect(await known.json()).toEqual({ error: { code: "USERNAME_TAKEN", message: "That username is taken." } });

    const original = console.error;
    console.error = () => undefined;
    try {
      const handler = route(() => Promise.reject(new Error("db password is hunter2")));
      const res = await handler();
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(text).not.toContain("hunter2");
      expect(JSON.parse(text)).toMatchObject({ error: { code: "INTERNAL" } });
    } finally {
      console.error = original;
    }
  });
});

describe("rate-limited answers", () => {
  it("are 429 with retryAfterMs in the body and Retry-After in whole seconds; others get no Retry-After", async () => {
    const res = errorResponse(new CairnError("RATE_LIMITED", "Too many attempts.", { retryAfterMs: 2001 }));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3");
    expect(await res.json()).toEqual({ error: { code: "RATE_LIMITED", message: "Too many attempts.", retryAfterMs: 2001 } });
    expect(errorResponse(new CairnError("RATE_LIMITED", "x", { retryAfterMs: 1 })).headers.get("retry-after")).toBe("1");
    const other = errorResponse(new CairnError("FORBIDDEN", "No.", { retryAfterMs: 5000 }));
    expect(other.headers.get("retry-after")).toBeNull();
    expect(await other.json()).toEqual({ error: { code: "FORBIDDEN", message: "No." } });
  });
});

describe("checkOrigin", () => {
  const req = (method: string, origin: string | null) =>
    new Request("http://chat.local:3000/api/rooms", {
      method,
      headers: { host: "chat.local:3000", ...(origin ? { origin } : {}) },
    });

  it("lets same-origin writes, origin-less requests and reads through", () => {
    expect(() => checkOrigin(req("POST", "http://chat.local:3000"))).not.toThrow();
    expect(() => checkOrigin(req("POST", null))).not.toThrow();
    expect(() => checkOrigin(req("GET", "https://evil.example"))).not.toThrow();
  });

  it("refuses cross-site writes with FORBIDDEN", async () => {
    expect(() => checkOrigin(req("POST", "https://evil.example"))).toThrow(CairnError);
    expect(() => checkOrigin(req("POST", "null"))).toThrow(CairnError);
    const res = await route((_req: Request) => Promise.resolve(new Response("ok")))(req("POST", "https://evil.example"));
    expect(res.status).toBe(403);
  });
});
