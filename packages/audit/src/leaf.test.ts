import { auditLeafData, hex, type Envelope } from "@cairn/protocol";
import { describe, expect, test } from "vitest";
import { leafHash } from "./hash";
import { leafHashOfMessage } from "./leaf";

const envelope: Envelope = {
  version: 1,
  roomId: "room-1",
  senderDeviceId: "device-1",
  sessionId: new Uint8Array(16).fill(1),
  index: 7,
  prevHash: new Uint8Array(32).fill(2),
  nonce: new Uint8Array(24).fill(3),
  ciphertext: new Uint8Array([4, 5, 6]),
  signature: new Uint8Array(64).fill(7),
};

describe("leafHashOfMessage", () => {
  test("is the RFC 9162 leaf hash of the canonical audit leaf data", () => {
    const message = { envelope, roomSeq: 42, serverTimeMs: 1_700_000_000_000 };
    expect(leafHashOfMessage(message)).toEqual(leafHash(auditLeafData(message)));
  });

  test("frozen vector", () => {
    expect(hex(leafHashOfMessage({ envelope, roomSeq: 42, serverTimeMs: 1_700_000_000_000 }))).toBe(
      "7f6f8731d13d448a63cb9e81d534115e4a71ac24bfcb21ba704a3afdb2dd0e69",
    );
  });

  test("room sequence and server time are bound into the leaf", () => {
    const a = leafHashOfMessage({ envelope, roomSeq: 42, serverTimeMs: 1 });
    expect(leafHashOfMessage({ envelope, roomSeq: 43, serverTimeMs: 1 })).not.toEqual(a);
    expect(leafHashOfMessage({ envelope, roomSeq: 42, serverTimeMs: 2 })).not.toEqual(a);
  });

  test("rejects malformed envelopes", () => {
    expect(() => leafHashOfMessage({ envelope: { ...envelope, prevHash: new Uint8Array(31) }, roomSeq: 1, serverTimeMs: 1 })).toThrow(RangeError);
    expect(() => leafHashOfMessage({ envelope, roomSeq: -1, serverTimeMs: 1 })).toThrow(RangeError);
  });
});
