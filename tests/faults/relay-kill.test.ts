/**
 * Issue 13 item 5: two relay processes share rooms through the Socket.IO PostgreSQL
 * adapter, with twenty tabs sending 200 messages a second in rooms that span both. One
 * relay is killed with SIGKILL mid-load. Its tabs reconnect to the other and send their
 * unacked messages again under the same client message ids; every tab resumes each room
 * from its last gap-free room sequence number. Afterwards: every send is stored exactly
 * once, each room's sequence has no gap, every member holds every message of its rooms
 * once and as sent, and the surviving relay took over anchoring from the killed one (one
 * leader at a time, through the ledger worker's advisory lock) and anchored every leaf.
 */
import { latestCheckpoint } from "@cairn/db";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDevice, makeRoom, makeUser, startRelayProcess, until, type RelayProcess } from "./relay-harness";
import { RelayTab, type Delivery, type SendLog } from "./relay-tab";

const TABS = 20;
const ROOM_SIZE = 4;
const SEND_EVERY_MS = 100; // 10 messages a second per tab, 200 in all
const BEFORE_KILL_MS = 2_000;
const AFTER_KILL_MS = 3_000;

let db: TestDatabase;
const relays: RelayProcess[] = [];
const tabs: RelayTab[] = [];

const shared = (id: string) => ({ CAIRN_RELAY_ADAPTER: "postgres", CAIRN_RELAY_ID: id, CAIRN_LOG_LEVEL: "warn" });

beforeAll(async () => {
  db = await createTestDatabase();
  // "warn" hides the listening line the harness waits for: start at info, as an operator would.
  relays.push(await startRelayProcess(db.url, { ...shared("r1"), CAIRN_LOG_LEVEL: "info" }));
  relays.push(await startRelayProcess(db.url, { ...shared("r2"), CAIRN_LOG_LEVEL: "info" }));
});
afterAll(async () => {
  for (const t of tabs) t.close();
  for (const r of relays) {
    if (r.child.exitCode === null && r.child.signalCode === null) {
      r.child.kill("SIGKILL");
      await r.exited;
    }
  }
  await db?.drop();
});

