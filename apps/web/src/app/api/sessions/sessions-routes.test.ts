/**
 * Device-bound sessions through the real route handlers, against a real migrated
 * PostgreSQL and the real Argon2id pool (issue 9): sign-up binds the session to the
 * first device; a log-in without keys is bound by the device it registers; revoking a
 * device ends its sessions, after which every route that needs a session answers 401
 * UNAUTHENTICATED (the key backup included) while the revoking device keeps working;
 * the sessions list, ending one (404 for anyone else's), "log out everywhere"; idle
 * and absolute expiry from the app's env under an injected clock.
 *
 * The one stand-in: next/headers' cookies() needs Next's request scope, which route
 * handlers called directly do not have; it is replaced by a reader of the cookie this
 * test sends (everything behind it — sessions, devices, routes — is the real code).
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { certifyDevice, generateDevice, generateIdentity, signDeviceRevocation, type SigningKeyPair } from "@cairn/crypto";
import { routeTestEnv } from "../route-test-env";
import { toBase64Url, type SignupBody } from "@cairn/protocol";
import { NextResponse } from "next/server";
import { describe, expect, it, vi } from "vitest";

const jar = vi.hoisted(() => ({ token: undefined as string | undefined }));
vi.mock("next/headers", () => ({
  cookies: () =>
    Promise.resolve({
      get: (name: string) => (name === "cairn_session" && jar.token !== undefined ? { name, value: jar.token } : undefined),
    }),
}));

type Handler = (req: Request, ctx?: unknown) => Promise<Response>;
const HOUR = 3600 * 1000;

const env = routeTestEnv({
    CAIRN_RATE_LOGIN_USERNAME: "off",
    CAIRN_RATE_LOGIN_IP: "off",
    CAIRN_RATE_SIGNUP_IP: "off",
    CAIRN_RATE_PARAMS_IP: "off",
    CAIRN_SESSION_MAX_AGE: "1d",
    CAIRN_SESSION_IDLE: "2h",
});


const apiDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const handler = async (route: string, method: string): Promise<Handler> =>
  ((await import(/* @vite-ignore */ path.join(apiDir, route, "route.ts"))) as Record<string, Handler>)[method] as Handler;

