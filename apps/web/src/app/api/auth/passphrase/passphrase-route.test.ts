/**
 * POST /api/auth/passphrase as the browser calls it, against a real migrated
 * PostgreSQL and the real Argon2id pool: a wrong current secret changes nothing; the
 * new passphrase logs in and the old one does not; other sessions stay valid unless
 * endOtherSessions, which ends them all but the caller's; wrong guesses count against
 * the log-in per-username limit; two changes at once cannot both land.
 */
import { certifyDevice, generateDevice, generateIdentity } from "@cairn/crypto";
import { routeTestEnv } from "../../route-test-env";
import { toBase64Url, type ChangePassphraseBody, type SignupBody } from "@cairn/protocol";
import { beforeAll, describe, expect, it } from "vitest";

type Handler = (req: Request) => Promise<Response>;
let loginRoute: Handler;
let signupRoute: Handler;
let passphraseRoute: Handler;


const env = routeTestEnv({
    CAIRN_RATE_LOGIN_USERNAME: "3/600",
    CAIRN_RATE_LOGIN_IP: "1000/60",
    CAIRN_RATE_SIGNUP_IP: "100/600",
    CAIRN_TRUSTED_PROXIES: "0",
});

beforeAll(async () => {
  loginRoute = (await import("../login/route")).POST;
  signupRoute = (await import("../signup/route")).POST;
  passphraseRoute = (await import("./route")).POST;
});


const bytes = (length: number, byte: number) => toBase64Url(new Uint8Array(length).fill(byte));
const secret = (byte: number) => bytes(32, byte);

function post(path: string, body: unknown, cookie?: string): Request {
  return new Request(`http://localhost${path}`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
  });
}

function cookieOf(res: Response): string {
  const match = /cairn_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "");
  if (!match) throw new Error("no session cookie");
  return `cairn_session=${match[1]}`;
}

async function signUp(username: string): Promise<{ cookie: string; userId: string }> {
  const identity = generateIdentity();
  const device = generateDevice();
  const body: SignupBody = {
    username,
    salt: bytes(16, 1),
    authSecret: secret(7),
    identityPublicKey: toBase64Url(identity.publicKey),
    device: {
      deviceId: device.deviceId,
      name: "first",
      signingPublicKey: toBase64Url(device.signing.publicKey),
      agreementPublicKey: toBase64Url(device.agreement.publicKey),
      signature: toBase64Url(certifyDevice(identity, device)),
    },
  };
  const res = await signupRoute(post("/api/auth/signup", body));
  expect(res.status).toBe(201);
  return {
    cookie: cookieOf(res),
    userId: ((await res.json()) as { user: { id: string } }).user.id,
  };
}

const login = (username: string, byte: number) =>
  loginRoute(post("/api/auth/login", { username, authSecret: secret(byte) }));
const change = (cookie: string | undefined, body: ChangePassphraseBody) =>
  passphraseRoute(post("/api/auth/passphrase", body, cookie));
const body = (current: number, next: number, endOtherSessions = false): ChangePassphraseBody => ({
  currentAuthSecret: secret(current),
  newSalt: bytes(16, next),
  newAuthSecret: secret(next),
  endOtherSessions,
});
const errorCode = async (res: Response) =>
  ((await res.json()) as { error: { code: string } }).error.code;

async function account(userId: string) {
  return env.db().prisma.user.findUniqueOrThrow({
    where: { id: userId },
    select: { salt: true, authHash: true },
  });
}

