/**
 * Roles and the admin dashboard's query against a real, migrated PostgreSQL: the
 * first account becomes admin (once), admins grant and revoke the compliance role,
 * everyone else gets 403 from the admin API, and the anchoring lag per checkpoint is
 * ledger time minus the creation of its batch's first leaf.
 */
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@cairn/db";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { CairnError } from "@cairn/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anchoringLag, anchoringStatus } from "./admin-lag";
import { listAllRooms } from "./admin-rooms";
import { listUsers, setComplianceRole } from "./admin-users";
import { planExport } from "@cairn/anchoring/export";
import { errorResponse } from "./http";
import { accessOf, requireAdmin, requireVerifier, resolveRole } from "./roles";

let tdb: TestDatabase;
let prisma: PrismaClient;

async function user(name: string, createdAt: string, role?: string): Promise<string> {
  const u = await prisma.user.create({
    data: { username: name, salt: new Uint8Array(16), authHash: "x", identityPublicKey: new Uint8Array(32), createdAt: new Date(createdAt), ...(role ? { role } : {}) },
  });
  return u.id;
}

/** The status the API answers for what `fn` throws. */
async function statusOf(fn: () => Promise<unknown>): Promise<number> {
  try {
    await fn();
    return 200;
  } catch (err) {
    return errorResponse(err).status;
  }
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  prisma = tdb.prisma;
});

afterAll(async () => {
  await tdb.drop();
});

describe("roles", () => {
  let first: string;
  let second: string;
  let third: string;

  it("the earliest account becomes admin the first time its role is resolved, and only it", async () => {
    second = await user("second", "2026-01-02T00:00:00Z");
    first = await user("first", "2026-01-01T00:00:00Z");
    third = await user("third", "2026-01-03T00:00:00Z");
    expect(await resolveRole(prisma, second)).toBe("member");
    expect(await resolveRole(prisma, first)).toBe("admin");
    expect((await prisma.user.findUniqueOrThrow({ where: { id: first } })).role).toBe("admin");
    expect(await resolveRole(prisma, third)).toBe("member");
  });

  it("concurrent resolutions promote exactly one account", async () => {
    const results = await Promise.all([first, second, third, first, second].map((id) => resolveRole(prisma, id)));
    expect(results).toEqual(["admin", "member", "member", "admin", "member"]);
    expect(await prisma.user.count({ where: { role: "admin" } })).toBe(1);
  });

  it("an admin grants and revokes the compliance role", async () => {
    expect(await setComplianceRole(prisma, first, second, "compliance")).toMatchObject({ id: second, role: "compliance" });
    expect(accessOf(await resolveRole(prisma, second))).toEqual({ role: "compliance", canAdminister: false, canVerify: true });
    await expect(requireVerifier(prisma, second)).resolves.toBe("compliance");
    const users = await listUsers(prisma, first);
    expect(users.map((u) => [u.username, u.role])).toEqual([
      ["first", "admin"],
      ["second", "compliance"],
      ["third", "member"],
    ]);
    expect((await setComplianceRole(prisma, first, second, "member")).role).toBe("member");
    expect(await resolveRole(prisma, second)).toBe("member");
  });

  it("non-admins get 403 from every admin operation; members 403 from the compliance pages", async () => {
    await setComplianceRole(prisma, first, second, "compliance");
    for (const actor of [second, third]) {
      expect(await statusOf(() => requireAdmin(prisma, actor))).toBe(403);
      expect(await statusOf(() => listUsers(prisma, actor))).toBe(403);
      expect(await statusOf(() => listAllRooms(prisma, actor))).toBe(403);
      expect(await statusOf(() => setComplianceRole(prisma, actor, third, "compliance"))).toBe(403);
    }
    expect(await statusOf(() => requireVerifier(prisma, third))).toBe(403);
    expect(await statusOf(() => requireVerifier(prisma, second))).toBe(200);
    // the role a non-admin tried to give stayed unchanged
    expect(await resolveRole(prisma, third)).toBe("member");
  });

  it("an admin's role cannot be changed from the UI, and unknown users are 404", async () => {
    await expect(setComplianceRole(prisma, first, first, "member")).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(setComplianceRole(prisma, first, randomUUID(), "compliance")).rejects.toMatchObject({ code: "USER_NOT_FOUND" });
    await expect(resolveRole(prisma, randomUUID())).rejects.toBeInstanceOf(CairnError);
  });

  it("an admin lists every room for export; an unknown room is 404", async () => {
    const room = await prisma.room.create({ data: { name: "finance", createdBy: third, members: { create: [{ userId: third }] } } });
    const rooms = await listAllRooms(prisma, first);
    expect(rooms).toEqual([expect.objectContaining({ id: room.id, name: "finance", members: 1, lastSeq: 0 })]);
    expect(await statusOf(() => planExport(prisma, randomUUID(), null, null))).toBe(404);
  });
});

describe("anchoring lag", () => {
  const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

  it("is ledger time minus the first leaf of each batch, oldest checkpoint first", async () => {
    // Leaves 0-2 created at 0, 1, 2 s; anchored at 5 s (size 3). Leaves 3-4 at 10, 11 s; anchored at 12.5 s (size 5). Leaf 5 pending.
    const created = [0, 1, 2, 10, 11, 20];
    for (const [i, s] of created.entries()) {
      await prisma.auditLeaf.create({ data: { leafIndex: BigInt(i), leafHash: new Uint8Array(32).fill(i), kind: "message", createdAt: t(s) } });
    }
    await prisma.checkpoint.create({ data: { treeSize: 3n, rootHash: new Uint8Array(32), txId: "tx-a", ledgerTime: t(5) } });
    await prisma.checkpoint.create({ data: { treeSize: 5n, rootHash: new Uint8Array(32), txId: "tx-b", ledgerTime: new Date(t(12).getTime() + 500) } });
    expect(await anchoringLag(prisma)).toEqual([
      { treeSize: 3, leaves: 3, txId: "tx-a", time: t(5).toISOString(), firstLeafAt: t(0).toISOString(), lagMs: 5000 },
      { treeSize: 5, leaves: 2, txId: "tx-b", time: "2026-01-01T00:00:12.500Z", firstLeafAt: t(10).toISOString(), lagMs: 2500 },
    ]);
    // the newest `limit` only
    expect((await anchoringLag(prisma, 1)).map((p) => p.treeSize)).toEqual([5]);
  });

  it("status: tree size, pending leaves and their age, ledger kind", async () => {
    expect(await anchoringStatus(prisma, t(30))).toEqual({
      treeSize: 5,
      leaves: 6,
      pending: 1,
      oldestPendingMs: 10_000,
      ledger: "fabric",
      latestCheckpoint: { treeSize: 5, txId: "tx-b", time: "2026-01-01T00:00:12.500Z" },
    });
  });
});
