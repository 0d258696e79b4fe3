/**
 * Leaving and removal on the relay (issue 9), with real Socket.IO clients and the real
 * LISTEN/NOTIFY path: a `membershipRemoved` event published in the transaction that
 * deletes the membership makes the removed user's sockets leave the room's channel, so
 * the room's next message reaches the others and not them; the removed user and the
 * room hear `room:members-removed`; what the removed user sends or subscribes is refused.
 *
 * "Not received" is shown without timing: the relay fans a message out before it acks
 * the sender, and one socket's packets arrive in order, so once the removed user's own
 * ack (sent after the fan-out) has arrived, a message meant for them would have too.
 */
import { publishServerEvent } from "@cairn/db";
import { EVENTS, type StoredMessage } from "@cairn/protocol";
import { describe, expect, it } from "vitest";
import { resyncRelay } from "./resync";
import { drained, emitAck, makeRoom, makeUser, nextEvent, signedEnvelope, useRelayWithServerEvents, type TestClient } from "./test-fixtures";

const t = useRelayWithServerEvents();
const open = t.open;

/** Every room message a socket receives from now on. */
function collect(socket: TestClient): StoredMessage[] {
  const got: StoredMessage[] = [];
  socket.on(EVENTS.newMessage, (m) => got.push(m));
  return got;
}

/** What the web app does: the membership row goes and the event is published, in one transaction. */
async function remove(roomId: string, userId: string, reason: "left" | "removed" | "deactivated"): Promise<void> {
  await t.db.prisma.$transaction(async (tx) => {
    await tx.roomMember.delete({ where: { roomId_userId: { roomId, userId } } });
    await publishServerEvent(tx, { type: "membershipRemoved", roomId, userIds: [userId], reason });
  });
}

describe("removal from a room", () => {
  it("cuts the removed user's sockets off the room at once; the others still get its messages", async () => {
    const alice = await makeUser(t.db.prisma, "alice");
    const bob = await makeUser(t.db.prisma, "bob");
    const carol = await makeUser(t.db.prisma, "carol");
    const roomId = await makeRoom(t.db.prisma, [alice, bob, carol]);
    const a = await open(alice);
    const b = await open(bob);
    const c = await open(carol);
    for (const s of [a, b, c]) await drained(s);

    // Before: carol reads the room like everyone else.
    const carolBefore = nextEvent(c, EVENTS.newMessage);
    expect((await emitAck(a, EVENTS.sendMessage, { clientMsgId: "m-before-1", envelope: signedEnvelope(alice, roomId) })).ok).toBe(true);
    expect(await carolBefore).toMatchObject({ roomId, roomSeq: 1 });

    const carolTold = nextEvent(c, EVENTS.membersRemoved);
    const bobTold = nextEvent(b, EVENTS.membersRemoved);
    await remove(roomId, carol.id, "removed");
    expect(await carolTold).toEqual({ roomId, userIds: [carol.id], reason: "removed" });
    expect(await bobTold).toEqual({ roomId, userIds: [carol.id], reason: "removed" });

    const carolGot = collect(c);
    const bobGot = nextEvent(b, EVENTS.newMessage);
    const ack = await emitAck(a, EVENTS.sendMessage, { clientMsgId: "m-after-01", envelope: signedEnvelope(alice, roomId) });
    expect(ack).toMatchObject({ ok: true, roomSeq: 2 });
    expect(await bobGot).toMatchObject({ roomId, roomSeq: 2 });
    await drained(c);
    expect(carolGot).toEqual([]);
    // Her connection itself is fine: she was cut off the room, not disconnected.
    expect(c.connected).toBe(true);
  });

  it("refuses the removed user's subscribe, send and shares, and shares addressed to her devices", async () => {
    const alice = await makeUser(t.db.prisma, "alice2");
    const carol = await makeUser(t.db.prisma, "carol2");
    const roomId = await makeRoom(t.db.prisma, [alice, carol]);
    const a = await open(alice);
    const c = await open(carol);
    await drained(c); // events wait for the socket's room joins: after this ack, carol is in the room
    const told = nextEvent(c, EVENTS.membersRemoved);
    await remove(roomId, carol.id, "left");
    expect(await told).toMatchObject({ reason: "left" });

    expect(await emitAck(c, EVENTS.subscribeRoom, { roomId })).toMatchObject({ ok: false, error: { code: "NOT_A_MEMBER" } });
    const sent = await emitAck(c, EVENTS.sendMessage, { clientMsgId: "m-carol-01", envelope: signedEnvelope(carol, roomId) });
    expect(sent).toMatchObject({ ok: false, error: { code: "NOT_A_MEMBER" } });
    const share = {
      roomId,
      sessionId: "A".repeat(22),
      senderDeviceId: alice.deviceId,
      recipientDeviceId: carol.deviceId,
      sealed: "A".repeat(100),
      signature: "A".repeat(86),
    };
    const shared = await emitAck(a, EVENTS.sendShares, { shares: [share] });
    expect(shared).toMatchObject({ ok: false, error: { code: "NOT_A_MEMBER" } });
    expect(await t.db.prisma.envelope.count({ where: { roomId } })).toBe(0);
    expect(await t.db.prisma.sessionShare.count({ where: { recipientDeviceId: carol.deviceId } })).toBe(0);
  });

  it("resync: a removal whose notification was lost still takes the sockets off the room", async () => {
    const alice = await makeUser(t.db.prisma, "alice3");
    const carol = await makeUser(t.db.prisma, "carol3");
    const roomId = await makeRoom(t.db.prisma, [alice, carol]);
    const a = await open(alice);
    const c = await open(carol);
    await drained(c); // events wait for the socket's room joins: after this ack, carol is in the room
    // Written while the listener was away: no notification.
    await t.db.prisma.roomMember.delete({ where: { roomId_userId: { roomId, userId: carol.id } } });
    const told = nextEvent(c, EVENTS.membersRemoved);
    const result = await resyncRelay(t.relay.relay, t.db.prisma);
    expect(result.roomsLeft).toBe(1);
    expect(await told).toEqual({ roomId, userIds: [carol.id], reason: "removed" });
    const carolGot = collect(c);
    expect((await emitAck(a, EVENTS.sendMessage, { clientMsgId: "m-resync-9", envelope: signedEnvelope(alice, roomId) })).ok).toBe(true);
    await drained(c);
    expect(carolGot).toEqual([]);
    // A second resync finds nothing left to do.
    expect((await resyncRelay(t.relay.relay, t.db.prisma)).roomsLeft).toBe(0);
  });

  it("publishes only well-formed removal events", async () => {
    const bad = { type: "membershipRemoved", roomId: "not-a-uuid", userIds: [], reason: "kicked" } as never;
    await expect(publishServerEvent(t.db.prisma, bad)).rejects.toThrow();
  });
});