describe("a relay killed under load, with another sharing its rooms", () => {
  it("loses no acked message, stores none twice, and every member ends with every message once", async () => {
    // The relay killed is the anchor leader, so the other must take the lock over.
    await until(() => relays.some((r) => r.hasLogged("ledger worker is leader")), "a ledger leader");
    const killed = relays.find((r) => r.hasLogged("ledger worker is leader"));
    const survivor = relays.find((r) => r !== killed);
    if (!killed || !survivor) throw new Error("relays not started");
    const sends: SendLog = new Map();
    for (let room = 0; room < TABS / ROOM_SIZE; room++) {
      const users = [];
      for (let i = 0; i < ROOM_SIZE; i++) users.push(await makeUser(db.prisma, `kill-${room}-${i}`));
      const roomId = await makeRoom(
        db.prisma,
        users.map((u) => u.id),
      );
      for (const [i, user] of users.entries()) {
        // Every room has members on both relays: its fan-out crosses the adapter.
        const order = i % 2 === 0 ? [killed.url, survivor.url] : [survivor.url, killed.url];
        tabs.push(new RelayTab(`t${room}-${i}`, await addDevice(db.prisma, user), [roomId], order, db.prisma, sends));
      }
    }
    await Promise.all(tabs.map((t) => t.open()));
    const onKilled = tabs.filter((t) => t.relay === killed.url);
    const onSurvivor = tabs.filter((t) => t.relay === survivor.url);

    const timer = setInterval(() => {
      for (const t of tabs) t.send(t.rooms[0] ?? "");
    }, SEND_EVERY_MS);
    await new Promise((r) => setTimeout(r, BEFORE_KILL_MS));
    const killedAt = Date.now();
    killed.child.kill("SIGKILL");
    await killed.exited;
    await new Promise((r) => setTimeout(r, AFTER_KILL_MS));
    clearInterval(timer);

    await until(() => tabs.every((t) => t.outbox.size === 0), "every outbox to empty", 120_000);
    await Promise.all(tabs.map((t) => t.settled()));
    const heardBeforeResume = tabs.map((t) => t.received.get(t.rooms[0] ?? "")?.size ?? 0);
    await Promise.all(tabs.map((t) => t.resume()));

    // Every send acked, none refused; the tabs of the killed relay came back on the other.
    expect(tabs.flatMap((t) => t.refused)).toEqual([]);
    expect(onKilled.every((t) => t.reconnects >= 1 && t.relay === survivor.url)).toBe(true);
    expect(onSurvivor.every((t) => t.reconnects === 0)).toBe(true);

    // Stored exactly once each: as many rows as sends, one per signature.
    const rows = await db.prisma.envelope.findMany({ select: { roomId: true, roomSeq: true, signature: true } });
    const signatures = new Set(rows.map((r) => Buffer.from(r.signature).toString("base64url")));
    expect(rows.length).toBe(sends.size);
    expect([...sends.keys()].every((s) => signatures.has(s))).toBe(true);
    expect(signatures.size).toBe(rows.length);

    // Each room's sequence is 1..n with no gap, and every member holds all n, as stored.
    const perRoom = new Map<string, string[]>();
    for (const r of [...rows].sort((a, b) => a.roomSeq - b.roomSeq)) {
      const list = perRoom.get(r.roomId) ?? [];
      list.push(Buffer.from(r.signature).toString("base64url"));
      perRoom.set(r.roomId, list);
      expect(r.roomSeq).toBe(list.length);
    }
    for (const t of tabs) {
      const roomId = t.rooms[0] ?? "";
      const stored = perRoom.get(roomId) ?? [];
      const got = t.received.get(roomId) ?? new Map<number, Delivery>();
      expect(got.size).toBe(stored.length);
      expect(stored.every((sig, i) => got.get(i + 1)?.signature === sig)).toBe(true);
      expect([t.mismatches, t.liveDuplicates]).toEqual([0, 0]);
    }

    // The adapter carried fan-out across relays before the kill: tabs on the survivor heard
    // the killed relay's senders live. And they heard every message sent through their own
    // relay live (one process, no adapter in between).
    const sentVia = (sig: string) => sends.get(sig);
    const crossRelay = onSurvivor.flatMap((t) =>
      [...(t.received.get(t.rooms[0] ?? "")?.values() ?? [])].filter((d) => d.via === "live" && d.at < killedAt && sentVia(d.signature) === killed.url),
    );
    expect(crossRelay.length).toBeGreaterThan(0);
    for (const t of onSurvivor) {
      const roomId = t.rooms[0] ?? "";
      const sentHere = (perRoom.get(roomId) ?? []).filter((sig) => sentVia(sig) === survivor.url);
      const got = [...(t.received.get(roomId)?.values() ?? [])];
      const live = new Set(got.filter((d) => d.via === "live").map((d) => d.signature));
      expect(sentHere.filter((sig) => !live.has(sig))).toEqual([]);
    }

    // The surviving relay took over the anchor and anchored every leaf.
    const leaves = await db.prisma.auditLeaf.count();
    await until(async () => ((await latestCheckpoint(db.prisma))?.treeSize ?? 0) >= leaves, "every leaf to be anchored", 120_000);
    expect(survivor.hasLogged("ledger worker is leader")).toBe(true);

    const sent = sends.size;
    const held = heardBeforeResume.reduce((a, b) => a + b, 0);
    console.log(
      `relay kill: ${sent} messages sent by ${TABS} tabs, ${onKilled.length} tabs moved to the surviving relay, ` +
        `${crossRelay.length} cross-relay live deliveries before the kill, ${held} of ${sent * ROOM_SIZE} deliveries held before the final resume`,
    );
  });
});
