import { describe, expect, it } from "vitest";
import { Transcript, type TranscriptEntry } from "./transcript";

const G = "genesis";
const e = (seq: number, prevHash: string, senderDeviceId = "d1", hash = `h${seq}`): TranscriptEntry => ({
  seq,
  hash,
  prevHash,
  senderDeviceId,
});

describe("Transcript", () => {
  it("accepts a linear history and concurrent senders naming the same predecessor", () => {
    const t = new Transcript(G);
    expect(t.add(e(1, G))).toEqual([]);
    expect(t.add(e(2, "h1", "d2"))).toEqual([]);
    expect(t.add(e(3, "h1", "d3"))).toEqual([]); // d3 sent before it saw #2
    expect(t.add(e(4, "h3", "d2"))).toEqual([]);
    expect(t.add(e(4, "h3", "d2"))).toEqual([]); // the same envelope again (reload)
    expect(t.forks).toEqual([]);
  });

  it("flags a predecessor this client was never shown, once the history from #1 is complete", () => {
    const t = new Transcript(G);
    expect(t.add(e(3, "hidden", "d2"))).toEqual([]); // not judged yet: #1, #2 missing
    expect(t.add(e(1, G))).toEqual([]);
    const forks = t.add(e(2, "h1"));
    expect(forks.map((f) => f.seq)).toEqual([3]);
    expect(forks[0]?.reason).toMatch(/never shown/);
  });

  it("does not judge unknown predecessors when history starts after #1", () => {
    const t = new Transcript(G);
    expect(t.add(e(101, "h100"))).toEqual([]);
    expect(t.add(e(102, "h101"))).toEqual([]);
  });

  it("flags one device naming the same predecessor for two different envelopes", () => {
    const t = new Transcript(G);
    t.add(e(1, G));
    expect(t.add(e(2, "h1", "d2"))).toEqual([]);
    const forks = t.add(e(3, "h1", "d2"));
    expect(forks).toHaveLength(1);
    expect(forks[0]?.reason).toMatch(/same device/);
  });

  it("flags two different envelopes at one sequence number, and links to a later message", () => {
    const t = new Transcript(G);
    t.add(e(1, G));
    expect(t.add(e(1, G, "d1", "other"))[0]?.reason).toMatch(/two different messages/);
    const t3 = new Transcript(G);
    t3.add(e(2, G, "d2"));
    expect(t3.add(e(1, "h2")).map((f) => f.seq)).toEqual([1]);
  });
});
