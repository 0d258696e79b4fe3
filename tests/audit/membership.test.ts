/**
 * Who was in the room when each message was sent, checked from the export alone: the
 * bundle carries the room's signed membership chain with inclusion proofs, and the
 * verifier replays it and judges each sender at the message's leaf. Real database,
 * embedded ledger, rooms written the way the web app writes them.
 */
import { verifyBundle, type VerifyReport } from "@cairn/audit";
import { exportRoom } from "@cairn/anchoring";
import { anchorAll, appendMembership, createRoom, createUser, openTestLedger, send, SERVER_SECRET, type TestUser } from "@cairn/anchoring/testing";
import { nodeVerifyHost } from "@cairn/audit/node";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import type { Ledger } from "@cairn/ledger";
import { fromBase64Url, toBase64Url } from "@cairn/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { codes, dump, messageIndex, parse, reseal, type Json } from "./bundle-lines";

let db: TestDatabase;
let ledger: Ledger;
let admin: TestUser;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

const verify = (lines: string[]): Promise<VerifyReport> => verifyBundle(lines, { ...nodeVerifyHost(), ledger });

async function exported(roomId: string): Promise<string[]> {
  await anchorAll(db.prisma, ledger, 50);
  const lines: string[] = [];
  await exportRoom({ prisma: db.prisma, ledger, serverSecret: SERVER_SECRET, roomId, exporterUserId: admin.id, out: (l) => void lines.push(l.replace(/\n$/, "")) });
  await anchorAll(db.prisma, ledger, 50);
  return lines;
}

beforeAll(async () => {
  db = await createTestDatabase();
  ledger = openTestLedger(db.prisma);
  admin = await createUser(db.prisma, ledger, "admin1", "admin");
  alice = await createUser(db.prisma, ledger, "alice");
  bob = await createUser(db.prisma, ledger, "bob");
  carol = await createUser(db.prisma, ledger, "carol");
});

afterAll(async () => {
  await ledger?.close();
  await db?.drop();
});

describe("an honest room's export", () => {
  let lines: string[];

  beforeAll(async () => {
    const roomId = await createRoom(db.prisma, alice, bob);
    await send(db.prisma, roomId, alice, 0);
    await send(db.prisma, roomId, bob, 0);
    await appendMembership(db.prisma, roomId, alice, "add", [carol]);
    await send(db.prisma, roomId, carol, 0);
    await appendMembership(db.prisma, roomId, bob, "leave", [bob]);
    await send(db.prisma, roomId, alice, 1);
    lines = await exported(roomId);
  });

  test("carries the chain before the messages and verifies: every sender was a member when they sent", async () => {
    const types = parse(lines).map((o) => o.type);
    expect(types.filter((t) => t === "membership")).toHaveLength(3);
    expect(types.indexOf("message")).toBeGreaterThan(types.lastIndexOf("membership"));
    const r = await verify(lines);
    expect(r.findings).toEqual([]);
    expect(r.membership).toEqual({ status: "verified", events: 3, members: 2, unchecked: 0 });
  });

  test("an edited membership event (bob's leave re-dated) breaks its signature and its leaf", async () => {
    const objs = parse(lines);
    const leave = objs.filter((o) => o.type === "membership")[2] as Json & { body: string };
    const body = fromBase64Url(leave.body);
    body[body.length - 1] = (body[body.length - 1] as number) ^ 1;
    leave.body = toBase64Url(body);
    const r = await verify(reseal(dump(objs)));
    expect(codes(r)).toEqual(expect.arrayContaining(["membership-invalid", "leaf-hash-mismatch"]));
    expect(r.membership.status).toBe("broken");
    expect(r.findings.find((f) => f.code === "membership-invalid")?.message).toContain("BAD_SIGNATURE");
  });

  test("a membership event moved after the messages is reordered", async () => {
    const objs = parse(lines);
    const at = objs.findIndex((o) => o.type === "membership" && o.seq === 2);
    const [moved] = objs.splice(at, 1);
    objs.splice(objs.length - 1, 0, moved as Json);
    const r = await verify(reseal(dump(objs)));
    expect(codes(r)).toContain("reordered");
  });

  test("dropping bob's leave from the bundle is caught by the export's record on chain", async () => {
    const objs = parse(lines).filter((o) => !(o.type === "membership" && o.seq === 2));
    const r = await verify(reseal(dump(objs)));
    expect(codes(r)).toEqual(["export-record-mismatch"]);
  });
});

describe("a sender the chain does not vouch for", () => {
  test("a member the operator inserted into the database (never added by a signed event) is sender-not-member", async () => {
    const roomId = await createRoom(db.prisma, alice);
    await db.prisma.roomMember.create({ data: { roomId, userId: bob.id } });
    await send(db.prisma, roomId, alice, 0);
    await send(db.prisma, roomId, bob, 0);
    const lines = await exported(roomId);
    const r = await verify(lines);
    expect(r.findings).toEqual([expect.objectContaining({ code: "sender-not-member", roomSeq: 2, line: messageIndex(parse(lines), 2) + 1 })]);
  });

  test("a message stored after its sender was removed is sender-not-member; their earlier ones are not", async () => {
    const roomId = await createRoom(db.prisma, alice, bob);
    await send(db.prisma, roomId, bob, 0);
    await appendMembership(db.prisma, roomId, alice, "remove", [bob]);
    // The operator lets bob back in without an event.
    await db.prisma.roomMember.create({ data: { roomId, userId: bob.id } });
    await send(db.prisma, roomId, bob, 1);
    const r = await verify(await exported(roomId));
    expect(codes(r)).toEqual(["sender-not-member"]);
    expect(r.findings[0]?.roomSeq).toBe(2);
  });

  test("a room without a chain is reported as not checked, not as verified", async () => {
    const room = await db.prisma.room.create({ data: { name: "legacy", createdBy: alice.id, members: { create: [{ userId: alice.id }] } } });
    await send(db.prisma, room.id, alice, 0);
    const r = await verify(await exported(room.id));
    expect(r.ok).toBe(true);
    expect(r.membership).toEqual({ status: "absent", events: 0, members: 0, unchecked: 0 });
  });
});
