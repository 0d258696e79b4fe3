/**
 * The auth routes as the browser calls them, against a real migrated PostgreSQL (the
 * rate limits live there) and the real Argon2id worker pool: per-IP and per-username
 * log-in limits with Retry-After, the sign-up limit, and answers that do not tell
 * whether a username exists.
 */
import { certifyDevice, generateDevice, generateIdentity } from "@cairn/crypto";
import { routeTestEnv } from "../route-test-env";
import { AuthParamsResponse, toBase64Url, type SignupBody } from "@cairn/protocol";
import { beforeAll, describe, expect, it } from "vitest";

type Handler = (req: Request) => Promise<Response>;
let loginRoute: Handler;
let signupRoute: Handler;
let paramsRoute: Handler;
let checkRoute: Handler;


const env = routeTestEnv({
    CAIRN_RATE_LOGIN_USERNAME: "3/2",
    CAIRN_RATE_LOGIN_IP: "6/60",
    CAIRN_RATE_SIGNUP_IP: "2/600",
    CAIRN_RATE_SIGNUP_CHECK_IP: "3/600",
    CAIRN_RATE_PARAMS_IP: "100/60",
    CAIRN_TRUSTED_PROXIES: "0",
});

beforeAll(async () => {
  loginRoute = (await import("./login/route")).POST;
  signupRoute = (await import("./signup/route")).POST;
  paramsRoute = (await import("./params/route")).GET;
  checkRoute = (await import("./signup/check/route")).GET;
});


const secret = (byte: number) => toBase64Url(new Uint8Array(32).fill(byte));

function signupBody(username: string): SignupBody {
  const identity = generateIdentity();
  const device = generateDevice();
  return {
    username,
    salt: toBase64Url(new Uint8Array(16).fill(9)),
    authSecret: secret(7),
    identityPublicKey: toBase64Url(identity.publicKey),
    device: {
      deviceId: device.deviceId,
      name: "test browser",
      signingPublicKey: toBase64Url(device.signing.publicKey),
      agreementPublicKey: toBase64Url(device.agreement.publicKey),
      signature: toBase64Url(certifyDevice(identity, device)),
    },
  };
}

function post(path: string, body: unknown, ip: string): Request {
  return new Request(`http://localhost${path}`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", "x-forwarded-for": ip },
  });
}
const get = (path: string, ip: string) => new Request(`http://localhost${path}`, { headers: { "x-forwarded-for": ip } });
const login = (username: string, byte: number, ip: string) =>
  loginRoute(post("/api/auth/login", { username, authSecret: secret(byte) }, ip));

async function expectRateLimited(res: Response): Promise<number> {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  const body = (await res.json()) as { error: { code: string; message: string; retryAfterMs: number } };
  expect(body.error.code).toBe("RATE_LIMITED");
  expect(body.error.message).toMatch(/Try again in \d+ s/);
  expect(body.error.retryAfterMs).toBeGreaterThan(0);
  expect(retryAfter).toBe(Math.max(1, Math.ceil(body.error.retryAfterMs / 1000)));
  return body.error.retryAfterMs;
}

describe("log-in limits", () => {
  it("limits failed log-ins per username across IPs: then even the right passphrase gets 429 until the window passes", async () => {
    expect((await signupRoute(post("/api/auth/signup", signupBody("dora"), "10.9.0.1"))).status).toBe(201);
    expect((await login("dora", 8, "10.0.0.1")).status).toBe(401);
    expect((await login("dora", 8, "10.0.0.2")).status).toBe(401);
    expect((await login("dora", 8, "10.0.0.1")).status).toBe(401);
    const waitMs = await expectRateLimited(await login("dora", 7, "10.0.0.3"));
    expect(await env.db().prisma.session.count()).toBe(1); // the sign-up's only
    // Counted in PostgreSQL, where every web process sees it.
    const rows = await env.db().prisma.$queryRawUnsafe<{ points: number }[]>(
      `SELECT points FROM "RateLimit" WHERE key = $1`,
      "web:loginUsername:dora",
    );
    expect(rows).toEqual([{ points: 4 }]);
    await new Promise((r) => setTimeout(r, waitMs + 100));
    const ok = await login("dora", 7, "10.0.0.3");
    expect(ok.status).toBe(200);
    expect(ok.headers.get("set-cookie")).toMatch(/cairn_session=/);
  });

  it("does not count successful log-ins against the username", async () => {
    for (let i = 0; i < 5; i++) expect((await login("dora", 7, `10.1.0.${i}`)).status).toBe(200);
  });

  it("limits log-in attempts per IP, whatever the usernames", async () => {
    for (let i = 0; i < 6; i++) expect((await login(`ghost${i}`, 1, "10.2.0.1")).status).toBe(401);
    await expectRateLimited(await login("ghost9", 1, "10.2.0.1"));
    expect((await login("ghost9", 1, "10.2.0.2")).status).toBe(401);
  });
});

