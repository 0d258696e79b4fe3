import { randomBytes } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { EVENTS } from "@cairn/protocol";
import { toBase64Url } from "@cairn/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  client,
  connected,
  emitAck,
  emitUnchecked,
  makeRoom,
  makeUser,
  nextEvent,
  signedEnvelope,
  startRelay,
  type RunningRelay,
  type TestUser,
  socketPool,
} from "./test-fixtures";

let db: TestDatabase;
let relay: RunningRelay;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let roomId: string;
const sockets = socketPool();
const open = (user: TestUser) => sockets.open(relay.url, user);

beforeAll(async () => {
  db = await createTestDatabase();
  relay = await startRelay(db.prisma);
  alice = await makeUser(db.prisma, "alice");
  bob = await makeUser(db.prisma, "bob");
  carol = await makeUser(db.prisma, "carol");
  roomId = await makeRoom(db.prisma, [alice, bob]);
});
afterEach(() => {
  sockets.closeAll();
});
afterAll(async () => {
  await relay.close();
  await db.drop();
});

describe("handshake", () => {
  it("refuses a connection without a session", async () => {
    const s = client(relay.url, null, { deviceId: alice.deviceId });
    sockets.track(s);
    await expect(connected(s)).rejects.toMatchObject({ data: { code: "UNAUTHENTICATED" } });
  });

  it("refuses another user's device", async () => {
    const s = client(relay.url, { token: alice.token, deviceId: bob.deviceId });
    sockets.track(s);
    await expect(connected(s)).rejects.toMatchObject({ data: { code: "DEVICE_UNKNOWN" } });
  });
});

describe("messages", () => {
  it("stores, acknowledges with room sequence and leaf index, and fans out to the room", async () => {
    const a = await open(alice);
    const b = await open(bob);
    const received = nextEvent(b, EVENTS.newMessage);
    const envelope = signedEnvelope(alice, roomId);
    const ack = await emitAck(a, EVENTS.sendMessage, { clientMsgId: "m-0000001", envelope });
    expect(ack).toMatchObject({ ok: true, roomSeq: 1, leafIndex: 0 });
    const msg = await received;
    expect(msg).toMatchObject({ roomId, roomSeq: 1, leafIndex: 0, senderUsername: "alice", anchoredTreeSize: null });
    expect(msg.envelope).toEqual(envelope);
    expect(await db.prisma.auditLeaf.count()).toBe(1);
  });

  it("answers a resend after a reconnect with the same ack and stores nothing twice", async () => {
    const envelope = signedEnvelope(alice, roomId);
    const first = await emitAck(await open(alice), EVENTS.sendMessage, { clientMsgId: "m-resend1", envelope });
    const again = await emitAck(await open(alice), EVENTS.sendMessage, { clientMsgId: "m-resend1", envelope });
    expect(again).toEqual(first);
    expect(await db.prisma.envelope.count({ where: { clientMsgId: "m-resend1" } })).toBe(1);
  });

  it("refuses bad input with a stable code, keeps the connection, stores nothing", async () => {
    const a = await open(alice);
    const before = await db.prisma.envelope.count();
    const cases: [unknown, string][] = [
      [{ clientMsgId: "m-bad00001" }, "VALIDATION_FAILED"],
      ["not an object", "VALIDATION_FAILED"],
      [{ clientMsgId: "m-bad00002", envelope: { ...signedEnvelope(alice, roomId), index: -1 } }, "VALIDATION_FAILED"],
      [{ clientMsgId: "m-bad00003", envelope: signedEnvelope(alice, roomId, randomBytes(70_000)) }, "PAYLOAD_TOO_LARGE"],
      [{ clientMsgId: "m-bad00004", envelope: signedEnvelope(alice, "00000000-0000-4000-8000-000000000000") }, "ROOM_NOT_FOUND"],
      [{ clientMsgId: "m-bad00005", envelope: { ...signedEnvelope(alice, roomId), signature: toBase64Url(randomBytes(64)) } }, "BAD_SIGNATURE"],
      [{ clientMsgId: "m-bad00006", envelope: signedEnvelope(bob, roomId) }, "FORBIDDEN"],
    ];
    for (const [payload, code] of cases) {
      const ack = await emitUnchecked(a, EVENTS.sendMessage, payload);
      expect(ack, code).toMatchObject({ ok: false, error: { code } });
    }
    expect(a.connected).toBe(true);
    expect(await db.prisma.envelope.count()).toBe(before);
    const ok = await emitAck(a, EVENTS.sendMessage, { clientMsgId: "m-good0001", envelope: signedEnvelope(alice, roomId) });
    expect(ok.ok).toBe(true);
  });

  it("refuses rooms the user is not in, and does not deliver their messages", async () => {
    const c = await open(carol);
    const ack = await emitAck(c, EVENTS.sendMessage, { clientMsgId: "m-carol001", envelope: signedEnvelope(carol, roomId) });
    expect(ack).toMatchObject({ ok: false, error: { code: "NOT_A_MEMBER" } });
    const sub = await emitAck(c, EVENTS.subscribeRoom, { roomId });
    expect(sub).toMatchObject({ ok: false, error: { code: "NOT_A_MEMBER" } });
    let leaked = false;
    c.on(EVENTS.newMessage, () => (leaked = true));
    const a = await open(alice);
    await emitAck(a, EVENTS.sendMessage, { clientMsgId: "m-private1", envelope: signedEnvelope(alice, roomId) });
    await emitAck(c, EVENTS.subscribeRoom, { roomId }); // a round trip after the fan-out
    expect(leaked).toBe(false);
  });

  it("never logs ciphertext", async () => {
    const a = await open(alice);
    const envelope = signedEnvelope(alice, roomId);
    await emitAck(a, EVENTS.sendMessage, { clientMsgId: "m-logcheck", envelope });
    const all = relay.logs.join("\n");
    expect(all).toContain("message stored");
    expect(all).not.toContain(envelope.ciphertext);
  });
});