describe("POST /api/auth/passphrase", () => {
  it("refuses a wrong current passphrase with 401 and changes nothing", async () => {
    const { cookie, userId } = await signUp("wanda");
    const other = cookieOf(await login("wanda", 7));
    const before = await account(userId);
    const res = await change(cookie, body(8, 9, true));
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe("INVALID_CREDENTIALS");
    expect(await account(userId)).toEqual(before);
    expect(await env.db().prisma.session.count({ where: { userId } })).toBe(2);
    expect((await login("wanda", 7)).status).toBe(200);
    // Both sessions still work.
    for (const c of [cookie, other])
      expect(await errorCode(await change(c, body(8, 9)))).toBe("INVALID_CREDENTIALS");
  });

  it("needs a live session and a well-formed body", async () => {
    expect(await errorCode(await change(undefined, body(7, 9)))).toBe("UNAUTHENTICATED");
    expect((await change("cairn_session=not-a-real-session-token", body(7, 9))).status).toBe(401);
    const { cookie } = await signUp("xena");
    for (const bad of [
      { ...body(7, 9), newSalt: bytes(15, 9) },
      { ...body(7, 9), newAuthSecret: "not base64!" },
      { ...body(7, 9), endOtherSessions: "yes" },
      { ...body(7, 9), extra: 1 },
    ]) {
      const res = await passphraseRoute(post("/api/auth/passphrase", bad, cookie));
      expect(res.status).toBe(400);
    }
  });

  it("switches salt and auth secret: the new passphrase logs in, the old one does not; other sessions stay", async () => {
    const { cookie, userId } = await signUp("yara");
    const other = cookieOf(await login("yara", 7));
    const res = await change(cookie, body(7, 9));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, endedSessions: 0 });
    expect(toBase64Url((await account(userId)).salt)).toBe(bytes(16, 9));
    expect((await login("yara", 7)).status).toBe(401);
    expect((await login("yara", 9)).status).toBe(200);
    // The other device's session was not ended: it can prove the new passphrase too.
    expect((await change(other, body(9, 10))).status).toBe(200);
    expect(await env.db().prisma.session.count({ where: { userId } })).toBe(3);
  });

  it("with endOtherSessions ends every other session of the user, not the caller's, nobody else's", async () => {
    const { cookie: first, userId } = await signUp("zelda");
    const second = cookieOf(await login("zelda", 7));
    const third = cookieOf(await login("zelda", 7));
    const bystander = await signUp("ursula");
    const res = await change(second, body(7, 9, true));
    expect(await res.json()).toEqual({ ok: true, endedSessions: 2 });
    expect(await env.db().prisma.session.count({ where: { userId } })).toBe(1);
    for (const gone of [first, third])
      expect(await errorCode(await change(gone, body(9, 10)))).toBe("UNAUTHENTICATED");
    expect(await env.db().prisma.session.count({ where: { userId: bystander.userId } })).toBe(1);
    // The caller's session goes on.
    expect((await change(second, body(9, 10))).status).toBe(200);
  });

  it("counts wrong current passphrases against the log-in per-username limit", async () => {
    const { cookie } = await signUp("vera");
    for (let i = 0; i < 3; i++) expect((await change(cookie, body(8, 9))).status).toBe(401);
    const limited = await change(cookie, body(7, 9));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // The same budget as log-in: the right passphrase is refused there too, and nothing changed.
    expect((await login("vera", 7)).status).toBe(429);
    expect(
      toBase64Url((await env.db().prisma.user.findUniqueOrThrow({ where: { username: "vera" } })).salt),
    ).toBe(bytes(16, 1));
  });

  it("lets only one of two changes at once land", async () => {
    const { cookie, userId } = await signUp("tess");
    const other = cookieOf(await login("tess", 7));
    const answers = await Promise.all([change(cookie, body(7, 9)), change(other, body(7, 10))]);
    // The loser is 409 when it checked the old hash before the winner committed, else 401.
    const [won200, lost] = answers.map((r) => r.status).sort();
    expect(won200).toBe(200);
    expect([401, 409]).toContain(lost);
    const won = answers[0]?.status === 200 ? 9 : 10;
    expect(toBase64Url((await account(userId)).salt)).toBe(bytes(16, won));
    expect((await login("tess", won)).status).toBe(200);
    expect((await login("tess", won === 9 ? 10 : 9)).status).toBe(401);
  });
});
