/**
 * A client that stops reading (its TCP socket paused: a frozen tab, a stalled link)
 * while a room is busy: the others still get every message and every send is acked,
 * and the relay disconnects the stalled socket once its backlog passes the bound
 * instead of buffering for it without end.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { createLogger } from "@cairn/log";
import { EVENTS } from "@cairn/protocol";
import { createRelay, type Relay } from "@cairn/relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDevice, connectClient, makeRoom, makeUser, signedEnvelope, until, WEB_ORIGIN, type ChatClient } from "./relay-harness";

let db: TestDatabase;
let relay: Relay;
let url: string;
const logs: string[] = [];
const http = createServer();

beforeAll(async () => {
  db = await createTestDatabase();
  relay = createRelay(http, {
    prisma: db.prisma,
    log: createLogger("info", (line) => logs.push(line)),
    corsOrigins: [WEB_ORIGIN],
    slowConsumers: { maxQueuedPackets: 50, maxBufferedBytes: 512 * 1024, checkEveryMs: 100 },
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await relay.close();
  http.close();
  await db.drop();
});

/** Stops reading from the client's TCP socket: the kernel buffers fill, then the relay's. */
function stopReading(client: ChatClient): void {
  const ws = (client.io.engine.transport as unknown as { ws?: { _socket?: { pause(): void } } }).ws;
  if (!ws?._socket) throw new Error("the client is not on a WebSocket");
  ws._socket.pause();
}

describe("slow consumer", () => {
  it("does not hold back the room, and is disconnected past its backlog bound", async () => {
    const [alice, bob, carol] = await Promise.all(["alice", "bob", "carol"].map((name) => makeUser(db.prisma, name)));
    if (!alice || !bob || !carol) throw new Error("users");
    const devices = await Promise.all([alice, bob, carol].map((u) => addDevice(db.prisma, u)));
    const [aliceDevice, bobDevice, carolDevice] = devices;
    if (!aliceDevice || !bobDevice || !carolDevice) throw new Error("devices");
    const roomId = await makeRoom(db.prisma, [alice.id, bob.id, carol.id]);
    const [a, b, c] = await Promise.all(devices.map((d) => connectClient(url, d)));
    if (!a || !b || !c) throw new Error("clients");
    await Promise.all([a, b, c].map((s) => s.emitWithAck(EVENTS.subscribeRoom, { roomId })));
    const bobGot = new Set<number>();
    b.on(EVENTS.newMessage, (m) => bobGot.add(m.roomSeq));
    stopReading(c);

    const MESSAGES = 300; // × 40 KiB ciphertext: ~16 MB of fan-out to each member
    let acked = 0;
    for (let i = 0; i < MESSAGES; i += 10) {
      const acks = await Promise.all(
        Array.from({ length: 10 }, (_, k) =>
          a.emitWithAck(EVENTS.sendMessage, {
            clientMsgId: `slow-${String(i + k).padStart(6, "0")}`,
            envelope: signedEnvelope(aliceDevice, roomId, randomBytes(40 * 1024)),
          }),
        ),
      );
      acked += acks.filter((ack) => ack.ok).length;
    }
    expect(acked).toBe(MESSAGES);
    await until(() => bobGot.size === MESSAGES, "bob to receive every message");
    await until(
      () => !relay.connectedDevices().some((d) => d.deviceId === carolDevice.deviceId),
      "the relay to drop carol's stalled socket",
    );
    expect(logs.some((l) => l.includes("slow consumer disconnected") && l.includes(carolDevice.deviceId))).toBe(true);
    // Nobody else was dropped.
    expect(relay.connectedDevices().map((d) => d.deviceId).sort()).toEqual([aliceDevice.deviceId, bobDevice.deviceId].sort());
    for (const s of [a, b, c]) s.close();
  });
});
