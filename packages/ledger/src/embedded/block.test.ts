import { hex } from "@cairn/protocol";
import { describe, expect, test } from "vitest";
import { blockHash, GENESIS_PREV_HASH, type BlockContent } from "./block";

const block: BlockContent = {
  number: 0n,
  prevHash: GENESIS_PREV_HASH,
  txId: "a".repeat(64),
  fn: "Audit:AppendBatch",
  args: ["0", "b".repeat(64)],
  creator: "CairnEmbeddedMSP/relay",
  writes: [
    { key: "audit/head", value: "e30" },
    { key: "gone", value: null },
  ],
  timestamp: new Date("2026-01-01T00:00:00.123Z"),
};

describe("embedded block hash", () => {
  test("frozen vector", () => {
    expect(hex(blockHash(block))).toBe(FROZEN);
  });

  test("every field is bound into the hash", () => {
    const base = hex(blockHash(block));
    const variants: Partial<BlockContent>[] = [
      { number: 1n },
      { prevHash: new Uint8Array(32).fill(1) },
      { txId: "c".repeat(64) },
      { fn: "Audit:GetLeaf" },
      { args: ["0", "b".repeat(62)] },
      { args: ["0b", "b".repeat(63)] },
      { creator: "CairnEmbeddedMSP/admin" },
      { writes: [{ key: "audit/head", value: "e31" }, { key: "gone", value: null }] },
      { writes: [{ key: "audit/head", value: "e30" }] },
      { timestamp: new Date("2026-01-01T00:00:00.124Z") },
    ];
    for (const v of variants) expect(hex(blockHash({ ...block, ...v }))).not.toBe(base);
  });
});

// Cross-checked with an independent Python implementation of the documented encoding.
const FROZEN = "26ee4822c7c313c0ad1711b11cd55b34c6dbb1ab902a3e0eda36104556a9608b";
