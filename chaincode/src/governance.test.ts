import { LedgerOrgPolicyRecord } from "@cairn/protocol";
import { beforeEach, describe, expect, test } from "vitest";
import { AuditContract } from "./audit";
import { GovernanceContract, type Proposal } from "./governance";
import { KeyRegistryContract } from "./key-registry";
import { ADMIN, CLIENT, MemoryWorld, identity } from "./memory-stub.testutil";
import { PolicyContract } from "./policy";

const ORG2_ADMIN = identity({ mspId: "Org2MSP", ou: "admin", cn: "Admin@org2.example.com" });
const ORG3_ADMIN = identity({ mspId: "Org3MSP", ou: "admin", cn: "Admin@org3.example.com" });
const ORG1_ADMIN_2 = identity({ ou: "admin", cn: "Admin2@org1.example.com" });
const POLICY = JSON.stringify({ retentionSeconds: null, maxDevicesPerUser: 2, forwardingAllowed: false });
const ORGS = JSON.stringify(["Org1MSP", "Org2MSP"]);

let world: MemoryWorld;
beforeEach(() => {
  world = new MemoryWorld([new KeyRegistryContract(), new AuditContract(), new PolicyContract(), new GovernanceContract()]);
});

describe("Governance: admin actions need a quorum of organisations", () => {
  test("before configuration an admin acts alone; after it, one organisation alone is refused", async () => {
    await world.invoke(ADMIN, "Policy:SetOrgPolicy", POLICY);
    await world.invoke(ADMIN, "Governance:Configure", ORGS, "2");
    await expect(world.invoke(ADMIN, "Policy:SetOrgPolicy", POLICY)).rejects.toThrow(/^CAIRN_E_FORBIDDEN: .*approval of 2 organisations/);
    await expect(world.invoke(ADMIN, "Audit:AuthorizeAppender", "Org1MSP", "a".repeat(64))).rejects.toThrow(/^CAIRN_E_FORBIDDEN: /);
    await expect(world.invoke(ADMIN, "Governance:Configure", ORGS, "1")).rejects.toThrow(/^CAIRN_E_CONFLICT: /);
  });

  test("a proposal runs only when the quorum's second organisation approves; a second admin of the same one does not count", async () => {
    await world.invoke(ADMIN, "Governance:Configure", ORGS, "2");
    const p = (await world.invoke(ADMIN, "Governance:Propose", "Policy:SetOrgPolicy", JSON.stringify([POLICY]))) as Proposal;
    expect(p.executed).toBeNull();
    expect(await world.invoke(CLIENT, "Policy:GetOrgPolicy")).toBeNull();
    await expect(world.invoke(ORG1_ADMIN_2, "Governance:Approve", p.id)).rejects.toThrow(/^CAIRN_E_CONFLICT: Org1MSP already approved/);
    await expect(world.invoke(ORG3_ADMIN, "Governance:Approve", p.id)).rejects.toThrow(/^CAIRN_E_FORBIDDEN: /);
    await expect(world.invoke(CLIENT, "Governance:Approve", p.id)).rejects.toThrow(/^CAIRN_E_FORBIDDEN: /);
    const done = (await world.invoke(ORG2_ADMIN, "Governance:Approve", p.id)) as Proposal;
    expect(done.approvals.map((a) => a.mspId)).toEqual(["Org1MSP", "Org2MSP"]);
    expect(done.executed?.txId).toBeTruthy();
    const record = LedgerOrgPolicyRecord.parse(await world.invoke(CLIENT, "Policy:GetOrgPolicy"));
    expect(record).toMatchObject({ version: 1, policy: { maxDevicesPerUser: 2 }, author: { mspId: "Org2MSP" } });
    await expect(world.invoke(ADMIN, "Governance:Approve", p.id)).rejects.toThrow(/^CAIRN_E_CONFLICT: .*executed/);
    expect(await world.invoke(CLIENT, "Governance:GetProposal", p.id)).toEqual(done);
  });

  test("proposals check their action and arguments at once, and changing the organisations needs the quorum too", async () => {
    await world.invoke(ADMIN, "Governance:Configure", ORGS, "2");
    const before = world.snapshot();
    for (const [action, args] of [
      ["Audit:AppendBatch", "[]"],
      ["Policy:SetOrgPolicy", JSON.stringify(["{}"])],
      ["Policy:SetOrgPolicy", "not json"],
      ["Audit:AuthorizeAppender", JSON.stringify(["Org1MSP", "short"])],
    ]) {
      await expect(world.invoke(ADMIN, "Governance:Propose", action as string, args as string)).rejects.toThrow(/^CAIRN_E_INVALID_ARGUMENT: /);
    }
    expect(world.snapshot()).toEqual(before);
    const p = (await world.invoke(ORG2_ADMIN, "Governance:Propose", "Governance:Configure", JSON.stringify([JSON.stringify(["Org1MSP", "Org2MSP", "Org3MSP"]), "2"]))) as Proposal;
    await world.invoke(ADMIN, "Governance:Approve", p.id);
    expect(await world.invoke(CLIENT, "Governance:GetConfig")).toMatchObject({ orgs: ["Org1MSP", "Org2MSP", "Org3MSP"], quorum: 2 });
  });

  test("Configure is checked: the caller's organisation among those named, a sane quorum", async () => {
    await expect(world.invoke(ORG3_ADMIN, "Governance:Configure", ORGS, "2")).rejects.toThrow(/^CAIRN_E_FORBIDDEN: /);
    await expect(world.invoke(CLIENT, "Governance:Configure", ORGS, "2")).rejects.toThrow(/^CAIRN_E_FORBIDDEN: /);
    await expect(world.invoke(ADMIN, "Governance:Configure", ORGS, "3")).rejects.toThrow(/^CAIRN_E_INVALID_ARGUMENT: quorum/);
    await expect(world.invoke(ADMIN, "Governance:Configure", JSON.stringify(["Org1MSP", "Org1MSP"]), "1")).rejects.toThrow(/^CAIRN_E_INVALID_ARGUMENT: /);
    await expect(world.invoke(ADMIN, "Governance:Propose", "Policy:SetOrgPolicy", JSON.stringify([POLICY]))).rejects.toThrow(/^CAIRN_E_NOT_FOUND: /);
  });
});
