/**
 * Completeness proved from the chain alone: each anchored batch committed the room's
 * head under its keyed reference, so an export that lacks anything anchored up to its
 * checkpoint fails with `incomplete-export`, whether the message was left out of the
 * bundle or deleted from the database before exporting, at the start, in the middle or
 * at the end. Real database, embedded ledger, the real anchoring round and exporter.
 */
import { verifyBundle, type VerifyReport } from "@cairn/audit";
import { exportRoom, roomRef } from "@cairn/anchoring";
import { anchorAll, createRoom, createUser, openTestLedger, send, SERVER_SECRET, type TestUser } from "@cairn/anchoring/testing";
import { nodeVerifyHost } from "@cairn/audit/node";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import type { Ledger } from "@cairn/ledger";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { codes, dump, messageIndex, parse, reseal, type Json } from "./bundle-lines";

let db: TestDatabase;
let ledger: Ledger;
let admin: TestUser;
let alice: TestUser;
let bob: TestUser;

const verify = (lines: string[]): Promise<VerifyReport> => verifyBundle(lines, { ...nodeVerifyHost(), ledger });

/** A room with six messages, anchored in batches of four (so its head moves between checkpoints). */
async function room(): Promise<string> {
  const roomId = await createRoom(db.prisma, alice, bob);
  for (let i = 0; i < 6; i++) await send(db.prisma, roomId, i % 2 === 0 ? alice : bob, i);
  await anchorAll(db.prisma, ledger, 4);
  return roomId;
}

async function exported(roomId: string, from?: Date): Promise<string[]> {
  const lines: string[] = [];
  await exportRoom({
    prisma: db.prisma,
    ledger,
    serverSecret: SERVER_SECRET,
    roomId,
    exporterUserId: admin.id,
    ...(from ? { from } : {}),
    out: (l) => void lines.push(l.replace(/\n$/, "")),
  });
  await anchorAll(db.prisma, ledger, 50);
  return lines;
}

/** What an operator with the database does before exporting: the message is gone (its audit leaf stays). */
async function deleteMessage(roomId: string, roomSeq: number): Promise<void> {
  await db.prisma.envelope.deleteMany({ where: { roomId, roomSeq } });
}

beforeAll(async () => {
  db = await createTestDatabase();
  ledger = openTestLedger(db.prisma);
  admin = await createUser(db.prisma, ledger, "admin1", "admin");
  alice = await createUser(db.prisma, ledger, "alice");
  bob = await createUser(db.prisma, ledger, "bob");
});

afterAll(async () => {
  await ledger?.close();
  await db?.drop();
});

describe("completeness from the chain's room heads", () => {
  test("an honest export is proven complete up to the room's head at its checkpoint", async () => {
    const roomId = await room();
    const lines = await exported(roomId);
    const header = parse(lines)[0] as Json & { completeness: { roomRef: string; treeSize: number } };
    expect(header.completeness.roomRef).toBe(roomRef(SERVER_SECRET, roomId));
    const r = await verify(lines);
    expect(r.findings).toEqual([]);
    expect(r.completeness).toMatchObject({ status: "proven", head: { roomSeq: 6 } });
    expect(r.completeness.detail).toContain("every message up to room sequence 6");
  });

  test.each([
    ["the first", 1],
    ["a middle", 3],
    ["the last", 6],
  ])("%s message deleted from the database before exporting: incomplete-export", async (_what, seq) => {
    const roomId = await room();
    await deleteMessage(roomId, seq);
    const r = await verify(await exported(roomId));
    expect(codes(r)).toContain("incomplete-export");
    expect(r.completeness.status).toBe("incomplete");
    expect(r.findings.find((f) => f.code === "incomplete-export")?.message).toContain(`room sequence ${seq}`);
  });

  test("the last message left out of the bundle (trailer resealed): incomplete-export", async () => {
    const roomId = await room();
    const objs = parse(await exported(roomId));
    objs.splice(messageIndex(objs, 6), 1);
    const header = objs[0] as Json & { extent: { lastSeq: number; messages: number } };
    header.extent = { ...header.extent, lastSeq: 5, messages: 5 };
    const r = await verify(reseal(dump(objs)));
    expect(codes(r)).toContain("incomplete-export");
  });

  test("another room's reference in the header is caught: the chain's head for it is not this room's", async () => {
    const roomId = await room();
    const other = await room();
    const objs = parse(await exported(roomId));
    (objs[0] as Json & { completeness: { roomRef: string } }).completeness.roomRef = roomRef(SERVER_SECRET, other);
    const r = await verify(reseal(dump(objs)));
    expect(codes(r)).toContain("incomplete-export");
  });

  test("a time-range export that starts later passes: only what its range holds is required", async () => {
    const roomId = await room();
    const third = await db.prisma.envelope.findFirstOrThrow({ where: { roomId, roomSeq: 3 } });
    const r = await verify(await exported(roomId, third.serverTime));
    expect(r.findings).toEqual([]);
    expect(r.completeness.status).toBe("proven");
    expect(r.completeness.detail).toContain("every message from the first exported up to room sequence 6");
  });

  test("a bundle without a room reference verifies, and says its completeness is not proven", async () => {
    const roomId = await room();
    const objs = parse(await exported(roomId));
    delete (objs[0] as Json & { completeness?: unknown }).completeness;
    const r = await verify(reseal(dump(objs)));
    expect(r.completeness.status).toBe("unchecked");
  });
});
