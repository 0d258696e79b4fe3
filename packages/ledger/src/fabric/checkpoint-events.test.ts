import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCheckpointEvent } from "./checkpoint-events";

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const good = { treeSize: 12, rootHash: "ab".repeat(32), txId: "c14c598c", time: "2026-11-26T21:00:00.000Z" };

describe("checkpoint events from the chain", () => {
  it("parses the Audit contract's checkpoint JSON", () => {
    expect(parseCheckpointEvent(enc(good))).toEqual(good);
  });

  it("refuses payloads of the wrong shape with a typed error", () => {
    for (const bad of [
      null,
      [],
      { ...good, treeSize: 0 },
      { ...good, treeSize: "12" },
      { ...good, rootHash: "AB".repeat(32) },
      { ...good, rootHash: "ab" },
      { ...good, txId: "" },
      { ...good, time: "yesterday" },
    ]) {
      expect(() => parseCheckpointEvent(enc(bad)), JSON.stringify(bad)).toThrow(/wrong shape/);
    }
    expect(() => parseCheckpointEvent(new Uint8Array([0xff, 0xfe]))).toThrow(/not JSON/);
  });

  it("never throws anything but its own error on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          parseCheckpointEvent(bytes);
        } catch (err) {
          expect((err as Error).name).toBe("LedgerError");
        }
      }),
    );
  });
});
