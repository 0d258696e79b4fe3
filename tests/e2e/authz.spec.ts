/**
 * Who may do what, cell by cell: every REST route of the web app, the relay's ledger
 * view and the relay's socket events, for an anonymous caller, a room member, a
 * logged-in user outside the room, an admin, a compliance officer and a revoked
 * device. Each cell is the status (or error code) a caller gets; the matrix is the
 * one documented in docs/authz.md. Accounts are made in the browser (keys are made
 * there); the calls are then made with each account's session cookie.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import pg from "pg";
import { io, type Socket } from "socket.io-client";
import { createRoom, newPage, signUp, uniqueName } from "./helpers";

/** Random bytes in base64url: well-formed keys, signatures and ids that nobody signed. */
const b64 = (n: number) => randomBytes(n).toString("base64url");

type Actor = "anonymous" | "member" | "outsider" | "admin" | "compliance";
const ACTORS: Actor[] = ["anonymous", "member", "outsider", "admin", "compliance"];

interface Account {
  page: Page;
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
  return { page, request, username, userId: me.user.id, deviceId: devices[0]?.deviceId ?? "", cookie: `cairn_session=${cookie?.value ?? ""}` };
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
  // The first account of a fresh install is admin from sign-up; this matrix needs a plain member.
  await db.query(`UPDATE "User" SET role = 'member' WHERE id = $1`, [member.userId]);
  await db.query(`UPDATE "User" SET role = 'compliance' WHERE id = $1`, [compliance.userId]);

