import { auditExportData, hex } from "@cairn/protocol";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { leafHash } from "../hash";
import { csvField, csvHeaderRow, csvRow } from "./csv";
import type { Finding, FindingCode } from "./findings";
import { decodeHex, encodeHex } from "./hex";
import { BundleParseError, parseBundleLine } from "./parse";
import { checkSequence } from "./sequence";
import { BundleWriter } from "./writer";

describe("auditExportData (cairn/audit-export/v1)", () => {
  test("frozen vector", () => {
    const data = auditExportData({
      exporterRef: "ab".repeat(32),
      roomId: "3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b",
      exportedAtMs: 1_764_000_000_000,
      bundleSha256: new Uint8Array(32).fill(7),
    });
    expect(hex(leafHash(data))).toMatchInlineSnapshot(`"3e444c8dcd6f561234410851ad074bfc5afb8a7efb486535605cd95da94dcac2"`);
  });

  test("rejects a bundle hash of the wrong length", () => {
    expect(() => auditExportData({ exporterRef: "x", roomId: "r", exportedAtMs: 1, bundleSha256: new Uint8Array(31) })).toThrow(RangeError);
  });
});

describe("parseBundleLine", () => {
  test("rejects garbage, wrong types and unknown versions", () => {
    for (const bad of ["", "null", "[]", "{}", '{"type":"nope"}', '{"type":"header","format":"cairn-audit-bundle","version":3}', '{"type":"checkpoint","treeSize":-1}']) {
      expect(() => parseBundleLine(bad)).toThrow(BundleParseError);
    }
    expect(() => parseBundleLine(1 as unknown as string)).toThrow(TypeError);
  });

  test("a membership line round-trips; a bad field is named", () => {
    const line = {
      type: "membership",
      seq: 3,
      leafIndex: 17,
      createdAt: "2026-12-05T00:00:00.000Z",
      body: "Y2Fpcm4",
      signature: "",
      leafHash: "ab".repeat(32),
      proof: { treeSize: 20, path: ["cd".repeat(32)] },
    };
    expect(parseBundleLine(JSON.stringify(line))).toEqual(line);
    expect(parseBundleLine(JSON.stringify({ ...line, proof: null }))).toEqual({ ...line, proof: null });
    expect(() => parseBundleLine(JSON.stringify({ ...line, seq: -1 }))).toThrow("seq must be a non-negative integer");
    expect(() => parseBundleLine(JSON.stringify({ ...line, body: "x".repeat(12_001) }))).toThrow("body must be a string");
    expect(() => parseBundleLine(JSON.stringify({ ...line, leafHash: "AB".repeat(32) }))).toThrow("leafHash must be 64 lowercase hex digits");
  });

  test("property: never throws anything but BundleParseError on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.constantFrom("message", "membership", "keys", "header"), fc.jsonValue(), (type, v) => {
        try {
          parseBundleLine(JSON.stringify({ type, ...(typeof v === "object" && v !== null && !Array.isArray(v) ? v : { v }) }));
        } catch (err) {
          expect(err).toBeInstanceOf(BundleParseError);
        }
      }),
    );
  });
});

describe("BundleWriter", () => {
  test("trailer counts and hashes every line before it; nothing may follow", async () => {
    const out: string[] = [];
    const w = new BundleWriter((l) => void out.push(l));
    await w.header({ format: "cairn-audit-bundle", version: 1, roomId: "r", range: { from: null, to: null }, exportedAt: new Date(0).toISOString(), exporterRef: "ab".repeat(32), ledger: "embedded", extent: { firstSeq: null, lastSeq: null, messages: 0 } });
    await w.checkpoint({ treeSize: 1, rootHash: "00".repeat(32), txId: "t", time: new Date(0).toISOString() });
    const trailer = await w.close(5);
    expect(trailer).toMatchObject({ lines: 2, messages: 0, exportLeafIndex: 5 });
    const { sha256 } = await import("@noble/hashes/sha2.js");
    expect(trailer.sha256).toBe(hex(sha256(new TextEncoder().encode(out.slice(0, 2).join("")))));
    expect(out).toHaveLength(3);
    await expect(w.checkpoint({ treeSize: 2, rootHash: "00".repeat(32), txId: "t", time: "x" })).rejects.toThrow();
    expect(parseBundleLine((out[2] as string).trimEnd())).toEqual(trailer);
  });

  test("membership events go before the first message", async () => {
    const w = new BundleWriter(() => undefined);
    const event = { seq: 0, leafIndex: 0, createdAt: new Date(0).toISOString(), body: "", signature: "", leafHash: "00".repeat(32), proof: null };
    await w.membership(event);
    await w.message({} as never);
    await expect(w.membership({ ...event, seq: 1 })).rejects.toThrow("membership events go before the first message");
  });
});

describe("CSV view", () => {
  test("quotes and neutralises formulas", () => {
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField(-3)).toBe("-3");
    expect(csvField(null)).toBe("");
    expect(csvHeaderRow().split(",")[0]).toBe("roomSeq");
  });

  test("a row per message", () => {
    const row = csvRow(
      { roomSeq: 1, leafIndex: 2, serverTime: "t", senderUserId: "u", senderDeviceId: "d", envelope: { version: 1, roomId: "r", senderDeviceId: "d", sessionId: "", index: 0, prevHash: "", nonce: "", ciphertext: "AAAA", signature: "" }, leafHash: "h", proof: null, plaintext: null },
      null,
    );
    expect(row).toBe("1,2,t,u,d,3,h,no,,,\r\n");
  });
});

describe("hex", () => {
  test("round-trips and rejects bad input", () => {
    fc.assert(
      fc.property(fc.uint8Array(), (b) => {
        expect(decodeHex(encodeHex(b))).toEqual(b);
      }),
    );
    expect(() => decodeHex("0g")).toThrow(TypeError);
    expect(() => decodeHex("abc")).toThrow(TypeError);
    expect(() => decodeHex("AB")).toThrow(TypeError);
  });
});

describe("checkSequence", () => {
  const run = (seqs: number[], extent = { firstSeq: 1, lastSeq: 5 }, complete = true) => {
    const found: Finding[] = [];
    checkSequence(seqs, seqs.map((_, i) => i + 2), extent, complete, (code: FindingCode, message, at) => found.push({ code, message, ...at }));
    return found;
  };
  test("complete sequence: nothing", () => expect(run([1, 2, 3, 4, 5])).toEqual([]));
  test("gap in the middle points at the message after it", () =>
    expect(run([1, 2, 4, 5])).toEqual([expect.objectContaining({ code: "sequence-gap", roomSeq: 4, line: 4 })]));
  test("swap is a reorder, not a gap", () => expect(run([1, 3, 2, 4, 5]).map((f) => f.code)).toEqual(["reordered"]));
  test("duplicates", () => expect(run([1, 2, 2, 3, 4, 5]).map((f) => f.code)).toEqual(["duplicate-message"]));
  test("missing head and tail against the extent", () => expect(run([2, 3, 4]).map((f) => f.code)).toEqual(["sequence-gap", "sequence-gap"]));
  test("a short tail without trailer is left to truncation", () => expect(run([1, 2, 3], undefined, false)).toEqual([]));
});
