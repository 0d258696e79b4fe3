import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { EVENTS } from "@cairn/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { originRefusal } from "./origin";
import {
  TEST_ORIGIN,
  client,
  connected,
  emitAck,
  makeRoom,
  makeUser,
  signedEnvelope,
  startRelay,
  type ClientOptions,
  type RunningRelay,
  type TestClient,
  type TestUser,
} from "./test-fixtures";

describe("originRefusal", () => {
  const policy = { origins: ["https://chat.example.org", "http://localhost:3000/"] };
  it("allows exactly the configured origins", () => {
    expect(originRefusal("https://chat.example.org", policy)).toBeNull();
    expect(originRefusal("http://localhost:3000", policy)).toBeNull();
  });
  it("refuses other schemes, ports, hosts, sibling subdomains and opaque origins", () => {
    for (const origin of [
      "http://chat.example.org",
      "https://chat.example.org:8443",
      "https://evil.example.org",
      "https://chat.example.org.evil.com",
      "http://localhost:3001",
      "http://127.0.0.1:3000",
      "null",
      "not a url",
      "https://chat.example.org/path",
    ]) {
      expect(originRefusal(origin, policy), origin).not.toBeNull();
    }
    expect(originRefusal(["https://chat.example.org", "https://evil.example.org"], policy)).not.toBeNull();
  });
  it("refuses a missing Origin unless the setting allows it", () => {
    expect(originRefusal(undefined, policy)).not.toBeNull();
    expect(originRefusal("", policy)).not.toBeNull();
    expect(originRefusal(undefined, { ...policy, allowMissingOrigin: true })).toBeNull();
  });
});

let db: TestDatabase;
let relay: RunningRelay;
let alice: TestUser;
let bob: TestUser;
let roomId: string;
const sockets: TestClient[] = [];

function open(user: TestUser, opts: ClientOptions, url = relay.url): TestClient {
  const s = client(url, user, undefined, opts);
  sockets.push(s);
  return s;
}

beforeAll(async () => {
  db = await createTestDatabase();
  relay = await startRelay(db.prisma);
  alice = await makeUser(db.prisma, "alice");
  bob = await makeUser(db.prisma, "bob");
  roomId = await makeRoom(db.prisma, [alice, bob]);
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});
afterAll(async () => {
  await relay.close();
  await db.drop();
});

describe.each(["websocket", "polling"] as const)("handshake Origin over %s", (transport) => {
  it("refuses a page on a foreign origin, even with the victim's cookie; it never receives events", async () => {
    for (const origin of ["https://evil.example.org", "http://localhost:3001", "http://127.0.0.1:3000"]) {
      const foreign = open(bob, { origin, transport });
      let received = 0;
      foreign.on(EVENTS.newMessage, () => (received += 1));
      await expect(connected(foreign), origin).rejects.toThrow();
      expect(foreign.connected).toBe(false);
      expect(relay.relay.connectedDevices().map((d) => d.deviceId)).not.toContain(bob.deviceId);
      // A message to bob's room is fanned out while the refused client is still listening.
      const a = open(alice, { transport });
      await connected(a);
      const ack = await emitAck(a, EVENTS.sendMessage, {
        clientMsgId: `m-${transport}-${origin.length}-${Date.now()}`,
        envelope: signedEnvelope(alice, roomId),
      });
      expect(ack.ok).toBe(true);
      await emitAck(a, EVENTS.subscribeRoom, { roomId }); // a round trip after the fan-out
      expect(received).toBe(0);
      a.disconnect();
    }
  });

  it("lets the configured web origin connect and receive the room's messages", async () => {
    const b = open(bob, { origin: TEST_ORIGIN, transport });
    await connected(b);
    const got = new Promise<unknown>((resolve) => b.once(EVENTS.newMessage, resolve));
    const a = open(alice, { transport });
    await connected(a);
    const ack = await emitAck(a, EVENTS.sendMessage, {
      clientMsgId: `m-ok-${transport}`,
      envelope: signedEnvelope(alice, roomId),
    });
    expect(ack.ok).toBe(true);
    expect(await got).toMatchObject({ roomId });
    expect(relay.relay.connectedDevices().map((d) => d.deviceId)).toContain(bob.deviceId);
  });

  it("refuses a handshake without an Origin by default, and allows it when configured to", async () => {
    const bare = open(bob, { origin: null, transport });
    await expect(connected(bare)).rejects.toThrow();
    const lenient = await startRelay(db.prisma, undefined, { allowMissingOrigin: true });
    try {
      const ok = open(bob, { origin: null, transport }, lenient.url);
      await connected(ok);
      expect(ok.connected).toBe(true);
      ok.disconnect();
      // A foreign Origin is still refused there.
      const foreign = open(bob, { origin: "https://evil.example.org", transport }, lenient.url);
      await expect(connected(foreign)).rejects.toThrow();
    } finally {
      await lenient.close();
    }
  });
});
