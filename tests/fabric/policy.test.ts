import { afterAll, describe, expect, it } from "vitest";
import { ledgerAs, randomRef } from "./helpers";

const org1Admin = ledgerAs("org1Admin");
const org2Admin = ledgerAs("org2Admin");
const appender = ledgerAs("org1Appender");
const org2User = ledgerAs("org2User");
afterAll(async () => {
  await Promise.all([org1Admin, org2Admin, appender, org2User].map((l) => l.close()));
});

const journaled = {
  retentionSeconds: 604_800,
  forwardingAllowed: false,
  complianceJournalKey: Buffer.alloc(32, 9).toString("base64url"),
};

describe("Policy on a real Fabric network", () => {
  it("an org admin sets a room policy; the chain records each version with its author", async () => {
    const roomRef = randomRef();
    const first = await org1Admin.setRoomPolicy(roomRef, journaled);
    expect(first).toMatchObject({ scope: `room:${roomRef}`, version: 1, policy: journaled });
    expect(first.author.mspId).toBe("Org1MSP");
    expect(first.txId).toMatch(/^[0-9a-f]{64}$/);
    // Each organisation administers its own members; Org2's admin may change it too.
    const second = await org2Admin.setRoomPolicy(roomRef, { ...journaled, forwardingAllowed: true });
    expect(second).toMatchObject({ version: 2, author: { mspId: "Org2MSP" } });
    expect(await org2User.getRoomPolicy(roomRef)).toEqual(second);
  });

  it("the peer rejects a policy change by a non-admin (the relay's appender, a plain client)", async () => {
    const roomRef = randomRef();
    await org1Admin.setRoomPolicy(roomRef, journaled);
    for (const who of [appender, org2User]) {
      await expect(
        who.setRoomPolicy(roomRef, { retentionSeconds: null, forwardingAllowed: true, complianceJournalKey: null }),
      ).rejects.toMatchObject({ name: "LedgerError", code: "FORBIDDEN" });
      await expect(
        who.setOrgPolicy({ retentionSeconds: null, maxDevicesPerUser: 1, forwardingAllowed: true }),
      ).rejects.toMatchObject({ name: "LedgerError", code: "FORBIDDEN" });
    }
    const after = await appender.getRoomPolicy(roomRef);
    expect(after).toMatchObject({ version: 1, policy: journaled, author: { mspId: "Org1MSP" } });
  });
});