/** Calls a route handler as the browser holding `token` would. */
async function call(
  route: string,
  method: string,
  token: string | undefined,
  opts: { body?: unknown; params?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown>; setCookie: string | null }> {
  jar.token = token;
  const url = `http://localhost/api/${route.replace(/\[(\w+)\]/g, (_, k: string) => opts.params?.[k] ?? k)}`;
  const req = new Request(url, {
    method,
    headers: { "content-type": "application/json", ...(token ? { cookie: `cairn_session=${token}` } : {}) },
    ...(method === "GET" || method === "HEAD" ? {} : { body: JSON.stringify(opts.body ?? {}) }),
  });
  const res = await (await handler(route, method))(req, { params: Promise.resolve(opts.params ?? {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, setCookie: res.headers.get("set-cookie") };
}

function tokenOf(setCookie: string | null): string {
  const m = /cairn_session=([^;]*)/.exec(setCookie ?? "");
  if (!m?.[1]) throw new Error("no session cookie");
  return m[1];
}

const secret = toBase64Url(new Uint8Array(32).fill(7));

function registration(identity: SigningKeyPair, name: string) {
  const device = generateDevice();
  return {
    deviceId: device.deviceId,
    name,
    signingPublicKey: toBase64Url(device.signing.publicKey),
    agreementPublicKey: toBase64Url(device.agreement.publicKey),
    signature: toBase64Url(certifyDevice(identity, device)),
  };
}

async function signUp(username: string) {
  const identity = generateIdentity();
  const device = registration(identity, "laptop");
  const body: SignupBody = {
    username,
    salt: toBase64Url(new Uint8Array(16).fill(1)),
    authSecret: secret,
    identityPublicKey: toBase64Url(identity.publicKey),
    device,
  };
  const res = await call("auth/signup", "POST", undefined, { body });
  expect(res.status).toBe(201);
  const userId = (res.body.user as { id: string }).id;
  return { userId, identity, deviceId: device.deviceId, token: tokenOf(res.setCookie) };
}

async function logIn(username: string, deviceId?: string): Promise<string> {
  const res = await call("auth/login", "POST", undefined, { body: { username, authSecret: secret } });
  expect(res.status).toBe(200);
  const token = tokenOf(res.setCookie);
  if (deviceId !== undefined) {
    // What the log-in route does when the browser names its device (startSession).
    const { startSession } = await import("@/server/session");
    const out = NextResponse.json({});
    await startSession(out, (res.body.user as { id: string }).id, deviceId);
    return tokenOf(out.headers.get("set-cookie"));
  }
  return token;
}

async function sessionRow(token: string) {
  const { sessionOf } = await import("@/server/session");
  return sessionOf(token);
}

/** Every route handler under app/api, as "route/path" and method. */
function allRoutes(): { route: string; method: string }[] {
  const out: { route: string; method: string }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name === "route.ts") {
        const route = path.relative(apiDir, dir).split(path.sep).join("/");
        out.push(...["GET", "POST", "PUT", "PATCH", "DELETE"].map((method) => ({ route, method })));
      }
    }
  };
  walk(apiDir);
  return out;
}

/** Routes anyone may call without a session (they answer for themselves). */
const PUBLIC = new Set(["auth/login", "auth/signup", "auth/signup/check", "auth/params", "auth/logout", "config"]);

describe("device-bound sessions", () => {
  it("binds sign-up to the first device, and a keyless log-in to the device it registers", async () => {
    const ann = await signUp("ann");
    expect((await sessionRow(ann.token))?.deviceId).toBe(ann.deviceId);

    const restoring = await logIn("ann");
    const row = await sessionRow(restoring);
    expect(row?.deviceId).toBeNull();
    const { registerDevice } = await import("@/server/devices");
    const phone = registration(ann.identity, "phone");
    await registerDevice(ann.userId, phone, row?.sessionId);
    expect((await sessionRow(restoring))?.deviceId).toBe(phone.deviceId);
    // A bound session keeps its device when it registers another.
    await registerDevice(ann.userId, registration(ann.identity, "tablet"), row?.sessionId);
    expect((await sessionRow(restoring))?.deviceId).toBe(phone.deviceId);
  });

  it("binds a log-in that names a live device of the user, and refuses a revoked or foreign one", async () => {
    const cal = await signUp("cal");
    const dee = await signUp("dee");
    const bound = await logIn("cal", cal.deviceId);
    expect((await sessionRow(bound))?.deviceId).toBe(cal.deviceId);
    await expect(logIn("cal", dee.deviceId)).rejects.toMatchObject({ code: "DEVICE_UNKNOWN" });
    const revokedAtMs = Date.now();
    const sig = toBase64Url(signDeviceRevocation(dee.identity, dee.deviceId, revokedAtMs));
    expect((await call("devices/[deviceId]/revoke", "POST", dee.token, { params: { deviceId: dee.deviceId }, body: { revokedAtMs, signature: sig } })).status).toBe(200);
    await expect(logIn("dee", dee.deviceId)).rejects.toMatchObject({ code: "DEVICE_REVOKED" });
  });

  it("gives a revoked device 401 UNAUTHENTICATED on every route that needs a session, the key backup included", async () => {
    const eve = await signUp("eve");
    expect((await call("keys/backup", "PUT", eve.token, { body: { ciphertext: toBase64Url(new Uint8Array(64)), version: 1 } })).status).toBe(200);
    // A second device: log in without keys, restore (register), bound to it.
    const phoneToken = await logIn("eve");
    const phone = registration(eve.identity, "phone");
    const { registerDevice } = await import("@/server/devices");
    await registerDevice(eve.userId, phone, (await sessionRow(phoneToken))?.sessionId);
    expect((await call("keys/backup", "GET", phoneToken)).status).toBe(200);
    expect(await env.db().prisma.session.count({ where: { deviceId: phone.deviceId } })).toBe(1);

    // Revoked from the first device: its sessions end in the same transaction.
    const revokedAtMs = Date.now();
    const signature = toBase64Url(signDeviceRevocation(eve.identity, phone.deviceId, revokedAtMs));
    const revoked = await call("devices/[deviceId]/revoke", "POST", eve.token, {
      params: { deviceId: phone.deviceId },
      body: { revokedAtMs, signature },
    });
    expect(revoked.status).toBe(200);
    expect(await env.db().prisma.session.count({ where: { deviceId: phone.deviceId } })).toBe(0);

    const backup = await call("keys/backup", "GET", phoneToken);
    expect(backup).toMatchObject({ status: 401, body: { error: { code: "UNAUTHENTICATED" } } });
    const routes = allRoutes().filter((r) => !PUBLIC.has(r.route));
    expect(routes.length).toBeGreaterThan(20);
    let checked = 0;
    for (const { route, method } of routes) {
      if (!(await handler(route, method))) continue;
      const res = await call(route, method, phoneToken, { params: { roomId: "00000000-0000-4000-8000-000000000000", deviceId: eve.deviceId, userId: eve.userId, username: "eve", sessionId: "00000000-0000-4000-8000-000000000000" } });
      expect([route, method, res.status, (res.body.error as { code?: string } | undefined)?.code]).toEqual([route, method, 401, "UNAUTHENTICATED"]);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
    // The revoking device still works; eve's own good device was not touched by the revoked one.
    expect((await call("keys/backup", "GET", eve.token)).status).toBe(200);
    expect((await env.db().prisma.device.findUniqueOrThrow({ where: { id: eve.deviceId } })).revokedAt).toBeNull();
  });
});

describe("the sessions list and ending sessions", () => {
  it("lists own sessions, ends one (404 for anyone else's), and logs out everywhere with or without this one", async () => {
    const fay = await signUp("fay");
    const gus = await signUp("gus");
    const second = await logIn("fay");
    const third = await logIn("fay");

    const listed = await call("sessions", "GET", fay.token);
    expect(listed.status).toBe(200);
    const sessions = listed.body.sessions as { id: string; current: boolean; deviceName: string | null; deviceId: string | null }[];
    expect(sessions).toHaveLength(3);
    expect(sessions.filter((s) => s.current)).toEqual([expect.objectContaining({ deviceId: fay.deviceId, deviceName: "laptop" })]);
    const secondId = (await sessionRow(second))?.sessionId ?? "";

    // Another user's session, an unknown one and a malformed id: the same 404, nothing ends.
    for (const id of [secondId, "00000000-0000-4000-8000-000000000000", "not-a-uuid"]) {
      expect(await call("sessions/[sessionId]", "DELETE", gus.token, { params: { sessionId: id } })).toMatchObject({
        status: 404,
        body: { error: { code: "NOT_FOUND" } },
      });
    }
    expect(await sessionRow(second)).not.toBeNull();
    expect((await call("sessions/[sessionId]", "DELETE", fay.token, { params: { sessionId: secondId } })).status).toBe(200);
    expect((await call("auth/me", "GET", second)).status).toBe(401);

    const bad = await call("sessions/logout-everywhere", "POST", fay.token, { body: { keepCurrent: "yes" } });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: "VALIDATION_FAILED" } } });
    const kept = await call("sessions/logout-everywhere", "POST", fay.token, { body: { keepCurrent: true } });
    expect(kept).toMatchObject({ status: 200, body: { ended: 1 } });
    expect((await call("auth/me", "GET", third)).status).toBe(401);
    expect((await call("auth/me", "GET", fay.token)).status).toBe(200);
    expect((await call("auth/me", "GET", gus.token)).status).toBe(200);

    const all = await call("sessions/logout-everywhere", "POST", fay.token, { body: { keepCurrent: false } });
    expect(all).toMatchObject({ status: 200, body: { ended: 1 } });
    expect(all.setCookie).toMatch(/cairn_session=;/);
    expect((await call("auth/me", "GET", fay.token)).status).toBe(401);
    expect((await call("auth/me", "GET", gus.token)).status).toBe(200);
  });
});

