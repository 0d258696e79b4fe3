/**
 * Who may do what, cell by cell: every REST route of the web app, the relay's ledger
 * view and the relay's socket events, for an anonymous caller, a room member, a
 * logged-in user outside the room, an admin, a compliance officer and a revoked
 * device. Each cell is the status (or error code) a caller gets; the matrix is the
 * one documented in docs/authz.md. Accounts are made in the browser (keys are made
 * there); the calls are then made with each account's session cookie.
 */
import { expect, test, type APIRequestContext, type Browser } from "@playwright/test";
import pg from "pg";
import { io, type Socket } from "socket.io-client";
import { newPage, signUp, uniqueName } from "./helpers";

type Actor = "anonymous" | "member" | "outsider" | "admin" | "compliance";
const ACTORS: Actor[] = ["anonymous", "member", "outsider", "admin", "compliance"];

interface Account {
  request: APIRequestContext;
  username: string;
  userId: string;
  deviceId: string;
  cookie: string;
}

async function account(browser: Browser, prefix: string): Promise<Account> {
  const page = await newPage(browser);
  const username = uniqueName(prefix);
  await signUp(page, username);
  const request = page.context().request;
  const me = (await (await request.get("/api/auth/me")).json()) as { user: { id: string } };
  const { devices } = (await (await request.get("/api/devices")).json()) as { devices: { deviceId: string }[] };
  const cookie = (await page.context().cookies()).find((c) => c.name === "cairn_session");
  return { request, username, userId: me.user.id, deviceId: devices[0]?.deviceId ?? "", cookie: `cairn_session=${cookie?.value ?? ""}` };
}

