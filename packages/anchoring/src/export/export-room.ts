/**
 * A room's bundle when the process holds the server secret and a ledger (`cairn
 * export`, tests): each sender's pseudonym computed here, their chain record read from
 * the ledger itself, then the shared writer ({@link writeExport}).
 */
import { toBundleKeyRecord, type BundleKeyRecord, type LineSink } from "@cairn/audit";
import type { PrismaClient } from "@cairn/db";
import type { Ledger } from "@cairn/ledger";
import { roomRef, userRef } from "../user-ref";
import { planExport, writeExport } from "./write";

export interface ExportOptions {
  prisma: PrismaClient;
  ledger: Pick<Ledger, "kind" | "getKeys">;
  serverSecret: string;
  roomId: string;
  /** Inclusive serverTime bounds. */
  from?: Date;
  to?: Date;
  /** The admin exporting: recorded on chain as HMAC(serverSecret, id). */
  exporterUserId: string;
  out: LineSink;
  csv?: LineSink;
  /** Messages per page (one Envelope query and one AuditNode query each). */
  pageSize?: number;
  onStart?(total: number): void;
  onProgress?(done: number): void;
  now?: () => Date;
}

export interface RoomExportResult {
  messages: number;
  /** Events of the room's signed membership chain in the bundle. */
  membershipEvents: number;
  anchored: number;
  unanchored: number;
  checkpoints: number;
  firstSeq: number | null;
  lastSeq: number | null;
  exportLeafIndex: number;
  bundleSha256: string;
}

/**
 * Writes the bundle of a room (or a serverTime range of it) and records the export.
 * @throws CairnError ROOM_NOT_FOUND when the room does not exist
 */
export async function exportRoom(opts: ExportOptions): Promise<RoomExportResult> {
  const plan = await planExport(opts.prisma, opts.roomId, opts.from ?? null, opts.to ?? null);
  opts.onStart?.(plan.total);
  const keys = new Map<string, { userRef: string; record: BundleKeyRecord | null }>();
  for (const userId of plan.senders) {
    const ref = userRef(opts.serverSecret, userId);
    keys.set(userId, { userRef: ref, record: await opts.ledger.getKeys(ref).then((r) => r && toBundleKeyRecord(r)) });
  }
  const result = await writeExport({
    prisma: opts.prisma,
    plan,
    ledger: opts.ledger.kind,
    exporterRef: userRef(opts.serverSecret, opts.exporterUserId),
    roomRef: roomRef(opts.serverSecret, opts.roomId),
    keys,
    out: opts.out,
    ...(opts.csv ? { csv: opts.csv } : {}),
    ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.onProgress ? { onProgress: (done: number) => opts.onProgress?.(done) } : {}),
  });
  return {
    ...result,
    unanchored: result.messages - result.anchored,
    firstSeq: plan.firstSeq,
    lastSeq: plan.lastSeq,
  };
}