describe("session shares", () => {
  it("queues shares for an offline device and delivers them when it connects, until acknowledged", async () => {
    const a = await open(alice);
    const share = {
      roomId,
      sessionId: toBase64Url(randomBytes(16)),
      senderDeviceId: alice.deviceId,
      recipientDeviceId: bob.deviceId,
      sealed: toBase64Url(randomBytes(100)),
      signature: toBase64Url(randomBytes(64)),
    };
    const ack = await emitAck(a, EVENTS.sendShares, { shares: [share] });
    expect(ack).toMatchObject({ ok: true, queued: 1 });
    const b1 = client(relay.url, bob);
    sockets.track(b1);
    const delivered = nextEvent(b1, EVENTS.newShares);
    await connected(b1);
    const list = await delivered;
    expect(list.map((d) => d.share)).toEqual([share]);
    b1.disconnect();
    // Not acknowledged: delivered again on the next connection.
    const b2 = client(relay.url, bob);
    sockets.track(b2);
    const again = nextEvent(b2, EVENTS.newShares);
    await connected(b2);
    const list2 = await again;
    expect(list2).toHaveLength(1);
    const acked = await emitAck(b2, EVENTS.ackShares, { ids: list2.map((d) => d.id) });
    expect(acked).toMatchObject({ ok: true, acknowledged: 1 });
    expect(await db.prisma.sessionShare.count({ where: { deliveredAt: null } })).toBe(0);
  });

  it("refuses shares to a device outside the room", async () => {
    const a = await open(alice);
    const ack = await emitAck(a, EVENTS.sendShares, {
      shares: [
        {
          roomId,
          sessionId: toBase64Url(randomBytes(16)),
          senderDeviceId: alice.deviceId,
          recipientDeviceId: carol.deviceId,
          sealed: toBase64Url(randomBytes(100)),
          signature: toBase64Url(randomBytes(64)),
        },
      ],
    });
    expect(ack).toMatchObject({ ok: false, error: { code: "NOT_A_MEMBER" } });
  });
});

describe("revocation", () => {
  it("disconnects a revoked device's open sockets, and refuses it from then on", async () => {
    const dave = await makeUser(db.prisma, "dave");
    const d = await open(dave);
    const gone = new Promise<string>((resolve) => d.once("disconnect", (reason) => resolve(reason)));
    await db.prisma.device.update({ where: { id: dave.deviceId }, data: { revokedAt: new Date() } });
    relay.relay.dropDevice(dave.deviceId);
    expect(await gone).toBe("io server disconnect");
    const again = client(relay.url, dave);
    sockets.track(again);
    await expect(connected(again)).rejects.toMatchObject({ data: { code: "DEVICE_REVOKED" } });
  });
});
