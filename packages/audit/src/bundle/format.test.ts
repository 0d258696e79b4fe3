import type { LedgerKeyRecord } from "@cairn/protocol";
import { describe, expect, it } from "vitest";
import { toBundleKeyRecord } from "./format";
import { parseBundleLine } from "./parse";
import { BundleWriter } from "./writer";

/** A chain record with everything the chain keeps beyond bundle format version 1. */
const chain: LedgerKeyRecord = {
  registeredAt: "2026-01-01T00:00:01.000Z",
  identityPublicKey: "I".repeat(43),
  devices: [
    {
      revokedAt: "2026-01-01T00:00:03.000Z",
      revocationSignature: "R".repeat(86),
      agreementPublicKey: "A".repeat(43),
      deviceId: "dev-1",
      registeredAt: "2026-01-01T00:00:02.000Z",
      registeredTxId: "tx2",
      revokedAtMs: 1_767_225_603_000,
      revokedTxId: "tx3",
      signature: "S".repeat(86),
      signingPublicKey: "K".repeat(43),
    },
  ],
  identityHistory: [
    {
      identityPublicKey: "O".repeat(43),
      registeredTxId: "tx0",
      registeredAt: "2025-12-31T00:00:00.000Z",
      replacedTxId: "tx1",
      replacedAt: "2026-01-01T00:00:01.000Z",
      reason: "lost laptop",
      replacedBy: { mspId: "Org1MSP", idHash: "0f".repeat(32) },
    },
  ],
  registeredTxId: "tx1",
  userRef: "12".repeat(32),
};

/** The keys line of format version 1 for that record: fixed fields, fixed order. */
const LINE =
  `{"type":"keys","userId":"11111111-1111-4111-8111-111111111111","userRef":"${"12".repeat(32)}",` +
  `"record":{"userRef":"${"12".repeat(32)}","identityPublicKey":"${"I".repeat(43)}","registeredTxId":"tx1",` +
  `"registeredAt":"2026-01-01T00:00:01.000Z","devices":[{"deviceId":"dev-1","signingPublicKey":"${"K".repeat(43)}",` +
  `"agreementPublicKey":"${"A".repeat(43)}","signature":"${"S".repeat(86)}","registeredTxId":"tx2",` +
  `"registeredAt":"2026-01-01T00:00:02.000Z","revokedAtMs":1767225603000,"revokedTxId":"tx3"}]}}\n`;

describe("bundle keys lines", () => {
  it("carry the chain's key record reduced to format version 1, whatever else the chain keeps", async () => {
    const lines: string[] = [];
    const writer = new BundleWriter((line) => void lines.push(line));
    await writer.keys({ userId: "11111111-1111-4111-8111-111111111111", userRef: chain.userRef, record: chain });
    await writer.keys({ userId: "22222222-2222-4222-8222-222222222222", userRef: "34".repeat(32), record: null });
    expect(lines[0]).toBe(LINE);
    expect(lines[1]).toBe(`{"type":"keys","userId":"22222222-2222-4222-8222-222222222222","userRef":"${"34".repeat(32)}","record":null}\n`);
    const parsed = parseBundleLine(LINE.trimEnd());
    expect(parsed).toEqual({ type: "keys", userId: "11111111-1111-4111-8111-111111111111", userRef: chain.userRef, record: toBundleKeyRecord(chain) });
  });

  it("a projected record projects to itself", () => {
    const once = toBundleKeyRecord(chain);
    expect(toBundleKeyRecord(once)).toEqual(once);
    expect(JSON.stringify(toBundleKeyRecord(once))).toBe(JSON.stringify(once));
  });
});
