import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENTS_CHANNEL, publishServerEvent, reconnectDelay, subscribeServerEvents, type ServerEvent } from "./notify";
import { createTestDatabase, type TestDatabase } from "./testing";

let db: TestDatabase;
let admin: pg.Client;
let dbName: string;

beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
  const url = new URL(db.url);
  dbName = url.pathname.slice(1);
  url.pathname = "/postgres";
  admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
});
afterAll(async () => {
  await admin.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`);
  await admin.end();
  await db.drop();
});

/** Polls `check` until it holds (a deadline only for failure, not a speed check). */
async function until(check: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Backend pids of the connections listening on the events channel in the test database. */
async function listenerPids(): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query = $2",
    [dbName, `LISTEN ${EVENTS_CHANNEL}`],
  );
  return rows.map((r) => r.pid);
}

async function terminateListeners(): Promise<void> {
  const pids = await listenerPids();
  expect(pids.length).toBeGreaterThan(0);
  for (const pid of pids) await admin.query("SELECT pg_terminate_backend($1)", [pid]);
}

describe("reconnectDelay", () => {
  it("doubles from the initial delay and stops at the cap", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 40].map((n) => reconnectDelay(n, 250, 10_000));
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });
});

describe("subscribeServerEvents", () => {
  it("delivers well-formed events and drops malformed payloads", async () => {
    const got: ServerEvent[] = [];
    const sub = await subscribeServerEvents(db.url, (e) => got.push(e));
    try {
      await db.prisma.$executeRaw`SELECT pg_notify(${EVENTS_CHANNEL}, 'not json')`;
      await db.prisma.$executeRaw`SELECT pg_notify(${EVENTS_CHANNEL}, '{"type":"checkpoint","treeSize":-1}')`;
      await publishServerEvent(db.prisma, { type: "checkpoint", treeSize: 3 });
      await until(() => got.length > 0, "the event");
      expect(got).toEqual([{ type: "checkpoint", treeSize: 3 }]);
    } finally {
      await sub.close();
    }
  });

  it("reconnects after its connection is killed, calls onReconnect, and hears events again", async () => {
    const got: ServerEvent[] = [];
    let disconnects = 0;
    const reconnects: number[] = [];
    const sub = await subscribeServerEvents(db.url, (e) => got.push(e), {
      initialDelayMs: 10,
      maxDelayMs: 100,
      onDisconnect: () => (disconnects += 1),
      onReconnect: ({ attempt }) => void reconnects.push(attempt),
    });
    try {
      await terminateListeners();
      await until(() => reconnects.length === 1, "the reconnect");
      expect(disconnects).toBe(1);
      expect(reconnects[0]).toBeGreaterThanOrEqual(1);
      await publishServerEvent(db.prisma, { type: "checkpoint", treeSize: 7 });
      await until(() => got.length > 0, "an event after the reconnect");
      expect(got).toEqual([{ type: "checkpoint", treeSize: 7 }]);
    } finally {
      await sub.close();
    }
  });

  it("keeps retrying while the database refuses connections, then resumes", async () => {
    const errors: Error[] = [];
    const reconnects: number[] = [];
    const got: ServerEvent[] = [];
    const sub = await subscribeServerEvents(db.url, (e) => got.push(e), {
      initialDelayMs: 10,
      maxDelayMs: 50,
      onError: (err) => errors.push(err),
      onReconnect: ({ attempt }) => void reconnects.push(attempt),
    });
    try {
      await admin.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS false`);
      await terminateListeners();
      // Several attempts fail while the database is closed to connections.
      await until(() => errors.filter((e) => /not.*accepting|allow.*connections|does not allow/i.test(e.message)).length >= 3, "failed attempts");
      expect(reconnects).toEqual([]);
      await admin.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`);
      await until(() => reconnects.length === 1, "the reconnect");
      expect(reconnects[0]).toBeGreaterThanOrEqual(3);
      await publishServerEvent(db.prisma, { type: "deviceRevoked", userId: "00000000-0000-4000-8000-000000000001", deviceId: "d-after-outage" });
      await until(() => got.length > 0, "an event after the outage");
      expect(got).toEqual([{ type: "deviceRevoked", userId: "00000000-0000-4000-8000-000000000001", deviceId: "d-after-outage" }]);
    } finally {
      await sub.close();
    }
  });

  it("stops listening and reconnecting once closed", async () => {
    let reconnects = 0;
    const sub = await subscribeServerEvents(db.url, () => {}, {
      initialDelayMs: 10,
      onReconnect: () => void (reconnects += 1),
    });
    await until(async () => (await listenerPids()).length === 1, "the listener");
    await sub.close();
    await until(async () => (await listenerPids()).length === 0, "the listener to leave");
    expect(reconnects).toBe(0);
  });
});