  const write = { headers: { origin } };
  // Rooms are made in the browser: its create event is signed by the admin's identity key.
  const roomId = await createRoom(admin.page, "authz", `${member.username} ${revoked.username}`);
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
      call: (r) => r.post(`/api/rooms/${roomId}/members`, { ...write, data: { username: member.username, event: { body: b64(120), signature: b64(64) } } }),
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
    { name: "GET /api/auth/params", call: (r) => r.get(`/api/auth/params?username=${member.username}`), expect: { anonymous: 200, member: 200, outsider: 200, admin: 200, compliance: 200 } },
    {
      name: "GET /api/auth/signup/check (a free name)",
      call: (r) => r.get(`/api/auth/signup/check?username=${uniqueName("free")}`),
      expect: { anonymous: 200, member: 200, outsider: 200, admin: 200, compliance: 200 },
    },
    {
      name: "POST /api/auth/login (wrong secret: the same answer for everyone)",
      call: (r) => r.post("/api/auth/login", { ...write, data: { username: member.username, authSecret: b64(32) } }),
      expect: { anonymous: 401, member: 401, outsider: 401, admin: 401, compliance: 401 },
    },
    {
      name: "POST /api/auth/signup (a malformed body)",
      call: (r) => r.post("/api/auth/signup", { ...write, data: { username: uniqueName("x") } }),
      expect: { anonymous: 400, member: 400, outsider: 400, admin: 400, compliance: 400 },
    },
    {
      name: "POST /api/rooms (a room of one's own, with a create event nobody signed)",
      call: (r) => r.post("/api/rooms", { ...write, data: { id: randomUUID(), name: "mine", members: [], event: { body: b64(120), signature: b64(64) } } }),
      expect: { anonymous: 401, member: 400, outsider: 400, admin: 400, compliance: 400 },
    },
    {
      name: "POST /api/devices (a certificate the identity key did not sign)",
      call: (r) =>
        r.post("/api/devices", { ...write, data: { deviceId: b64(16), name: "x", signingPublicKey: b64(32), agreementPublicKey: b64(32), signature: b64(64) } }),
      expect: { anonymous: 401, member: 400, outsider: 400, admin: 400, compliance: 400 },
    },
    {
      name: "POST /api/devices/:id/revoke (the member's device, a signature nobody made)",
      call: (r) => r.post(`/api/devices/${member.deviceId}/revoke`, { ...write, data: { revokedAtMs: Date.now(), signature: b64(64) } }),
      expect: { anonymous: 401, member: 400, outsider: 403, admin: 403, compliance: 403 },
    },
    {
      name: "PUT /api/keys/backup (a version that is not the next one)",
      call: (r) => r.put("/api/keys/backup", { ...write, data: { ciphertext: b64(64), version: 1_000_000 } }),
      expect: { anonymous: 401, member: 409, outsider: 409, admin: 409, compliance: 409 },
    },
    { name: "GET /api/sessions (own)", call: (r) => r.get("/api/sessions"), expect: { anonymous: 401, member: 200, outsider: 200, admin: 200, compliance: 200 } },
    {
      name: "DELETE /api/sessions/:id (a session that is not the caller's)",
      call: (r) => r.delete(`/api/sessions/${randomUUID()}`, write),
      expect: { anonymous: 401, member: 404, outsider: 404, admin: 404, compliance: 404 },
    },
    {
      name: "POST /api/auth/passphrase (a wrong current secret)",
      call: (r) => r.post("/api/auth/passphrase", { ...write, data: { currentAuthSecret: b64(32), newSalt: b64(16), newAuthSecret: b64(32), endOtherSessions: false } }),
      expect: { anonymous: 401, member: 401, outsider: 401, admin: 401, compliance: 401 },
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
    {
      name: "relay GET /ledger/rooms/:ref/heads/:n (no such head: readable by admins and compliance, so 404)",
      call: (r) => r.get(`${relayUrl}/ledger/rooms/${"e".repeat(64)}/heads/1`),
      expect: { anonymous: 401, member: 403, outsider: 403, admin: 404, compliance: 404 },
    },
    {
      name: "relay GET /ledger/room-refs/:room",
      call: (r) => r.get(`${relayUrl}/ledger/room-refs/${roomId}`),
      expect: { anonymous: 401, member: 403, outsider: 403, admin: 200, compliance: 403 },
    },
    {
      name: "GET /api/audit/proofs (a checkpoint not indexed: readable, so 404)",
      call: (r) => r.get("/api/audit/proofs?treeSize=999999999&leaves=0"),
      expect: { anonymous: 401, member: 404, outsider: 404, admin: 404, compliance: 404 },
    },
    {
      name: "GET /api/audit/cosignatures (hashes and signatures only: any logged-in user)",
      call: (r) => r.get("/api/audit/cosignatures?treeSize=1"),
      expect: { anonymous: 401, member: 200, outsider: 200, admin: 200, compliance: 200 },
    },
    {
      name: "GET /api/audit/consistency (checkpoints not indexed: readable, so 404)",
      call: (r) => r.get("/api/audit/consistency?from=999999998&to=999999999"),
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

    /** Each socket event for room R, by each logged-in actor: `ok` or the error code. */
    const events = async (who: Account) => {
      const s = open(who);
      expect(await handshake(s)).toBe("connected");
      const code = (ack: { ok: boolean; error?: { code: string } }) => (ack.ok ? "ok" : (ack.error?.code ?? "?"));
      const emit = async (event: string, payload: unknown) =>
        code((await s.timeout(10_000).emitWithAck(event, payload)) as { ok: boolean; error?: { code: string } });
      const envelope = {
        version: 1,
        roomId,
        senderDeviceId: who.deviceId,
        sessionId: b64(16),
        index: 0,
        prevHash: b64(32),
        nonce: b64(24),
        ciphertext: b64(48),
        signature: b64(64),
      };
      const share = { roomId, sessionId: b64(16), senderDeviceId: who.deviceId, recipientDeviceId: member.deviceId, sealed: b64(120), signature: b64(64) };
      return {
        "room:subscribe": await emit("room:subscribe", { roomId }),
        "message:send (an envelope nobody signed)": await emit("message:send", { clientMsgId: `authz-${b64(6)}`, envelope }),
        "shares:send": await emit("shares:send", { shares: [share] }),
        "shares:ack (ids of no share of this device)": await emit("shares:ack", { ids: ["999999999"] }),
      };
    };
    const sockets: Record<string, Record<string, string>> = {
      member: await events(member),
      outsider: await events(outsider),
      admin: await events(admin),
      compliance: await events(compliance),
    };
    const asMember = { "room:subscribe": "ok", "message:send (an envelope nobody signed)": "BAD_SIGNATURE", "shares:send": "ok", "shares:ack (ids of no share of this device)": "ok" };
    // A send is checked for its signature first and for membership as it is stored: either way refused, nothing stored.
    const asStranger = { "room:subscribe": "NOT_A_MEMBER", "message:send (an envelope nobody signed)": "BAD_SIGNATURE", "shares:send": "NOT_A_MEMBER", "shares:ack (ids of no share of this device)": "ok" };
    expect(sockets).toEqual({ member: asMember, outsider: asStranger, admin: asMember, compliance: asStranger });
    const stored = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "Envelope" WHERE "roomId" = $1`, [roomId]);
    expect(Number(stored.rows[0]?.n)).toBe(0);

    // Changes, each refused for everyone who may not make it (nothing changes), then made.
    const room2 = await createRoom(admin.page, "authz 2", `${member.username} ${revoked.username}`);
    const attempt = async (call: (r: APIRequestContext) => ReturnType<APIRequestContext["get"]>, order: Actor[]) => {
      const cells = {} as Record<Actor, number>;
      for (const actor of order) cells[actor] = (await call(as[actor])).status();
      return cells;
    };
    const changes = {
      "DELETE /api/rooms/R2/members/:id": await attempt((r) => r.delete(`/api/rooms/${room2}/members/${revoked.userId}`, write), [
        "anonymous",
        "member",
        "outsider",
        "compliance",
        "admin",
      ]),
      "POST /api/rooms/R2/leave": await attempt((r) => r.post(`/api/rooms/${room2}/leave`, write), ["anonymous", "outsider", "compliance", "member", "admin"]),
      "POST /api/admin/users/:id/deactivate": await attempt((r) => r.post(`/api/admin/users/${revoked.userId}/deactivate`, write), [
        "anonymous",
        "member",
        "outsider",
        "compliance",
        "admin",
      ]),
    };
    expect(changes).toEqual({
      "DELETE /api/rooms/R2/members/:id": { anonymous: 401, member: 403, outsider: 404, compliance: 404, admin: 200 },
      "POST /api/rooms/R2/leave": { anonymous: 401, outsider: 404, compliance: 404, member: 200, admin: 200 },
      "POST /api/admin/users/:id/deactivate": { anonymous: 401, member: 403, outsider: 403, compliance: 403, admin: 200 },
    });

    // Logging out ends the session for every later call (last: it spends the sessions).
    const loggedOut: Record<Actor, number> = {} as Record<Actor, number>;
    for (const actor of ACTORS) {
      await as[actor].post("/api/auth/logout", write);
      loggedOut[actor] = (await as[actor].get("/api/auth/me")).status();
    }
    expect(loggedOut).toEqual({ anonymous: 401, member: 401, outsider: 401, admin: 401, compliance: 401 });
  } finally {
    for (const s of sockets) s.close();
    await db.end();
    await anonymous.dispose();
  }
});
