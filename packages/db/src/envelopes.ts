/**
 * Storing an envelope: one atomic statement allocates the room sequence number and
 * the global leaf index (both under row locks, so leaf order is commit order), writes
 * the envelope and its audit leaf. Only then may the relay acknowledge it.
 */
import { auditLeafDataPrefix, CairnError, equalBytes, type Envelope } from "@cairn/protocol";
import type { PrismaClient, Tx } from "./client";
import { Prisma } from "./client";

export interface StoreEnvelopeInput {
  envelope: Envelope;
  clientMsgId: string;
  senderUserId: string;
  /**
   * Optional cross-check: the protocol's RFC 9162 leaf hash for the allocated room
   * sequence number and server time, compared with the one the database computed.
   */
  leafHashOf?: (roomSeq: number, serverTimeMs: number) => Uint8Array;
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

interface StoredRow {
  id: bigint;
  roomSeq: number;
  leafIndex: bigint;
  serverTime: Date;
  leafHash: Uint8Array;
}

/**
 * Stores an envelope exactly once per (sender device, clientMsgId), in ONE SQL
 * statement: it takes the room's next sequence number and the log's next leaf
 * index (row locks held only for this statement, so leaf order is commit order and
 * concurrent senders do not queue behind client round trips), inserts the envelope,
 * and inserts its audit leaf whose hash PostgreSQL computes as RFC 9162
 * SHA-256(0x00 || prefix || suffix) — the prefix (auditLeafDataPrefix) comes from
 * the protocol, the suffix is two length-prefixed big-endian u64 fields exactly as
 * auditLeafDataSuffix writes them (int8send is big-endian).
 * @throws CairnError ROOM_NOT_FOUND for an unknown room; CONFLICT when the same
 *   clientMsgId was used for another room; INTERNAL when `leafHashOf` disagrees
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
  // First sends are the common case: insert straight away; a resend trips the
  // unique index, the statement changes nothing, and the first ack is returned.
  const prefix = bytes(auditLeafDataPrefix(e));
  let rows: StoredRow[];
  try {
    rows = await prisma.$queryRaw<StoredRow[]>`
      WITH room AS (
        UPDATE "Room" SET "lastSeq" = "lastSeq" + 1 WHERE id = ${e.roomId}::uuid RETURNING "lastSeq" AS seq
      ), head AS (
        UPDATE "AuditHead" SET "nextLeaf" = "nextLeaf" + 1
        WHERE id = 1 AND EXISTS (SELECT 1 FROM room) RETURNING "nextLeaf" - 1 AS leaf
      ), t AS (
        SELECT floor(extract(epoch FROM statement_timestamp()) * 1000)::int8 AS ms
      ), hashed AS (
        SELECT room.seq, head.leaf, t.ms,
               to_timestamp(0) + t.ms * interval '1 millisecond' AS at,
               sha256(decode('00', 'hex') || ${prefix} || decode('00000008', 'hex') || int8send(room.seq::int8)
                      || decode('00000008', 'hex') || int8send(t.ms)) AS hash
        FROM room, head, t
      ), env AS (
        INSERT INTO "Envelope" ("roomId", "roomSeq", "senderUserId", "senderDeviceId", "clientMsgId",
          "sessionId", "index", "prevHash", "nonce", "ciphertext", "signature", "serverTime", "leafIndex")
        SELECT ${e.roomId}::uuid, seq, ${input.senderUserId}::uuid, ${e.senderDeviceId}, ${input.clientMsgId},
          ${bytes(e.sessionId)}, ${e.index}, ${bytes(e.prevHash)}, ${bytes(e.nonce)}, ${bytes(e.ciphertext)},
          ${bytes(e.signature)}, at, leaf
        FROM hashed
        RETURNING id, "roomSeq", "leafIndex", "serverTime"
      ), audit AS (
        INSERT INTO "AuditLeaf" ("leafIndex", "leafHash", "kind") SELECT leaf, hash, 'message' FROM hashed
      )
      SELECT env.id, env."roomSeq", env."leafIndex", env."serverTime", hashed.hash AS "leafHash"
      FROM env, hashed`;
  } catch (err) {
    // A resend (or two sockets racing with the same clientMsgId): the statement
    // changed nothing (it is atomic), and the stored message's ack is returned.
    if (isUniqueViolation(err)) {
      const after = await resend();
      if (after) return after;
    }
    throw err;
  }
  const row = rows[0];
  if (!row) throw new CairnError("ROOM_NOT_FOUND", "No such room.");
  const ref = {
    id: row.id,
    roomSeq: row.roomSeq,
    leafIndex: Number(row.leafIndex),
    serverTime: row.serverTime,
    created: true,
  };
  if (input.leafHashOf) {
    const expected = input.leafHashOf(ref.roomSeq, ref.serverTime.getTime());
    if (!equalBytes(expected, row.leafHash)) {
      throw new CairnError("INTERNAL", "The database's leaf hash disagrees with the protocol's.");
    }
  }
  return ref;
}

function isUniqueViolation(err: unknown): boolean {
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    if (err.code === "P2002") return true;
    // Raw queries report the database's own code.
    const meta = err.meta as { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown } } } | undefined;
    return meta?.code === "23505" || meta?.driverAdapterError?.cause?.originalCode === "23505";
  }
  return false;
}
