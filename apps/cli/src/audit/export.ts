/**
 * `cairn export`: a room's bundle through the shared exporter (@cairn/db/export),
 * with each sender's pseudonym HMAC(serverSecret, userId) and chain record read from
 * the ledger itself.
 */
import type { BundleKeyRecord, LineSink } from "@cairn/audit";
import type { PrismaClient } from "@cairn/db";
import { planExport, writeExport } from "@cairn/db/export";
import type { Ledger, LedgerKeyRecord } from "@cairn/ledger";
import { userRef } from "./user-ref";

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

export interface ExportResult {
  messages: number;
  anchored: number;
  unanchored: number;
  checkpoints: number;
  firstSeq: number | null;
  lastSeq: number | null;
  exportLeafIndex: number;
  bundleSha256: string;
}

function keyRecord(r: LedgerKeyRecord | null): BundleKeyRecord | null {
  if (!r) return null;
  return {
    userRef: r.userRef,
    identityPublicKey: r.identityPublicKey,
    registeredTxId: r.registeredTxId,
    registeredAt: r.registeredAt,
    devices: r.devices.map((d) => ({
      deviceId: d.deviceId,
      signingPublicKey: d.signingPublicKey,
      agreementPublicKey: d.agreementPublicKey,
      signature: d.signature,
      registeredTxId: d.registeredTxId,
      registeredAt: d.registeredAt,
      revokedAtMs: d.revokedAtMs,
      revokedTxId: d.revokedTxId,
    })),
  };
}

/**
 * Writes the bundle of a room (or a serverTime range of it) and records the export.
 * @throws CairnError ROOM_NOT_FOUND when the room does not exist
 */
export async function exportRoom(opts: ExportOptions): Promise<ExportResult> {
  const plan = await planExport(opts.prisma, opts.roomId, opts.from ?? null, opts.to ?? null);
  opts.onStart?.(plan.total);
  const keys = new Map<string, { userRef: string; record: BundleKeyRecord | null }>();
  for (const userId of plan.senders) {
    const ref = userRef(opts.serverSecret, userId);
    keys.set(userId, { userRef: ref, record: keyRecord(await opts.ledger.getKeys(ref)) });
  }
  const result = await writeExport({
    prisma: opts.prisma,
    plan,
    ledger: opts.ledger.kind,
    exporterRef: userRef(opts.serverSecret, opts.exporterUserId),
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