describe("sign-up limits", () => {
  it("limits sign-ups per IP, and a refused one stores nothing", async () => {
    expect((await signupRoute(post("/api/auth/signup", signupBody("erin"), "10.3.0.1"))).status).toBe(201);
    expect((await signupRoute(post("/api/auth/signup", signupBody("finn"), "10.3.0.1"))).status).toBe(201);
    await expectRateLimited(await signupRoute(post("/api/auth/signup", signupBody("gus"), "10.3.0.1")));
    expect(await env.db().prisma.user.count({ where: { username: "gus" } })).toBe(0);
    expect((await signupRoute(post("/api/auth/signup", signupBody("gus"), "10.3.0.2"))).status).toBe(201);
  });

  it("tells the sign-up form whether a name is free, limited per IP", async () => {
    expect(await (await checkRoute(get("/api/auth/signup/check?username=nobody", "10.4.0.1"))).json()).toEqual({ ok: true });
    const taken = await checkRoute(get("/api/auth/signup/check?username=dora", "10.4.0.1"));
    expect(taken.status).toBe(409);
    expect(((await taken.json()) as { error: { code: string } }).error.code).toBe("USERNAME_TAKEN");
    expect((await checkRoute(get("/api/auth/signup/check?username=nobody", "10.4.0.1"))).status).toBe(200);
    await expectRateLimited(await checkRoute(get("/api/auth/signup/check?username=nobody", "10.4.0.1")));
  });
});

describe("no username enumeration", () => {
  const params = (username: string) => paramsRoute(get(`/api/auth/params?username=${username}`, "10.5.0.1"));

  it("answers an unknown username with a stable salt shaped like a real one", async () => {
    const real = await params("dora");
    const unknown = await params("nobody");
    expect([real.status, unknown.status]).toEqual([200, 200]);
    const realBody = (await real.json()) as Record<string, unknown>;
    const fakeBody = (await unknown.json()) as Record<string, unknown>;
    expect(realBody).toEqual({ salt: toBase64Url(new Uint8Array(16).fill(9)) });
    expect(Object.keys(fakeBody)).toEqual(Object.keys(realBody));
    expect(AuthParamsResponse.safeParse(fakeBody).success).toBe(true);
    expect(real.headers.get("cache-control")).toBe(unknown.headers.get("cache-control"));
    // The same on every ask (and for any spelling the schema folds together), different per name.
    expect(await (await params("nobody")).json()).toEqual(fakeBody);
    expect(await (await params("NoBody")).json()).toEqual(fakeBody);
    expect(await (await params("nobody2")).json()).not.toEqual(fakeBody);
  });

  it("fails a log-in for an unknown username exactly as one with a wrong passphrase", async () => {
    const unknown = await login("nobody", 7, "10.6.0.1");
    const wrong = await login("erin", 8, "10.6.0.2");
    expect([unknown.status, wrong.status]).toEqual([401, 401]);
    const a: unknown = await unknown.json();
    expect(a).toEqual({ error: { code: "INVALID_CREDENTIALS", message: "Wrong username or passphrase." } });
    expect(await wrong.json()).toEqual(a);
  });

  it("checks the auth secret's exact size and encoding on the server", async () => {
    for (const authSecret of [toBase64Url(new Uint8Array(31)), `${secret(7)}=`, "not base64!"]) {
      const res = await loginRoute(post("/api/auth/login", { username: "erin", authSecret }, "10.7.0.1"));
      expect(res.status).toBe(400);
    }
  });
});
