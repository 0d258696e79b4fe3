import { describe, expect, it } from "vitest";
import { parseEnv, servedOverHttps, sessionCookieSecure } from "./env";

const DATABASE_URL = "postgres://localhost/cairn";

describe("secure defaults from CAIRN_PUBLIC_URL", () => {
  it("defaults to http://localhost:3000: no Secure cookie, no HSTS", () => {
    const e = parseEnv({ DATABASE_URL });
    expect(e.CAIRN_PUBLIC_URL).toBe("http://localhost:3000");
    expect(servedOverHttps(e)).toBe(false);
    expect(sessionCookieSecure(e)).toBe(false);
  });

  it("makes the session cookie Secure when the public URL is https", () => {
    const e = parseEnv({ DATABASE_URL, CAIRN_PUBLIC_URL: "https://chat.example.org" });
    expect(servedOverHttps(e)).toBe(true);
    expect(sessionCookieSecure(e)).toBe(true);
  });

  it("lets CAIRN_COOKIE_SECURE override either way", () => {
    expect(sessionCookieSecure(parseEnv({ DATABASE_URL, CAIRN_PUBLIC_URL: "https://chat.example.org", CAIRN_COOKIE_SECURE: "false" }))).toBe(false);
    expect(sessionCookieSecure(parseEnv({ DATABASE_URL, CAIRN_COOKIE_SECURE: "1" }))).toBe(true);
  });

  it("refuses a public URL that is not http(s)", () => {
    expect(() => parseEnv({ DATABASE_URL, CAIRN_PUBLIC_URL: "ftp://chat.example.org" })).toThrow(/CAIRN_PUBLIC_URL/);
    expect(() => parseEnv({ DATABASE_URL, CAIRN_PUBLIC_URL: "chat.example.org" })).toThrow(/CAIRN_PUBLIC_URL/);
    expect(() => parseEnv({ DATABASE_URL, CAIRN_COOKIE_SECURE: "yes" })).toThrow(/CAIRN_COOKIE_SECURE/);
  });
});
