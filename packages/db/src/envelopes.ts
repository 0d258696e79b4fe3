/**
 * Storing one envelope: the group-commit statement (envelope-batch.ts) with a group
 * of one. It allocates the room sequence number and the global leaf index under row
 * locks (so leaf order is commit order), writes the envelope and its audit leaf, and
 * checks the leaf hash against the protocol's. Only then may the relay acknowledge it.
 */
import type { Envelope } from "@cairn/protocol";
import type { Tx, PrismaClient } from "./client";
import { sqlPool } from "./client";
import { storeEnvelopeBatch, type StoredInBatch } from "./envelope-batch";

export interface StoreEnvelopeInput {
  envelope: Envelope;
  clientMsgId: string;
  senderUserId: string;
}

export type StoredEnvelopeRef = StoredInBatch;

/** Allocates the next leaf index; the row lock is held until the transaction commits. */
export async function allocateLeaf(tx: Tx): Promise<number> {
  const rows = await tx.$queryRaw<{ leaf: bigint }[]>`
    UPDATE "AuditHead" SET "nextLeaf" = "nextLeaf" + 1 WHERE id = 1 RETURNING "nextLeaf" - 1 AS leaf`;
  const leaf = rows[0]?.leaf;
  if (leaf === undefined) throw new Error("AuditHead row missing: database not migrated");
  return Number(leaf);
}

/**
 * Stores an envelope exactly once per (sender device, clientMsgId) and per envelope
 * identity (sender device, session, index); a resend gets the first ack back.
 * @throws CairnError ROOM_NOT_FOUND for an unknown room; NOT_A_MEMBER when the sender
 *   is not a member; CONFLICT when the clientMsgId was used for another room or the
 *   session index for another envelope; INTERNAL when the database's leaf hash disagrees
 */
export async function storeEnvelope(prisma: PrismaClient, input: StoreEnvelopeInput): Promise<StoredEnvelopeRef> {
  const [outcome] = await storeEnvelopeBatch(sqlPool(prisma), [input]);
  if (!outcome) throw new Error("storeEnvelopeBatch returned no outcome");
  if (!outcome.ok) throw outcome.error;
  return outcome.stored;
}
