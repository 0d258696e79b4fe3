/**
 * Exporting a room's audit trail as a bundle (docs/bundle-format.md), streamed with a
 * cursor over the Envelope table in pages, so memory stays constant whatever the room's
 * size. Each page's proofs come from the AuditNode table in one query. When the lines
 * are written, the export itself is recorded as an audit leaf of kind "export".
 */
import {
  BundleWriter,
  csvHeaderRow,
  csvRow,
  inclusionProofPlan,
  indexSubtrees,
  leafHash,
  proofFromPlan,
  subtreeKey,
  type BundleCheckpoint,
  type BundleKeyRecord,
  type BundleMessage,
  type LineSink,
  type SubtreeRef,
} from "@cairn/audit";
import { allocateLeaf, auditNodeStore, readAuditNodes, type PrismaClient } from "@cairn/db";
import type { Ledger, LedgerKeyRecord } from "@cairn/ledger";
import { auditExportData, CairnError, hex, type WireEnvelope } from "@cairn/protocol";
import { createHash } from "node:crypto";
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

type EnvelopeRow = Awaited<ReturnType<PrismaClient["envelope"]["findMany"]>>[number];

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

/** The first checkpoint holding leaf `leaf`, else the newest one (which may not hold it). */
async function checkpointFor(prisma: PrismaClient, leaf: number): Promise<BundleCheckpoint | null> {
  const row =
    (await prisma.checkpoint.findFirst({ where: { treeSize: { gt: BigInt(leaf) } }, orderBy: { treeSize: "asc" } })) ??
    (await prisma.checkpoint.findFirst({ orderBy: { treeSize: "desc" } }));
  if (!row) return null;
  return { type: "checkpoint", treeSize: Number(row.treeSize), rootHash: hex(row.rootHash), txId: row.txId, time: row.ledgerTime.toISOString() };
}

/**
 * Writes the bundle of a room (or a serverTime range of it) and records the export.
 * @throws CairnError ROOM_NOT_FOUND when the room does not exist
 */
