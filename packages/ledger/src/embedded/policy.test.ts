import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LedgerError } from "../errors";
import type { LedgerRoomPolicy } from "../ledger";
import { createEmbeddedLedger, type EmbeddedLedger } from "./embedded-ledger";

let db: TestDatabase;
let relay: EmbeddedLedger;
let admin: EmbeddedLedger;

beforeAll(async () => {
  db = await createTestDatabase();
  relay = createEmbeddedLedger({ prisma: db.prisma });
  admin = relay.withIdentity({ mspId: "CairnEmbeddedMSP", role: "admin" });
});
afterAll(async () => {
  await relay.close();
  await db.drop();
});

const room = (n: number) => n.toString(16).padStart(64, "0");
const journaled: LedgerRoomPolicy = {
  retentionSeconds: 86_400,
  forwardingAllowed: false,
  complianceJournalKey: Buffer.alloc(32, 7).toString("base64url"),
};

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => null,
    (e: unknown) => e,
  );
}

describe("embedded ledger: policies (Policy contract)", () => {
  test("an admin sets a room policy; every change is a new version with its author", async () => {
    expect(await admin.getRoomPolicy(room(1))).toBeNull();
    const first = await admin.setRoomPolicy(room(1), journaled);
    expect(first).toMatchObject({ scope: `room:${room(1)}`, version: 1, policy: journaled });
    expect(first.author.mspId).toBe("CairnEmbeddedMSP");
    expect(first.author.idHash).toMatch(/^[0-9a-f]{64}$/);
    const open = { retentionSeconds: null, forwardingAllowed: true, complianceJournalKey: null };
    const second = await admin.setRoomPolicy(room(1), open);
    expect(second.version).toBe(2);
    expect(await relay.getRoomPolicy(room(1))).toEqual(second);
    // The chain keeps every version, readable by anyone on the channel.
    expect(await relay.getRoomPolicyHistory(room(1))).toEqual([first, second]);
    expect(await relay.getRoomPolicyHistory(room(9))).toEqual([]);
    expect(await relay.getOrgPolicyHistory()).toEqual([]);
  });

  test("a non-admin policy change is refused (FORBIDDEN) and changes nothing", async () => {
    const client = relay.withIdentity({ mspId: "CairnEmbeddedMSP", role: "client" });
    for (const who of [relay, client]) {
      const err = await rejection(who.setRoomPolicy(room(2), journaled));
      expect(err).toBeInstanceOf(LedgerError);
      expect((err as LedgerError).code).toBe("FORBIDDEN");
      const orgErr = await rejection(
        who.setOrgPolicy({ retentionSeconds: null, maxDevicesPerUser: 3, forwardingAllowed: true }),
      );
      expect((orgErr as LedgerError).code).toBe("FORBIDDEN");
    }
    expect(await relay.getRoomPolicy(room(2))).toBeNull();
    expect(await relay.getOrgPolicy()).toBeNull();
  });

  test("the organisation policy round-trips; out-of-range values are the contract's INVALID_ARGUMENT", async () => {
    const org = { retentionSeconds: 3_600, maxDevicesPerUser: 5, forwardingAllowed: false };
    expect((await admin.setOrgPolicy(org)).policy).toEqual(org);
    expect((await relay.getOrgPolicy())?.policy).toEqual(org);
    const err = await rejection(admin.setOrgPolicy({ ...org, retentionSeconds: 1 }));
    expect((err as LedgerError).code).toBe("INVALID_ARGUMENT");
  });

  test("checks arguments at the door", async () => {
    await expect(admin.getRoomPolicy(42 as unknown as string)).rejects.toBeInstanceOf(TypeError);
    await expect(admin.getRoomPolicy("ab")).rejects.toBeInstanceOf(RangeError);
    await expect(admin.getRoomPolicy("Z".repeat(64))).rejects.toBeInstanceOf(TypeError);
    await expect(
      admin.setRoomPolicy(room(3), { ...journaled, forwardingAllowed: "no" as unknown as boolean }),
    ).rejects.toBeInstanceOf(TypeError);
  });
});
