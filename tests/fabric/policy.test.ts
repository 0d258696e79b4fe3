/**
 * Admin authority on the real network (issue 11, item 3): the bootstrap configured
 * governance with Org1 and Org2 and a quorum of two, so one organisation's admin alone
 * cannot change a policy or grant the appender role; a change Org1 proposes runs when
 * Org2 approves, recorded with its author and version.
 */
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

describe("Governance and Policy on a real Fabric network", () => {
  it("governance needs both organisations: one organisation's admin alone is refused", async () => {
    expect(await org2User.getGovernance()).toMatchObject({ orgs: ["Org1MSP", "Org2MSP"], quorum: 2 });
    const roomRef = randomRef();
    for (const admin of [org1Admin, org2Admin]) {
      await expect(admin.setRoomPolicy(roomRef, journaled)).rejects.toMatchObject({ name: "LedgerError", code: "FORBIDDEN" });
      await expect(admin.setOrgPolicy({ retentionSeconds: null, maxDevicesPerUser: 1, forwardingAllowed: true })).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    const me = await org2User.whoAmI();
    await expect(org1Admin.authorizeAppender(me.mspId, me.idHash)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await org2User.getRoomPolicy(roomRef)).toBeNull();
  });

  it("Org1 proposes a room policy, Org2 approves, and the chain records the version with its author", async () => {
    const roomRef = randomRef();
    const proposal = await org1Admin.propose("Policy:SetRoomPolicy", [roomRef, JSON.stringify(journaled)]);
    expect(proposal.executed).toBeNull();
    expect(await org2User.getRoomPolicy(roomRef)).toBeNull();
    await expect(org1Admin.approve(proposal.id)).rejects.toMatchObject({ code: "CONFLICT" });
    const approved = await org2Admin.approve(proposal.id);
    expect(approved.approvals.map((a) => a.mspId)).toEqual(["Org1MSP", "Org2MSP"]);
    expect(approved.executed).not.toBeNull();
    const record = await org2User.getRoomPolicy(roomRef);
    expect(record).toMatchObject({ scope: `room:${roomRef}`, version: 1, policy: journaled, author: { mspId: "Org2MSP" } });
    expect(record?.txId).toBe(approved.executed?.txId);
  });

  it("the peer refuses proposals and approvals by non-admins (the relay's appender, a plain client)", async () => {
    const proposal = await org1Admin.propose("Policy:SetRoomPolicy", [randomRef(), JSON.stringify(journaled)]);
    for (const who of [appender, org2User]) {
      await expect(who.propose("Policy:SetOrgPolicy", [JSON.stringify({ retentionSeconds: null, maxDevicesPerUser: 1, forwardingAllowed: true })])).rejects.toMatchObject({
        name: "LedgerError",
        code: "FORBIDDEN",
      });
      await expect(who.approve(proposal.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
  });
});
