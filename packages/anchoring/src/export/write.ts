/**
 * Writing a room's audit trail as a bundle (docs/bundle-format.md), shared by
 * `cairn export` and the admin page: the room's membership chain, then a cursor over
 * the room's envelopes in pages (constant memory whatever the room's size), each
 * page's proofs from the AuditNode table in one query, and the export itself
 * recorded as an audit leaf of kind "export" once the lines are written. Callers
 * resolve the senders' pseudonyms and chain records first (planExport().senders),
 * each in their own way (the ledger with the server secret, or the relay's view).
 */
import { createHash } from "node:crypto";
import {
  BUNDLE_VERSION,
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
  type BundleProof,
  type LedgerKind,
  type LineSink,
  type SubtreeRef,
} from "@cairn/audit";
import { auditExportData, CairnError, hex, type WireEnvelope } from "@cairn/protocol";
import { allocateLeaf, anchoredTreeSize, auditNodeStore, listRoomEvents, readAuditNodes, type PrismaClient } from "@cairn/db";

/** Wire form of bytes (base64url, no padding), through Buffer: exports are large. */
const b64 = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString("base64url");

/** What an export will contain, settled before the first byte is sent. */
export interface ExportPlan {
  roomId: string;
  from: Date | null;
  to: Date | null;
  firstSeq: number | null;
  lastSeq: number | null;
  /** Messages in [firstSeq, lastSeq]. */
  total: number;
  /** Users who sent any of them. */
  senders: string[];
  /** Tree size of the newest checkpoint before the extent was read: every message it anchors is in the extent. */
  asOfTreeSize: number;
}

export interface ExportResult {
  messages: number;
  membershipEvents: number;
  anchored: number;
  checkpoints: number;
  exportLeafIndex: number;
  bundleSha256: string;
}

export interface WriteExportOptions {
  prisma: PrismaClient;
  plan: ExportPlan;
  ledger: LedgerKind;
  /** The admin's on-chain pseudonym (HMAC(serverSecret, adminId)). */
  exporterRef: string;
  /** The room's on-chain reference (roomRef), or null without the server secret: the export's completeness is then not provable. */
  roomRef: string | null;
  /** Every sender's pseudonym and chain record. */
  keys: ReadonlyMap<string, { userRef: string; record: BundleKeyRecord | null }>;
  out: LineSink;
  csv?: LineSink;
  pageSize?: number;
  now?: () => Date;
  onProgress?(done: number): void;
}

/**
 * Checks the room and finds the extent and senders of an export.
 * @throws CairnError ROOM_NOT_FOUND, VALIDATION_FAILED when from is after to
 */
