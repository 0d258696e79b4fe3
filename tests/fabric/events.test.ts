/**
 * Chaincode events with a persistent checkpoint: a follower of the chain's
 * checkpoints that is stopped and started again resumes exactly after the last event
 * it handled — nothing missed, nothing handled twice.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FabricLedger, LedgerCheckpoint } from "@cairn/ledger";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ledgerAs, randomHash } from "./helpers";

let appender: FabricLedger;
let follower: FabricLedger;
const positionFile = path.join(mkdtempSync(path.join(os.tmpdir(), "cairn-events-")), "checkpoints.json");

beforeAll(() => {
  appender = ledgerAs("org1Appender");
  follower = ledgerAs("org2User");
});
afterAll(async () => {
  await appender?.close();
  await follower?.close();
});

async function appendOne(): Promise<LedgerCheckpoint> {
  const size = (await appender.getLatestCheckpoint())?.treeSize ?? 0;
  return appender.appendBatch({ startIndex: size, leafHashes: [randomHash(), randomHash()] });
}

/** Follows until `count` checkpoints arrived, then stops (the position file keeps where). */
async function follow(count: number): Promise<LedgerCheckpoint[]> {
  const seen: LedgerCheckpoint[] = [];
  const stop = new AbortController();
  const done = follower.watchCheckpoints({
    checkpointFile: positionFile,
    signal: stop.signal,
    onCheckpoint: (cp) => {
      seen.push(cp);
      if (seen.length === count) stop.abort();
    },
  });
  const timer = setTimeout(() => stop.abort(), 30_000);
  await done;
  clearTimeout(timer);
  return seen;
}

describe("following checkpoints through chaincode events", () => {
  test("a restarted follower resumes after the last checkpoint it handled", async () => {
    // From block 0 the follower replays every checkpoint the chain ever committed.
    const history: LedgerCheckpoint[] = [];
    const all = await (async () => {
      const first = await appendOne();
      const second = await appendOne();
      const latest = (await appender.getLatestCheckpoint())?.treeSize;
      expect(latest).toBe(second.treeSize);
      return [first, second];
    })();
    let sizes = new Set<number>();
    // Read the whole history once, up to the two just appended.
    const stop = new AbortController();
    const reading = follower.watchCheckpoints({
      checkpointFile: positionFile,
      signal: stop.signal,
      onCheckpoint: (cp) => {
        history.push(cp);
        sizes = new Set(history.map((c) => c.treeSize));
        if (cp.treeSize === all[1]?.treeSize) stop.abort();
      },
    });
    await reading;
    expect(history.slice(-2)).toEqual(all);
    expect(sizes.size).toBe(history.length); // each checkpoint once
    expect(history.map((c) => c.treeSize)).toEqual([...history.map((c) => c.treeSize)].sort((a, b) => a - b));

    // While nobody follows, the chain moves on.
    const missed = [await appendOne(), await appendOne()];
    // The follower comes back with its position file: exactly the two it missed, in order.
    const resumed = await follow(2);
    expect(resumed).toEqual(missed);
    // And once more: the next one only.
    const next = await appendOne();
    expect(await follow(1)).toEqual([next]);
  });
});
