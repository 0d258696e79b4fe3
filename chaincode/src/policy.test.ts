import { LedgerOrgPolicyRecord, LedgerRoomPolicyRecord } from "@cairn/protocol";
import { beforeEach, describe, expect, test } from "vitest";
import { PolicyContract } from "./policy";
import type { PolicyRecord, RoomPolicy } from "./policy-state";
import { ADMIN, CLIENT, MemoryWorld, RELAY, b64, ed25519, identity, ref } from "./memory-stub.testutil";

let world: MemoryWorld;
const org = { retentionSeconds: 86_400, maxDevicesPerUser: 5, forwardingAllowed: false };
const room = () => ({ retentionSeconds: null, forwardingAllowed: false, complianceJournalKey: ed25519().publicB64 });

beforeEach(() => {
  world = new MemoryWorld([new PolicyContract()]);
});

describe("Policy", () => {
  test("an admin sets the org policy; each change is versioned with its author", async () => {
    expect(await world.invoke(CLIENT, "Policy:GetOrgPolicy")).toBeNull();
    const first = (await world.invoke(ADMIN, "Policy:SetOrgPolicy", JSON.stringify(org))) as PolicyRecord<typeof org>;
    expect(first).toMatchObject({ scope: "org", version: 1, policy: org, txId: "tx0002", author: { mspId: "Org1MSP" } });
    expect(first.author.idHash).toMatch(/^[0-9a-f]{64}$/);
    const admin2 = identity({ mspId: "Org2MSP", ou: "admin", cn: "Admin@org2.example.com" });
    await world.invoke(admin2, "Policy:SetOrgPolicy", JSON.stringify({ ...org, forwardingAllowed: true }));
    const history = (await world.invoke(CLIENT, "Policy:GetPolicyHistory", "org")) as PolicyRecord<typeof org>[];
    expect(history.map((h) => [h.version, h.author.mspId, h.policy.forwardingAllowed])).toEqual([
      [1, "Org1MSP", false],
      [2, "Org2MSP", true],
    ]);
    expect(await world.invoke(CLIENT, "Policy:GetOrgPolicy")).toEqual(history[1]);
  });

  test("non-admins cannot change policy (the relay included)", async () => {
    for (const who of [CLIENT, RELAY]) {
      await expect(world.invoke(who, "Policy:SetOrgPolicy", JSON.stringify(org))).rejects.toThrow(/^CAIRN_E_FORBIDDEN: /);
      await expect(world.invoke(who, "Policy:SetRoomPolicy", ref(1), JSON.stringify(room()))).rejects.toThrow(
        /^CAIRN_E_FORBIDDEN: /,
      );
    }
    expect(world.state.size).toBe(0);
  });

  test("room policies name the compliance journal key", async () => {
    const policy = room();
    await world.invoke(ADMIN, "Policy:SetRoomPolicy", ref(1), JSON.stringify(policy));
    const got = (await world.invoke(CLIENT, "Policy:GetRoomPolicy", ref(1))) as PolicyRecord<RoomPolicy>;
    expect(got.policy).toEqual(policy);
    expect(await world.invoke(CLIENT, "Policy:GetRoomPolicy", ref(2))).toBeNull();
    expect(await world.invoke(CLIENT, "Policy:GetPolicyHistory", ref(1))).toHaveLength(1);
  });

  test("malformed policies are rejected", async () => {
    const bad = [
      "not json",
      "[]",
      JSON.stringify({ ...org, extra: 1 }),
      JSON.stringify({ retentionSeconds: 1, maxDevicesPerUser: 5, forwardingAllowed: true }),
      JSON.stringify({ ...org, maxDevicesPerUser: 0 }),
      JSON.stringify({ ...org, forwardingAllowed: "yes" }),
    ];
    for (const p of bad) {
      await expect(world.invoke(ADMIN, "Policy:SetOrgPolicy", p)).rejects.toThrow(/^CAIRN_E_INVALID_ARGUMENT: /);
    }
    const badRoom = { ...room(), complianceJournalKey: b64(new Uint8Array(31)) };
    await expect(world.invoke(ADMIN, "Policy:SetRoomPolicy", ref(1), JSON.stringify(badRoom))).rejects.toThrow(
      /^CAIRN_E_INVALID_ARGUMENT: /,
    );
    await expect(world.invoke(ADMIN, "Policy:SetRoomPolicy", "room-1", JSON.stringify(room()))).rejects.toThrow(
      /^CAIRN_E_INVALID_ARGUMENT: roomRef/,
    );
  });
});

describe("Policy: records are the shared @cairn/protocol shape", () => {
  test("org and room records, and their history, parse with the shared schemas unchanged", async () => {
    const orgRecord = await world.invoke(ADMIN, "Policy:SetOrgPolicy", JSON.stringify(org));
    expect(LedgerOrgPolicyRecord.parse(orgRecord)).toEqual(orgRecord);
    const roomRecord = await world.invoke(ADMIN, "Policy:SetRoomPolicy", ref(1), JSON.stringify(room()));
    expect(LedgerRoomPolicyRecord.parse(roomRecord)).toEqual(roomRecord);
    expect(LedgerRoomPolicyRecord.parse(await world.invoke(CLIENT, "Policy:GetRoomPolicy", ref(1)))).toEqual(roomRecord);
    const history = (await world.invoke(CLIENT, "Policy:GetPolicyHistory", "org")) as unknown[];
    expect(history.map((h) => LedgerOrgPolicyRecord.parse(h))).toEqual([orgRecord]);
  });
});
