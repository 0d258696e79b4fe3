import { toBase64Url, type StoredMessage, type LedgerCheckpoint } from "@cairn/protocol";
import type { PrismaClient } from "./client";
import { Prisma } from "./client";

interface MessageRow {
  roomId: string;
  roomSeq: number;
  leafIndex: bigint;
  serverTime: Date;
  senderUserId: string;
  senderUsername: string;
  senderDeviceId: string;
  sessionId: Uint8Array;
  index: number;
  prevHash: Uint8Array;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  signature: Uint8Array;
  anchoredTreeSize: bigint | null;
}

function toStored(r: MessageRow): StoredMessage {
  return {
    roomId: r.roomId,
    roomSeq: r.roomSeq,
    leafIndex: Number(r.leafIndex),
    serverTime: r.serverTime.toISOString(),
    senderUserId: r.senderUserId,
    senderUsername: r.senderUsername,
    envelope: {
      version: 1,
      roomId: r.roomId,
      senderDeviceId: r.senderDeviceId,
      sessionId: toBase64Url(r.sessionId),
      index: r.index,
      prevHash: toBase64Url(r.prevHash),
      nonce: toBase64Url(r.nonce),
      ciphertext: toBase64Url(r.ciphertext),
      signature: toBase64Url(r.signature),
    },
    anchoredTreeSize: r.anchoredTreeSize === null ? null : Number(r.anchoredTreeSize),
  };
}

const SELECT_MESSAGES = Prisma.sql`
  SELECT e."roomId"::text AS "roomId", e."roomSeq", e."leafIndex", e."serverTime",
         e."senderUserId"::text AS "senderUserId", u.username AS "senderUsername",
         e."senderDeviceId", e."sessionId", e."index", e."prevHash", e.nonce, e.ciphertext, e.signature,
         (SELECT min(c."treeSize") FROM "Checkpoint" c WHERE c."treeSize" > e."leafIndex") AS "anchoredTreeSize"
  FROM "Envelope" e JOIN "User" u ON u.id = e."senderUserId"`;

/** A page of a room's history, oldest first, ending before `beforeSeq` (or at the newest). */
export async function listMessages(
  prisma: PrismaClient,
  roomId: string,
  opts: { beforeSeq?: number | undefined; limit: number },
): Promise<StoredMessage[]> {
  const before = opts.beforeSeq ?? 2 ** 31 - 1;
  const rows = await prisma.$queryRaw<MessageRow[]>`
    ${SELECT_MESSAGES}
    WHERE e."roomId" = ${roomId}::uuid AND e."roomSeq" < ${before}
    ORDER BY e."roomSeq" DESC LIMIT ${opts.limit}`;
  return rows.reverse().map(toStored);
}

export async function isRoomMember(prisma: PrismaClient, roomId: string, userId: string): Promise<boolean> {
  const row = await prisma.roomMember.findUnique({
    where: { roomId_userId: { roomId, userId } },
    select: { userId: true },
  });
  return row !== null;
}

/** True when the two users are members of at least one common room (a user shares one with themself). */
export async function shareARoom(prisma: PrismaClient, a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  const rows = await prisma.$queryRaw<{ one: number }[]>`
    SELECT 1 AS one FROM "RoomMember" x JOIN "RoomMember" y ON x."roomId" = y."roomId"
    WHERE x."userId" = ${a}::uuid AND y."userId" = ${b}::uuid LIMIT 1`;
  return rows.length > 0;
}

/** A Checkpoint row as the chain recorded it (the column ledgerTime holds its `time`). */
export function checkpointView(c: { treeSize: bigint; rootHash: Uint8Array; txId: string; ledgerTime: Date }): LedgerCheckpoint {
  return {
    treeSize: Number(c.treeSize),
    rootHash: Buffer.from(c.rootHash).toString("hex"),
    txId: c.txId,
    time: c.ledgerTime.toISOString(),
  };
}

export async function latestCheckpoint(prisma: PrismaClient): Promise<LedgerCheckpoint | null> {
  const c = await prisma.checkpoint.findFirst({ orderBy: { treeSize: "desc" } });
  return c ? checkpointView(c) : null;
}
