import type { BundleKeyRecord } from "@cairn/audit";
import { CairnError } from "@cairn/protocol";
import { describe, expect, it } from "vitest";
import { relayKeyDirectory, secretKeyDirectory, type KeyRecords } from "./admin-keys";
import { userRef } from "@cairn/anchoring/export";

const SECRET = "5a".repeat(32);
const ALICE = "11111111-1111-4111-8111-111111111111";
const BOB = "22222222-2222-4222-8222-222222222222";

function record(ref: string): BundleKeyRecord {
  return { userRef: ref, identityPublicKey: "A".repeat(43), registeredTxId: "tx", registeredAt: new Date(0).toISOString(), devices: [] };
}

/** The chain as the relay's ledger view serves it: Alice registered, Bob not yet. */
const chain: KeyRecords = (id) => Promise.resolve(id === ALICE ? record(userRef(SECRET, ALICE)) : null);

describe("key directories for the admin export", () => {
  it("without the secret, a user not on the chain blocks the export", async () => {
    const d = relayKeyDirectory(chain);
    expect(await d.keysOf(ALICE)).toEqual({ userRef: userRef(SECRET, ALICE), record: record(userRef(SECRET, ALICE)) });
    await expect(d.keysOf(BOB)).rejects.toMatchObject({ code: "LEDGER_UNAVAILABLE" });
  });

  it("with the secret, pseudonyms are computed locally and a missing record is null", async () => {
    const d = secretKeyDirectory(SECRET, chain);
    expect(await d.keysOf(ALICE)).toEqual({ userRef: userRef(SECRET, ALICE), record: record(userRef(SECRET, ALICE)) });
    expect(await d.keysOf(BOB)).toEqual({ userRef: userRef(SECRET, BOB), record: null });
  });

  it("with another secret than the relay's, the chain's pseudonym disagrees and the export stops", async () => {
    const d = secretKeyDirectory("a5".repeat(32), chain);
    const err: unknown = await d.keysOf(ALICE).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CairnError);
    expect((err as CairnError).code).toBe("INTERNAL");
  });
});
