import { LedgerCheckpoint } from "@cairn/protocol";
import { describe, expect, it } from "vitest";
import { LedgerError } from "./errors";
import { parseOptionalRecord, parseRecord } from "./records";

const cp = { treeSize: 3, rootHash: "ab".repeat(32), txId: "f".repeat(64), time: "2026-01-01T00:00:00.000Z" };
const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

function refusal(fn: () => unknown): LedgerError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LedgerError);
    return err as LedgerError;
  }
  throw new Error("expected a LedgerError");
}

describe("reading the chaincode's records", () => {
  it("parses a record from text or bytes, dropping nothing it defines", () => {
    expect(parseRecord(LedgerCheckpoint, JSON.stringify(cp), "AppendBatch")).toEqual(cp);
    expect(parseOptionalRecord(LedgerCheckpoint, bytes(cp), "GetCheckpoint")).toEqual(cp);
    expect(parseOptionalRecord(LedgerCheckpoint, "null", "GetCheckpoint")).toBeNull();
  });

  it("refuses a response that is not JSON, not the record, or missing, as BAD_RESPONSE", () => {
    const notJson = refusal(() => parseRecord(LedgerCheckpoint, new Uint8Array([0xff]), "AppendBatch"));
    expect([notJson.code, notJson.message]).toEqual(["BAD_RESPONSE", "AppendBatch: response is not JSON"]);
    const wrong = refusal(() => parseOptionalRecord(LedgerCheckpoint, bytes({ ...cp, rootHash: "AB" }), "GetCheckpoint"));
    expect(wrong.code).toBe("BAD_RESPONSE");
    expect(wrong.message).toMatch(/^GetCheckpoint: response is not a valid record \(rootHash /);
    const none = refusal(() => parseRecord(LedgerCheckpoint, "null", "AppendBatch"));
    expect([none.code, none.message]).toEqual(["BAD_RESPONSE", "AppendBatch: the contract returned no record"]);
  });
});