describe("expiry from the env (CAIRN_SESSION_IDLE=2h, CAIRN_SESSION_MAX_AGE=1d)", () => {
  it("ends a session idle for 2 h, and any session a day after it began", async () => {
    const { newSession, sessionOf } = await import("@/server/session");
    const { db } = await import("@/server/db");
    const hal = await signUp("hal");
    const t0 = Date.now();
    const idle = await newSession(db(), hal.userId, hal.deviceId, new Date(t0));
    expect(idle.expiresAt.getTime()).toBe(t0 + 24 * HOUR);
    expect(await sessionOf(idle.token, new Date(t0 + 2 * HOUR - 1))).not.toBeNull(); // used: idle from here
    expect(await sessionOf(idle.token, new Date(t0 + 4 * HOUR - 2))).not.toBeNull();
    expect(await sessionOf(idle.token, new Date(t0 + 6 * HOUR - 2))).toBeNull();

    const busy = await newSession(db(), hal.userId, hal.deviceId, new Date(t0));
    for (let h = 1; h < 24; h++) expect(await sessionOf(busy.token, new Date(t0 + h * HOUR))).not.toBeNull();
    expect(await sessionOf(busy.token, new Date(t0 + 24 * HOUR))).toBeNull();

    // A log-in's cookie ends with its session (a day after it began; cookies count whole seconds).
    const res = await call("auth/login", "POST", undefined, { body: { username: "hal", authSecret: secret } });
    const row = await env.db().prisma.session.findFirstOrThrow({ where: { userId: hal.userId }, orderBy: { createdAt: "desc" } });
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(24 * HOUR);
    const expires = Date.parse(/Expires=([^;]+)/i.exec(res.setCookie ?? "")?.[1] ?? "");
    expect(expires).toBe(Math.floor(row.expiresAt.getTime() / 1000) * 1000);
  });
});
