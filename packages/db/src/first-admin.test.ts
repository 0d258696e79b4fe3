/**
 * The first account is admin from the moment it exists: claimFirstAdmin in the
 * creating transaction, against a real, migrated PostgreSQL — once, for the first
 * account only, and exactly one admin when the first sign-ups run concurrently.
 */
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PrismaClient } from "./client";
import { claimFirstAdmin } from "./first-admin";
import { createTestDatabase, type TestDatabase } from "./testing";

let db: TestDatabase;

beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  await db.drop();
});

/** A sign-up as the web app does it: the user created and the claim made in one transaction. */
async function signUp(
  prisma: PrismaClient,
  username: string,
  beforeCommit?: () => Promise<void>,
): Promise<{ id: string; admin: boolean }> {
  return prisma.$transaction(async (tx) => {
    const user = await tx.user.create({
      data: {
        username,
        salt: randomBytes(16),
        authHash: "unused",
        identityPublicKey: randomBytes(32),
      },
    });
    const admin = await claimFirstAdmin(tx, user.id);
    await beforeCommit?.();
    return { id: user.id, admin };
  });
}

const roleOf = async (id: string) =>
  (await db.prisma.user.findUniqueOrThrow({ where: { id }, select: { role: true } })).role;

describe("claimFirstAdmin", () => {
  it("makes the first account admin in its own transaction, and no later one", async () => {
    const first = await signUp(db.prisma, "first");
    expect(first.admin).toBe(true);
    expect(await roleOf(first.id)).toBe("admin");
    const second = await signUp(db.prisma, "second");
    expect(second.admin).toBe(false);
    expect(await roleOf(second.id)).toBe("member");
  });

  it("a sign-up that rolls back leaves no admin, and the next account is admin", async () => {
    await expect(
      signUp(db.prisma, "gone", () => Promise.reject(new Error("device insert failed"))),
    ).rejects.toThrow("device insert failed");
    expect(await db.prisma.user.count()).toBe(0);
    const next = await signUp(db.prisma, "next");
    expect(await roleOf(next.id)).toBe("admin");
  });

  it("concurrent first sign-ups make exactly one admin", async () => {
    // The first holds its transaction open after claiming; the second must wait for it.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const a = signUp(db.prisma, "a", () => held);
    await new Promise((r) => setTimeout(r, 200)); // let "a" take the lock first
    const b = signUp(db.prisma, "b");
    setTimeout(release, 200);
    const results = await Promise.all([a, b]);
    expect(results.map((r) => r.admin)).toEqual([true, false]);
    expect(await db.prisma.user.count({ where: { role: "admin" } })).toBe(1);
  });

  it("an installation whose accounts predate the rule: a newcomer does not take admin from the earliest account", async () => {
    const old = await db.prisma.user.create({
      data: {
        username: "old",
        salt: randomBytes(16),
        authHash: "unused",
        identityPublicKey: randomBytes(32),
        createdAt: new Date("2026-01-01T00:00:00Z"),
      },
    });
    const newcomer = await signUp(db.prisma, "newcomer");
    expect(newcomer.admin).toBe(false);
    expect(await roleOf(old.id)).toBe("member");
  });
});
