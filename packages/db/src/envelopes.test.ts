import { randomBytes } from "node:crypto";
import type { Envelope } from "@cairn/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leafHash } from "@cairn/audit";
import { auditLeafData } from "@cairn/protocol";
import { recordCheckpoint } from "./audit-log";
import { storeEnvelope } from "./envelopes";
import { createSession, findSession, deleteSession, readCookie } from "./sessions";
import { createTestDatabase, type TestDatabase } from "./testing";
import { listMessages } from "./messages";

let db: TestDatabase;
let userId: string;
let roomId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const user = await db.prisma.user.create({
    data: { username: "alice", salt: new Uint8Array(16), authHash: "x", identityPublicKey: new Uint8Array(32) },
  });
  userId = user.id;
  const room = await db.prisma.room.create({
    data: { name: "general", createdBy: userId, members: { create: { userId } } },
  });
  roomId = room.id;
});
afterAll(async () => {
  await db.drop();
});

function envelope(): Envelope {
  return {
    version: 1,
    roomId,
    senderDeviceId: "device-a",
    sessionId: randomBytes(16),
    index: 0,
    prevHash: new Uint8Array(32),
    nonce: randomBytes(24),
    ciphertext: randomBytes(40),
    signature: randomBytes(64),
  };
}

describe("storeEnvelope", () => {
  it("gives consecutive room sequence numbers and leaf indices, and stores the protocol's leaf hash", async () => {
    const e = envelope();
    const a = await storeEnvelope(db.prisma, { envelope: envelope(), clientMsgId: "msg-0001", senderUserId: userId });
    const b = await storeEnvelope(db.prisma, { envelope: e, clientMsgId: "msg-0002", senderUserId: userId });
    expect(b.roomSeq).toBe(a.roomSeq + 1);
    expect(b.leafIndex).toBe(a.leafIndex + 1);
    const leaf = await db.prisma.auditLeaf.findUnique({ where: { leafIndex: BigInt(b.leafIndex) } });
    const expected = leafHash(auditLeafData({ envelope: e, roomSeq: b.roomSeq, serverTimeMs: b.serverTime.getTime() }));
    expect(leaf?.leafHash).toEqual(new Uint8Array(expected));
    expect(b.serverTime.getTime() % 1).toBe(0);
    const row = await db.prisma.envelope.findUniqueOrThrow({ where: { id: b.id } });
    expect(row.serverTime.getTime()).toBe(b.serverTime.getTime());
  });

  it("agrees with the protocol's leaf hash for envelopes of any size (the cross-check throws otherwise)", async () => {
    for (const size of [0, 1, 255, 256, 65_535, 48 * 1024]) {
      const e = { ...envelope(), ciphertext: randomBytes(size) };
      const ref = await storeEnvelope(db.prisma, {
        envelope: e,
        clientMsgId: `msg-size-${size}`,
        senderUserId: userId,
      });
      expect(ref.created).toBe(true);
    }
  });

  it("stores a resent clientMsgId once and returns the same ack, even when resends race", async () => {
    const e = envelope();
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        storeEnvelope(db.prisma, { envelope: e, clientMsgId: "msg-race-1", senderUserId: userId }),
      ),
    );
    const seqs = new Set(results.map((r) => r.roomSeq));
    expect(seqs.size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const count = await db.prisma.envelope.count({ where: { clientMsgId: "msg-race-1" } });
    expect(count).toBe(1);
  });

  it("leaves no gap in leaf indices under concurrent senders", async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        storeEnvelope(db.prisma, { envelope: envelope(), clientMsgId: `msg-par-${i}xx`, senderUserId: userId }),
      ),
    );
    const leaves = await db.prisma.auditLeaf.findMany({ orderBy: { leafIndex: "asc" } });
    expect(leaves.map((l) => Number(l.leafIndex))).toEqual(leaves.map((_, i) => i));
    const history = await listMessages(db.prisma, roomId, { limit: 200 });
    expect(history.map((m) => m.roomSeq)).toEqual(history.map((_, i) => i + 1));
    expect(history.every((m) => m.anchoredTreeSize === null)).toBe(true);
  });

  it("refuses an unknown room", async () => {
    const e = { ...envelope(), roomId: "00000000-0000-4000-8000-000000000000" };
    await expect(
      storeEnvelope(db.prisma, { envelope: e, clientMsgId: "msg-noroom", senderUserId: userId }),
    ).rejects.toMatchObject({ code: "ROOM_NOT_FOUND" });
  });
});

describe("sessions", () => {
  it("finds a live session by its token only, and forgets it on logout", async () => {
    const { token } = await createSession(db.prisma, userId);
    expect((await findSession(db.prisma, token))?.user.username).toBe("alice");
    expect(await findSession(db.prisma, token + "x")).toBeNull();
    const stored = await db.prisma.session.findMany();
    expect(JSON.stringify(stored)).not.toContain(token);
    await deleteSession(db.prisma, token);
    expect(await findSession(db.prisma, token)).toBeNull();
  });

  it("treats an expired session as none", async () => {
    const { token } = await createSession(db.prisma, userId, new Date(Date.now() - 31 * 24 * 3600 * 1000));
    expect(await findSession(db.prisma, token)).toBeNull();
  });

  it("reads a cookie out of a raw header", () => {
    expect(readCookie("a=1; cairn_session=abc%3D; b=2", "cairn_session")).toBe("abc=");
    expect(readCookie(undefined, "cairn_session")).toBeUndefined();
  });
});

describe("recordCheckpoint", () => {
  it("is idempotent under concurrent recording of the same checkpoint", async () => {
    const cp = { treeSize: 7, rootHash: "07".repeat(32), txId: "tx7", time: new Date().toISOString() };
    await Promise.all(Array.from({ length: 8 }, () => recordCheckpoint(db.prisma, cp)));
    const rows = await db.prisma.checkpoint.findMany({ where: { treeSize: 7n } });
    expect(rows).toHaveLength(1);
    expect(rows[0]?.txId).toBe("tx7");
  });
});