export async function exportRoom(opts: ExportOptions): Promise<ExportResult> {
  const { prisma } = opts;
  const pageSize = opts.pageSize ?? 500;
  const now = opts.now ?? (() => new Date());
  const room = await prisma.room.findUnique({ where: { id: opts.roomId }, select: { id: true } });
  if (!room) throw new CairnError("ROOM_NOT_FOUND", "No such room.");

  // Catch up the proof index (a relay older than AuditNode, or a crash before indexing).
  const latest = await prisma.checkpoint.findFirst({ orderBy: { treeSize: "desc" } });
  if (latest) await indexSubtrees(auditNodeStore(prisma), Number(latest.treeSize), { expectedRoot: latest.rootHash });

  const serverTime = { ...(opts.from ? { gte: opts.from } : {}), ...(opts.to ? { lte: opts.to } : {}) };
  const extent = await prisma.envelope.aggregate({
    where: { roomId: opts.roomId, serverTime },
    _min: { roomSeq: true },
    _max: { roomSeq: true },
  });
  const firstSeq = extent._min.roomSeq;
  const lastSeq = extent._max.roomSeq;
  // Every sequence number in [firstSeq, lastSeq] is exported, whatever its clock says, so continuity is checkable.
  const total = firstSeq === null || lastSeq === null ? 0 : await prisma.envelope.count({ where: { roomId: opts.roomId, roomSeq: { gte: firstSeq, lte: lastSeq } } });
  opts.onStart?.(total);

  const exportedAt = new Date(now().getTime());
  const exporterRef = userRef(opts.serverSecret, opts.exporterUserId);
  const writer = new BundleWriter(opts.out, () => createHash("sha256"));
  await writer.header({
    format: "cairn-audit-bundle",
    version: 1,
    roomId: opts.roomId,
    range: { from: opts.from?.toISOString() ?? null, to: opts.to?.toISOString() ?? null },
    exportedAt: exportedAt.toISOString(),
    exporterRef,
    ledger: opts.ledger.kind,
    extent: { firstSeq, lastSeq, messages: total },
  });
  if (opts.csv) await opts.csv(csvHeaderRow());

  const senders = new Set<string>();
  const written = new Set<number>();
  let anchored = 0;
  let done = 0;
  let cursor = firstSeq === null ? null : firstSeq - 1;
  while (cursor !== null && lastSeq !== null && cursor < lastSeq) {
    const page: EnvelopeRow[] = await prisma.envelope.findMany({
      where: { roomId: opts.roomId, roomSeq: { gt: cursor, lte: lastSeq } },
      orderBy: { roomSeq: "asc" },
      take: pageSize,
    });
    const lastRow = page[page.length - 1];
    if (!lastRow) break;
    cursor = lastRow.roomSeq;

    // One checkpoint per page: the first that holds the page's last message (or the newest).
    const cp = await checkpointFor(prisma, Number(lastRow.leafIndex));
    const provable = page.filter((r) => cp !== null && Number(r.leafIndex) < cp.treeSize);
    const plans = new Map<bigint, SubtreeRef[][]>();
    const refs: SubtreeRef[] = [];
    for (const r of provable) {
      const plan = inclusionProofPlan(Number(r.leafIndex), (cp as BundleCheckpoint).treeSize);
      plans.set(r.id, plan);
      for (const refsOfStep of plan) refs.push(...refsOfStep);
    }
    const nodes = refs.length > 0 ? await readAuditNodes(prisma, refs) : new Map<string, Uint8Array>();
    const getter = (level: number, index: number) => {
      const h = nodes.get(subtreeKey(level, index));
      if (!h) throw new Error(`proof node ${subtreeKey(level, index)} missing: AuditNode not indexed`);
      return h;
    };

    const leafRows = await prisma.auditLeaf.findMany({
      where: { leafIndex: { in: page.map((r) => r.leafIndex) } },
      select: { leafIndex: true, leafHash: true },
    });
    const leafHashes = new Map(leafRows.map((l) => [l.leafIndex, hex(l.leafHash)]));

    for (const r of page) {
      if (!senders.has(r.senderUserId)) {
        senders.add(r.senderUserId);
        const ref = userRef(opts.serverSecret, r.senderUserId);
        await writer.keys({ userId: r.senderUserId, userRef: ref, record: keyRecord(await opts.ledger.getKeys(ref)) });
      }
      const plan = plans.get(r.id);
      if (plan && cp && !written.has(cp.treeSize)) {
        written.add(cp.treeSize);
        await writer.checkpoint(cp);
      }
      // The wire form (protocol's WireEnvelope): base64url without padding, via Buffer for speed.
      const b64 = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString("base64url");
      const envelope: WireEnvelope = {
        version: 1,
        roomId: r.roomId,
        senderDeviceId: r.senderDeviceId,
        sessionId: b64(r.sessionId),
        index: r.index,
        prevHash: b64(r.prevHash),
        nonce: b64(r.nonce),
        ciphertext: b64(r.ciphertext),
        signature: b64(r.signature),
      };
      const message: Omit<BundleMessage, "type"> = {
        roomSeq: r.roomSeq,
        leafIndex: Number(r.leafIndex),
        serverTime: r.serverTime.toISOString(),
        senderUserId: r.senderUserId,
        senderDeviceId: r.senderDeviceId,
        envelope,
        leafHash: leafHashes.get(r.leafIndex) ?? "",
        proof: plan && cp ? { treeSize: cp.treeSize, path: proofFromPlan(plan, getter).map(hex) } : null,
        plaintext: null,
      };
      if (message.proof) anchored += 1;
      await writer.message(message);
      if (opts.csv) await opts.csv(csvRow(message, message.proof ? cp : null));
      done += 1;
    }
    opts.onProgress?.(done);
  }

  // Record the export itself (DESIGN §4): who, which room, when, and the hash of every line written.
  const digest = writer.digest();
  const data = auditExportData({ exporterRef, roomId: opts.roomId, exportedAtMs: exportedAt.getTime(), bundleSha256: digest });
  const exportLeafIndex = await prisma.$transaction(async (tx) => {
    const index = await allocateLeaf(tx);
    await tx.auditLeaf.create({ data: { leafIndex: BigInt(index), leafHash: new Uint8Array(leafHash(data)), kind: "export" } });
    return index;
  });
  await writer.close(exportLeafIndex);
  return {
    messages: done,
    anchored,
    unanchored: done - anchored,
    checkpoints: written.size,
    firstSeq,
    lastSeq,
    exportLeafIndex,
    bundleSha256: hex(digest),
  };
}