test("every route, ledger view and socket event answers each kind of caller as the authz matrix says", async ({ browser, playwright, baseURL }) => {
  test.setTimeout(240_000);
  const origin = baseURL ?? "";
  const anonymous = await playwright.request.newContext({ baseURL: origin });
  const [member, outsider, admin, compliance, revoked] = [
    await account(browser, "mem"),
    await account(browser, "out"),
    await account(browser, "adm"),
    await account(browser, "cmp"),
    await account(browser, "rev"),
  ];
  const db = new pg.Client({ connectionString: process.env.CAIRN_E2E_DATABASE_URL });
  await db.connect();
  await db.query(`UPDATE "User" SET role = 'admin' WHERE id = $1`, [admin.userId]);
  await db.query(`UPDATE "User" SET role = 'compliance' WHERE id = $1`, [compliance.userId]);

  const write = { headers: { origin } };
  const created = await admin.request.post("/api/rooms", { ...write, data: { name: "authz", members: [member.username, revoked.username] } });
  expect(created.status()).toBe(201);
  const roomId = ((await created.json()) as { room: { id: string } }).room.id;
  await db.query(`UPDATE "Device" SET "revokedAt" = now() WHERE id = $1`, [revoked.deviceId]);

  const as: Record<Actor, APIRequestContext> = {
    anonymous,
    member: member.request,
    outsider: outsider.request,
    admin: admin.request,
    compliance: compliance.request,
  };
  const { relayUrl } = (await (await member.request.get("/api/config")).json()) as { relayUrl: string };

  /** Each row: a request and the status each actor must get. */
  const rows: { name: string; call: (r: APIRequestContext) => ReturnType<APIRequestContext["get"]>; expect: Record<Actor, number> }[] = [
    { name: "GET /api/config", call: (r) => r.get("/api/config"), expect: { anonymous: 200, member: 200, outsider: 200, admin: 200, compliance: 200 } },
    { name: "GET /api/auth/me", call: (r) => r.get("/api/auth/me"), expect: { anonymous: 401, member: 200, outsider: 200, admin: 200, compliance: 200 } },
    { name: "GET /api/rooms", call: (r) => r.get("/api/rooms"), expect: { anonymous: 401, member: 200, outsider: 200, admin: 200, compliance: 200 } },
    { name: "GET /api/rooms/:id", call: (r) => r.get(`/api/rooms/${roomId}`), expect: { anonymous: 401, member: 200, outsider: 404, admin: 200, compliance: 404 } },
    {
      name: "GET /api/rooms/:id/messages",
      call: (r) => r.get(`/api/rooms/${roomId}/messages`),
      expect: { anonymous: 401, member: 200, outsider: 404, admin: 200, compliance: 404 },
    },
    { name: "GET /api/rooms/:id/keys", call: (r) => r.get(`/api/rooms/${roomId}/keys`), expect: { anonymous: 401, member: 200, outsider: 404, admin: 200, compliance: 404 } },
    {
      name: "POST /api/rooms/:id/members (an existing member again)",
      call: (r) => r.post(`/api/rooms/${roomId}/members`, { ...write, data: { username: member.username } }),
      expect: { anonymous: 401, member: 200, outsider: 404, admin: 200, compliance: 404 },
    },
    {
      name: "GET /api/users/:username/keys",
      call: (r) => r.get(`/api/users/${member.username}/keys`),
      expect: { anonymous: 401, member: 200, outsider: 200, admin: 200, compliance: 200 },
    },
    { name: "GET /api/keys/backup (own)", call: (r) => r.get("/api/keys/backup"), expect: { anonymous: 401, member: 200, outsider: 200, admin: 200, compliance: 200 } },
    { name: "GET /api/devices (own)", call: (r) => r.get("/api/devices"), expect: { anonymous: 401, member: 200, outsider: 200, admin: 200, compliance: 200 } },
    {
      name: "PATCH /api/devices/:id (the member's device)",
      call: (r) => r.patch(`/api/devices/${member.deviceId}`, { ...write, data: { name: "laptop" } }),
      expect: { anonymous: 401, member: 200, outsider: 403, admin: 403, compliance: 403 },
    },
    {
      name: "GET /api/compliance/access",
      call: (r) => r.get("/api/compliance/access"),
      expect: { anonymous: 401, member: 200, outsider: 200, admin: 200, compliance: 200 },
    },
    { name: "GET /api/admin/dashboard", call: (r) => r.get("/api/admin/dashboard"), expect: { anonymous: 401, member: 403, outsider: 403, admin: 200, compliance: 403 } },
    { name: "GET /api/admin/users", call: (r) => r.get("/api/admin/users"), expect: { anonymous: 401, member: 403, outsider: 403, admin: 200, compliance: 403 } },
    { name: "GET /api/admin/rooms", call: (r) => r.get("/api/admin/rooms"), expect: { anonymous: 401, member: 403, outsider: 403, admin: 200, compliance: 403 } },
    {
      name: "PUT /api/admin/users/:id/role (compliance again)",
      call: (r) => r.put(`/api/admin/users/${compliance.userId}/role`, { ...write, data: { role: "compliance" } }),
      expect: { anonymous: 401, member: 403, outsider: 403, admin: 200, compliance: 403 },
    },
    {
      name: "GET /api/admin/export (a malformed query: refused before it is read, except for admins)",
      call: (r) => r.get("/api/admin/export?roomId=not-a-room"),
      expect: { anonymous: 401, member: 403, outsider: 403, admin: 400, compliance: 403 },
    },
    {
      name: "relay GET /ledger/users/:member/keys",
      call: (r) => r.get(`${relayUrl}/ledger/users/${member.userId}/keys`),
      expect: { anonymous: 401, member: 200, outsider: 403, admin: 200, compliance: 200 },
    },
    {
      name: "relay GET /ledger/checkpoints/:n (one the chain does not hold: readable, so 404)",
      call: (r) => r.get(`${relayUrl}/ledger/checkpoints/999999999`),
      expect: { anonymous: 401, member: 404, outsider: 404, admin: 404, compliance: 404 },
    },
  ];

  // The member's keys reach the chain through the outbox: wait until the view has them.
  await expect.poll(async () => (await member.request.get(`${relayUrl}/ledger/users/${member.userId}/keys`)).status(), { timeout: 60_000 }).toBe(200);

  const seen: Record<string, Record<Actor, number>> = {};
  for (const row of rows) {
    const cells = {} as Record<Actor, number>;
    for (const actor of ACTORS) cells[actor] = (await row.call(as[actor])).status();
    seen[row.name] = cells;
  }
  expect(seen).toEqual(Object.fromEntries(rows.map((r) => [r.name, r.expect])));

  // Socket events: the relay's handshake and its per-event membership check.
  const connect = (who: Account | null, deviceId = who?.deviceId) =>
    io(relayUrl, {
      transports: ["websocket"],
      reconnection: false,
      extraHeaders: { origin, ...(who ? { cookie: who.cookie } : {}) },
      auth: { deviceId },
    });
  const handshake = (s: Socket) =>
    new Promise<string>((resolve) => {
      s.once("connect", () => resolve("connected"));
      s.once("connect_error", (err: Error & { data?: { code?: string } }) => resolve(err.data?.code ?? err.message));
    });
  const sockets: Socket[] = [];
  const open = (who: Account | null, deviceId?: string) => {
    const s = connect(who, deviceId);
    sockets.push(s);
    return s;
  };
  try {
    expect(await handshake(open(null, member.deviceId))).toBe("UNAUTHENTICATED");
    expect(await handshake(open(revoked))).toBe("DEVICE_REVOKED");
    expect(await handshake(open(outsider, member.deviceId))).toBe("DEVICE_UNKNOWN");
    const stranger = open(outsider);
    expect(await handshake(stranger)).toBe("connected");
    const subscribed = (await stranger.timeout(10_000).emitWithAck("room:subscribe", { roomId })) as { ok: boolean; error?: { code: string } };
    expect(subscribed).toMatchObject({ ok: false, error: { code: "NOT_A_MEMBER" } });
    const inRoom = open(member);
    expect(await handshake(inRoom)).toBe("connected");
    const joined = (await inRoom.timeout(10_000).emitWithAck("room:subscribe", { roomId })) as { ok: boolean };
    expect(joined.ok).toBe(true);
  } finally {
    for (const s of sockets) s.close();
    await db.end();
    await anonymous.dispose();
  }
});
