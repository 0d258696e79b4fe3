/**
 * Event limits on a real relay (Socket.IO on port 0) over a real PostgreSQL: a socket
 * flooding message:send gets RATE_LIMITED acks and nothing past its budget is stored;
 * a user's sockets share the user's budget; shares are counted by share.
 */
import { randomBytes } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { EVENTS, toBase64Url, type Ack, type WireSessionShare } from "@cairn/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { limitEvents } from "../handler";
import { parseEnv } from "../env";
import {
  emitAck,
  emitUnchecked,
  makeRoom,
  makeUser,
  signedEnvelope,
  startRelay,
  type RunningRelay,
  type TestUser,
  socketPool,
} from "../test-fixtures";
import { createEventLimits, eventLimitSpecs } from "./limits";

let db: TestDatabase;
let relay: RunningRelay;
let alice: TestUser;
let bob: TestUser;
let roomId: string;
const sockets = socketPool();
const open = (user: TestUser) => sockets.open(relay.url, user);

beforeAll(async () => {
  db = await createTestDatabase();
  relay = await startRelay(db.prisma);
  const env = parseEnv({
    DATABASE_URL: db.url,
    CAIRN_SERVER_SECRET: "ab".repeat(32),
    CAIRN_RATE_MESSAGE_SOCKET: "5/60",
    CAIRN_RATE_MESSAGE_USER: "8/60",
    CAIRN_RATE_SHARE_COUNT_USER: "3/60",
    CAIRN_RATE_SUBSCRIBE_SOCKET: "2/60",
    CAIRN_RATE_SUBSCRIBE_USER: "off",
  });
  limitEvents(relay.relay.io, createEventLimits(db.prisma, eventLimitSpecs(env)));
  alice = await makeUser(db.prisma, "alice");
  bob = await makeUser(db.prisma, "bob");
  roomId = await makeRoom(db.prisma, [alice, bob]);
});
afterEach(() => {
  sockets.closeAll();
});
afterAll(async () => {
  await relay.close();
  await db.drop();
});

type Refusal = { ok: false; error: { code: string; message: string; retryAfterMs?: number } };
const refusals = (acks: Ack<object>[]) => acks.filter((a): a is Refusal => !a.ok);

describe("event rate limits", () => {
  it("answers a socket flooding message:send with RATE_LIMITED acks and stores only its budget", async () => {
    const a = await open(alice);
    const acks = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        emitAck(a, EVENTS.sendMessage, { clientMsgId: `flood-${String(i).padStart(4, "0")}`, envelope: signedEnvelope(alice, roomId) }),
      ),
    );
    expect(acks.filter((x) => x.ok)).toHaveLength(5);
    const refused = refusals(acks);
    expect(refused).toHaveLength(7);
    for (const r of refused) {
      expect(r.error.code).toBe("RATE_LIMITED");
      expect(r.error.retryAfterMs).toBeGreaterThan(0);
      expect(r.error.message).toMatch(/message:send.*Try again in \d+ s/);
    }
    expect(await db.prisma.envelope.count()).toBe(5);
    expect(await db.prisma.auditLeaf.count()).toBe(5);
  });

  it("shares the user's budget among their sockets (kept in PostgreSQL)", async () => {
    const second = await open(alice);
    const acks: Ack<object>[] = [];
    for (let i = 0; i < 5; i++) {
      acks.push(await emitAck(second, EVENTS.sendMessage, { clientMsgId: `second-${i}000`, envelope: signedEnvelope(alice, roomId) }));
    }
    // 5 of the user's 8 went in the first test; this socket has a fresh budget of its own.
    expect(acks.map((x) => x.ok)).toEqual([true, true, true, false, false]);
    expect(await db.prisma.envelope.count()).toBe(8);
    const rows = await db.prisma.$queryRawUnsafe<{ points: number }[]>(
      `SELECT points FROM "RateLimit" WHERE key = $1`,
      `relay:message:send:user:${alice.id}`,
    );
    expect(rows[0]?.points).toBeGreaterThanOrEqual(9);
  });

  it("counts session shares, not events: a batch past the user's budget is refused whole", async () => {
    const b = await open(bob);
    const share = (): WireSessionShare => ({
      roomId,
      sessionId: toBase64Url(randomBytes(16)),
      senderDeviceId: bob.deviceId,
      recipientDeviceId: alice.deviceId,
      sealed: toBase64Url(randomBytes(100)),
      signature: toBase64Url(randomBytes(64)),
    });
    expect(await emitAck(b, EVENTS.sendShares, { shares: [share(), share()] })).toMatchObject({ ok: true, queued: 2 });
    const over = await emitAck(b, EVENTS.sendShares, { shares: [share(), share()] });
    expect(over).toMatchObject({ ok: false, error: { code: "RATE_LIMITED" } });
    expect(await db.prisma.sessionShare.count()).toBe(2);
  });

  it("limits every event kind, malformed events included, and leaves other kinds alone", async () => {
    const b = await open(bob);
    expect(await emitUnchecked(b, EVENTS.subscribeRoom, { roomId: "nope" })).toMatchObject({ ok: false, error: { code: "VALIDATION_FAILED" } });
    expect(await emitAck(b, EVENTS.subscribeRoom, { roomId })).toMatchObject({ ok: true });
    expect(await emitAck(b, EVENTS.subscribeRoom, { roomId })).toMatchObject({ ok: false, error: { code: "RATE_LIMITED" } });
    const sent = await emitAck(b, EVENTS.sendMessage, { clientMsgId: "bob-00001", envelope: signedEnvelope(bob, roomId) });
    expect(sent).toMatchObject({ ok: true });
  });
});