export async function planExport(prisma: PrismaClient, roomId: string, from: Date | null, to: Date | null): Promise<ExportPlan> {
  if (from && to && from.getTime() > to.getTime()) throw new CairnError("VALIDATION_FAILED", "The start of the range is after its end.");
  const room = await prisma.room.findUnique({ where: { id: roomId }, select: { id: true } });
  if (!room) throw new CairnError("ROOM_NOT_FOUND", "No such room.");
  // Read first: a message stored after the extent is read cannot be anchored by this checkpoint.
  const asOfTreeSize = await anchoredTreeSize(prisma);
  const serverTime = { ...(from ? { gte: from } : {}), ...(to ? { lte: to } : {}) };
  const extent = await prisma.envelope.aggregate({ where: { roomId, serverTime }, _min: { roomSeq: true }, _max: { roomSeq: true } });
  const firstSeq = extent._min.roomSeq;
  const lastSeq = extent._max.roomSeq;
  if (firstSeq === null || lastSeq === null) return { roomId, from, to, firstSeq: null, lastSeq: null, total: 0, senders: [], asOfTreeSize };
  // Every sequence number in [firstSeq, lastSeq] is exported, whatever its clock says, so continuity is checkable.
  const inRange = { roomId, roomSeq: { gte: firstSeq, lte: lastSeq } };
  const [total, senders] = await Promise.all([
    prisma.envelope.count({ where: inRange }),
    prisma.envelope.findMany({ where: inRange, distinct: ["senderUserId"], select: { senderUserId: true } }),
  ]);
  return { roomId, from, to, firstSeq, lastSeq, total, senders: senders.map((s) => s.senderUserId), asOfTreeSize };
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
 * Leaf hashes and inclusion proofs for one page of leaves (ascending): one checkpoint for the page, the
 * first that holds its last leaf (so a leaf's checkpoint is close to when it was
 * anchored), or the newest; the proof nodes from the AuditNode table in one query.
 * `proofOf` is null for a leaf the checkpoint does not hold (not anchored yet).
 */
async function pageLeaves(prisma: PrismaClient, leaves: readonly number[]) {
  const last = leaves[leaves.length - 1];
  const cp = last === undefined ? null : await checkpointFor(prisma, last);
  const plans = new Map<number, SubtreeRef[][]>();
  const refs: SubtreeRef[] = [];
  for (const leaf of leaves) {
    if (!cp || leaf >= cp.treeSize) continue;
    const plan = inclusionProofPlan(leaf, cp.treeSize);
    plans.set(leaf, plan);
    for (const step of plan) refs.push(...step);
  }
  const nodes = refs.length > 0 ? await readAuditNodes(prisma, refs) : new Map<string, Uint8Array>();
  const getter = (level: number, index: number) => {
    const h = nodes.get(subtreeKey(level, index));
    if (!h) throw new Error(`proof node ${subtreeKey(level, index)} missing: AuditNode not indexed`);
    return h;
  };
  const proofOf = (leaf: number): BundleProof | null => {
    const plan = plans.get(leaf);
    return plan && cp ? { treeSize: cp.treeSize, path: proofFromPlan(plan, getter).map(hex) } : null;
  };
  const rows = await prisma.auditLeaf.findMany({ where: { leafIndex: { in: leaves.map(BigInt) } }, select: { leafIndex: true, leafHash: true } });
  const hashes = new Map(rows.map((l) => [Number(l.leafIndex), hex(l.leafHash)]));
  return { cp, proofOf, leafHashOf: (leaf: number) => hashes.get(leaf) ?? "" };
}

/**
 * Writes the bundle (and optionally its CSV view) and records the export as an audit leaf.
 * @throws CairnError INTERNAL when a sender of the plan has no keys entry
 */
export async function writeExport(opts: WriteExportOptions): Promise<ExportResult> {
  const { prisma, plan } = opts;
  const pageSize = opts.pageSize ?? 500;
  const now = opts.now ?? (() => new Date());

  // Catch up the proof index (a crash before indexing, or a relay older than AuditNode).
  const latest = await prisma.checkpoint.findFirst({ orderBy: { treeSize: "desc" } });
  if (latest) await indexSubtrees(auditNodeStore(prisma), Number(latest.treeSize), { expectedRoot: latest.rootHash });

  const exportedAt = new Date(now().getTime());
  const writer = new BundleWriter(opts.out, () => createHash("sha256"));
  await writer.header({
    format: "cairn-audit-bundle",
    version: BUNDLE_VERSION,
    roomId: plan.roomId,
    range: { from: plan.from?.toISOString() ?? null, to: plan.to?.toISOString() ?? null },
    exportedAt: exportedAt.toISOString(),
    exporterRef: opts.exporterRef,
    ledger: opts.ledger,
    extent: { firstSeq: plan.firstSeq, lastSeq: plan.lastSeq, messages: plan.total },
    ...(opts.roomRef === null ? {} : { completeness: { roomRef: opts.roomRef, treeSize: plan.asOfTreeSize } }),
  });
  if (opts.csv) await opts.csv(csvHeaderRow());

  const written = new Set<number>();
  const writeCheckpoint = async (cp: BundleCheckpoint) => {
    if (written.has(cp.treeSize)) return;
    written.add(cp.treeSize);
    const cosigned = await prisma.checkpointCosignature.findMany({ where: { treeSize: BigInt(cp.treeSize) }, orderBy: { witness: "asc" } });
    const first = cosigned[0];
    await writer.checkpoint(first ? { ...cp, witnessed: { origin: first.origin, cosignatures: cosigned.map((c) => c.line) } } : cp);
  };

  // The membership chain first, from its create event (a reader replays it whole) to the end of the range.
  const events = (await listRoomEvents(prisma, plan.roomId)).filter((e) => !plan.to || e.createdAt.getTime() <= plan.to.getTime());
  for (let from = 0; from < events.length; from += pageSize) {
    const chunk = events.slice(from, from + pageSize);
    const { cp, proofOf, leafHashOf } = await pageLeaves(prisma, chunk.map((e) => e.leafIndex));
    for (const e of chunk) {
      const proof = proofOf(e.leafIndex);
      if (proof && cp) await writeCheckpoint(cp);
      await writer.membership({
        seq: e.seq,
        leafIndex: e.leafIndex,
        createdAt: e.createdAt.toISOString(),
        body: b64(e.body),
        signature: b64(e.signature),
        leafHash: leafHashOf(e.leafIndex),
        proof,
      });
    }
  }

  const senders = new Set<string>();
  let anchored = 0;
  let done = 0;
  let cursor = plan.firstSeq === null ? null : plan.firstSeq - 1;
  while (cursor !== null && plan.lastSeq !== null && cursor < plan.lastSeq) {
    const page = await prisma.envelope.findMany({
      where: { roomId: plan.roomId, roomSeq: { gt: cursor, lte: plan.lastSeq } },
      orderBy: { roomSeq: "asc" },
      take: pageSize,
    });
    const lastRow = page[page.length - 1];
    if (!lastRow) break;
    cursor = lastRow.roomSeq;

    const { cp, proofOf, leafHashOf } = await pageLeaves(prisma, page.map((r) => Number(r.leafIndex)));

    for (const r of page) {
      if (!senders.has(r.senderUserId)) {
        senders.add(r.senderUserId);
        const k = opts.keys.get(r.senderUserId);
        if (!k) throw new CairnError("INTERNAL", `no keys resolved for sender ${r.senderUserId}`);
        await writer.keys({ userId: r.senderUserId, userRef: k.userRef, record: k.record });
      }
      const proof = proofOf(Number(r.leafIndex));
      if (proof && cp) await writeCheckpoint(cp);
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
        leafHash: leafHashOf(Number(r.leafIndex)),
        proof,
        plaintext: null,
      };
      if (message.proof) anchored += 1;
      await writer.message(message);
      if (opts.csv) await opts.csv(csvRow(message, message.proof ? cp : null));
      done += 1;
    }
    opts.onProgress?.(done);
  }

  // Record the export itself (docs/audit.md): who, which room, when, and the hash of every line written.
  const digest = writer.digest();
  const data = auditExportData({ exporterRef: opts.exporterRef, roomId: plan.roomId, exportedAtMs: exportedAt.getTime(), bundleSha256: digest });
  const exportLeafIndex = await prisma.$transaction(async (tx) => {
    const index = await allocateLeaf(tx);
    await tx.auditLeaf.create({ data: { leafIndex: BigInt(index), leafHash: new Uint8Array(leafHash(data)), kind: "export" } });
    return index;
  });
  await writer.close(exportLeafIndex);
  return { messages: done, membershipEvents: events.length, anchored, checkpoints: written.size, exportLeafIndex, bundleSha256: hex(digest) };
}
