import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { recordCheckpoint, subscribeServerEvents, type ServerEvent } from "@cairn/db";
import type { LedgerCheckpoint, WatchCheckpointsOptions } from "@cairn/ledger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followCheckpoints } from "./checkpoint-follower";
import { createLogger } from "@cairn/log";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const cp = (treeSize: number): LedgerCheckpoint => ({
  treeSize,
  rootHash: treeSize.toString(16).padStart(64, "0"),
  txId: `tx${treeSize}`,
  time: new Date(1_764_000_000_000 + treeSize).toISOString(),
});

describe("following the chain's checkpoint events", () => {
  it("records and announces checkpoints this database has not seen, once each", async () => {
    await recordCheckpoint(db.prisma, cp(2)); // this relay's worker anchored it
    const announced: ServerEvent[] = [];
    let twoAnnounced!: () => void;
    const bothHeard = new Promise<void>((r) => (twoAnnounced = r));
    const events = await subscribeServerEvents(db.url, (e) => {
      announced.push(e);
      if (announced.length === 2) twoAnnounced();
    });
    // The chain's event stream, as fabric-gateway delivers it (tests/fabric covers the real one).
    let delivered!: () => void;
    const allDelivered = new Promise<void>((r) => (delivered = r));
    const ledger = {
      async watchCheckpoints(opts: WatchCheckpointsOptions): Promise<void> {
        for (const c of [cp(2), cp(5), cp(9)]) await opts.onCheckpoint(c, { blockNumber: 1n, txId: c.txId });
        delivered();
        await new Promise<void>((resolve) => opts.signal?.addEventListener("abort", () => resolve()));
      },
    };
    const follower = followCheckpoints({ prisma: db.prisma, ledger, positionFile: "/unused", log: createLogger("error", () => {}) });
    await allDelivered;
    await follower.stop();
    const rows = await db.prisma.checkpoint.findMany({ orderBy: { treeSize: "asc" } });
    expect(rows.map((r) => Number(r.treeSize))).toEqual([2, 5, 9]);
    await bothHeard;
    await events.close();
    expect(announced).toEqual([
      { type: "checkpoint", treeSize: 5 },
      { type: "checkpoint", treeSize: 9 },
    ]);
  });
});
