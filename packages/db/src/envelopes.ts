/**
 * Storing an envelope: one transaction allocates the room sequence number and the
 * global leaf index (both under row locks, so leaf order is commit order), writes
 * the envelope and its audit leaf. Only then may the relay acknowledge it.
 */
import { CairnError, type Envelope } from "@cairn/protocol";
import type { PrismaClient, Tx } from "./client";
import { Prisma } from "./client";

export interface StoreEnvelopeInput {
  envelope: Envelope;
  clientMsgId: string;
  senderUserId: string;
  /** RFC 9162 leaf hash of the canonical envelope with its room sequence number and server time. */
  leafHashOf: (roomSeq: number, serverTimeMs: number) => Uint8Array;
  now?: Date;
}

export interface StoredEnvelopeRef {
  id: bigint;
  roomSeq: number;
  leafIndex: number;
  serverTime: Date;
  /** False when this (device, clientMsgId) was stored before: a resend after a reconnect. */
  created: boolean;
}

function bytes(u8: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(u8);
}

/** Allocates the next leaf index; the row lock is held until the transaction commits. */
export async function allocateLeaf(tx: Tx): Promise<number> {
  const rows = await tx.$queryRaw<{ leaf: bigint }[]>`
    UPDATE "AuditHead" SET "nextLeaf" = "nextLeaf" + 1 WHERE id = 1 RETURNING "nextLeaf" - 1 AS leaf`;
  const leaf = rows[0]?.leaf;
  if (leaf === undefined) throw new Error("AuditHead row missing: database not migrated");
  return Number(leaf);
}

async function findExisting(db: PrismaClient | Tx, deviceId: string, clientMsgId: string) {
  return db.envelope.findUnique({
    where: { senderDeviceId_clientMsgId: { senderDeviceId: deviceId, clientMsgId } },
    select: { id: true, roomSeq: true, leafIndex: true, serverTime: true, roomId: true },
  });
}

/**
 * Stores an envelope exactly once per (sender device, clientMsgId).
 * @throws CairnError CONFLICT when the same clientMsgId was used for another room
 */
export async function storeEnvelope(
  prisma: PrismaClient,
  input: StoreEnvelopeInput,
): Promise<StoredEnvelopeRef> {
  const { envelope: e } = input;
  const resend = async (): Promise<StoredEnvelopeRef | null> => {
    const existing = await findExisting(prisma, e.senderDeviceId, input.clientMsgId);
    if (!existing) return null;
    if (existing.roomId !== e.roomId) {
      throw new CairnError("CONFLICT", "clientMsgId already used for another room");
    }
    return {
      id: existing.id,
      roomSeq: existing.roomSeq,
      leafIndex: Number(existing.leafIndex),
      serverTime: existing.serverTime,
      created: false,
    };
  };
  const before = await resend();
  if (before) return before;
  try {
    return await prisma.$transaction(async (tx) => {
      const room = await tx.$queryRaw<{ seq: number }[]>`
        UPDATE "Room" SET "lastSeq" = "lastSeq" + 1 WHERE id = ${e.roomId}::uuid RETURNING "lastSeq" AS seq`;
      const roomSeq = room[0]?.seq;
      if (roomSeq === undefined) throw new CairnError("ROOM_NOT_FOUND", "No such room.");
      const leafIndex = await allocateLeaf(tx);
      // Millisecond precision: the column is timestamptz(3) and the leaf hashes the ms value.
      const serverTime = new Date(Math.floor((input.now ?? new Date()).getTime()));
      const leafHash = input.leafHashOf(roomSeq, serverTime.getTime());
      const row = await tx.envelope.create({
        data: {
          roomId: e.roomId,
          roomSeq,
          senderUserId: input.senderUserId,
          senderDeviceId: e.senderDeviceId,
          clientMsgId: input.clientMsgId,
          sessionId: bytes(e.sessionId),
          index: e.index,
          prevHash: bytes(e.prevHash),
          nonce: bytes(e.nonce),
          ciphertext: bytes(e.ciphertext),
          signature: bytes(e.signature),
          serverTime,
          leafIndex: BigInt(leafIndex),
        },
        select: { id: true },
      });
      await tx.auditLeaf.create({
        data: { leafIndex: BigInt(leafIndex), leafHash: bytes(leafHash), kind: "message" },
      });
      return { id: row.id, roomSeq, leafIndex, serverTime, created: true };
    });
  } catch (err) {
    // Two sockets raced with the same clientMsgId: the loser returns the winner's ack.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      const after = await resend();
      if (after) return after;
    }
    throw err;
  }
}
