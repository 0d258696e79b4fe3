/**
 * The re-read after the server-event listener reconnects: state whose notification
 * was lost (written while the listener was away, so no NOTIFY reached this relay)
 * still reaches the open sockets.
 */
import { recordCheckpoint } from "@cairn/db";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { EVENTS } from "@cairn/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resyncRelay } from "./resync";
import {
  emitAck,
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
const sockets = socketPool();
const open = (user: TestUser) => sockets.open(relay.url, user);

beforeAll(async () => {
  db = await createTestDatabase();
  relay = await startRelay(db.prisma);
});
afterEach(() => {
  sockets.closeAll();
});
afterAll(async () => {
  await relay.close();
  await db.drop();
});

describe("resyncRelay", () => {
  it("drops devices revoked meanwhile, joins rooms created meanwhile, and broadcasts the latest checkpoint", async () => {
    const alice = await makeUser(db.prisma, "alice");
    const bob = await makeUser(db.prisma, "bob");
    const mallory = await makeUser(db.prisma, "mallory");
    const a = await open(alice);
    const b = await open(bob);
    const m = await open(mallory);
    const malloryGone = new Promise<string>((resolve) => m.once("disconnect", resolve));
    let aliceDropped = false;
    a.on("disconnect", () => (aliceDropped = true));

    // Written while the listener was away: no notification reaches the relay.
    await db.prisma.device.update({ where: { id: mallory.deviceId }, data: { revokedAt: new Date() } });
    const roomId = await makeRoom(db.prisma, [alice, bob]);
    await recordCheckpoint(db.prisma, { treeSize: 4, rootHash: "ab".repeat(32), txId: "tx4", time: new Date().toISOString() });

    const checkpoint = nextEvent(b, EVENTS.checkpoint);
    const result = await resyncRelay(relay.relay, db.prisma);
    expect(result).toEqual({ devicesDropped: 1, roomsJoined: 1, roomsLeft: 0, checkpointTreeSize: 4 });
    expect(await malloryGone).toBe("io server disconnect");
    expect(await checkpoint).toMatchObject({ treeSize: 4, txId: "tx4" });

    // Bob's socket, open since before the room existed, now gets its messages.
    const delivered = nextEvent(b, EVENTS.newMessage);
    const ack = await emitAck(a, EVENTS.sendMessage, { clientMsgId: "m-resync-1", envelope: signedEnvelope(alice, roomId) });
    expect(ack.ok).toBe(true);
    expect(await delivered).toMatchObject({ roomId, roomSeq: 1 });
    expect(aliceDropped).toBe(false);
    expect(relay.relay.connectedDevices().map((d) => d.deviceId).sort()).toEqual([alice.deviceId, bob.deviceId].sort());
  });
});
