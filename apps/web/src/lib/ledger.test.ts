import type { UserKeys } from "@cairn/protocol";
import { describe, expect, it } from "vitest";
import { compareWithLedger, type ChainKeys } from "./ledger";

const K = (c: string) => c.repeat(43);
const served: UserKeys = {
  userId: "11111111-1111-4111-8111-111111111111",
  username: "alice",
  identityPublicKey: K("A"),
  devices: ["d1", "d2", "d3", "d4"].map((id, i) => ({
    deviceId: id,
    name: id,
    signingPublicKey: K(String.fromCharCode(66 + i)),
    agreementPublicKey: K("Z"),
    signature: K("S"),
    createdAt: "",
    revokedAt: null,
    registeredOnLedger: true,
  })),
};
const device = (id: string, signing: string, revokedAtMs: number | null = null) => ({
  deviceId: id,
  signingPublicKey: signing,
  agreementPublicKey: K("Z"),
  registeredTxId: "tx",
  registeredAt: "",
  revokedAtMs,
  revokedTxId: revokedAtMs === null ? null : "tx2",
});

describe("compareWithLedger", () => {
  it("marks matching, revoked, missing and substituted keys", () => {
    const chain: ChainKeys = {
      identityPublicKey: K("A"),
      devices: [device("d1", K("B")), device("d2", K("C"), 5), device("d4", K("Q"))],
    };
    expect(compareWithLedger(served, chain)).toEqual({
      identity: "match",
      devices: { d1: "match", d2: "revoked", d3: "absent", d4: "differs" },
      identityOnChain: K("A"),
    });
  });

  it("flags a served identity key the chain does not hold, and a user the chain does not know", () => {
    const chain: ChainKeys = { identityPublicKey: K("X"), devices: [] };
    expect(compareWithLedger(served, chain)).toMatchObject({ identity: "differs", identityOnChain: K("X") });
    expect(compareWithLedger(served, null)).toEqual({
      identity: "absent",
      devices: { d1: "absent", d2: "absent", d3: "absent", d4: "absent" },
      identityOnChain: null,
    });
  });
});
