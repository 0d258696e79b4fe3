import type { LineSink } from "@cairn/audit";
import { CairnError } from "@cairn/protocol";
import { z } from "zod";
import { env } from "@/env";
import { route, readQuery } from "@/server/http";
import { db } from "@/server/db";
import { ledgerKindOf } from "@/server/admin-export";
import { exportRoomRef, relayKeyDirectory, relayKeyRecords, secretKeyDirectory } from "@/server/admin-keys";
import { lineStream } from "@/server/admin-stream";
import { planExport, userRef, writeExport } from "@cairn/anchoring/export";
import { requireAdmin } from "@/server/roles";
import { requireUser, sessionToken } from "@/server/session";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const Query = z.object({
  roomId: z.uuid(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  format: z.enum(["jsonl", "csv"]).default("jsonl"),
});

const discard: LineSink = () => undefined;

/**
 * GET /api/admin/export?roomId&from&to&format=jsonl|csv -> the audit bundle (or its CSV
 * view), streamed. Admins only (403 FORBIDDEN otherwise). Errors found before the
 * first byte (unknown room; without CAIRN_SERVER_SECRET, a sender or the exporting
 * admin without keys on the ledger) are JSON errors. With the secret, pseudonyms are
 * computed here and a sender not on the ledger yet is exported with `record: null`
 * (the verifier reports it), so one late registration does not block an export;
 * `X-Cairn-Export-Messages` carries the message count for the progress bar.
 */
export const GET = route(async (req: Request) => {
  const user = await requireUser();
  const prisma = db();
  await requireAdmin(prisma, user.id);
  const q = readQuery(req, Query);
  const plan = await planExport(prisma, q.roomId, q.from ? new Date(q.from) : null, q.to ? new Date(q.to) : null);

  const token = await sessionToken();
  if (!token) throw new CairnError("UNAUTHENTICATED", "Please log in.");
  const { CAIRN_RELAY_URL, CAIRN_SERVER_SECRET } = env();
  const records = relayKeyRecords(CAIRN_RELAY_URL, token);
  const directory = CAIRN_SERVER_SECRET ? secretKeyDirectory(CAIRN_SERVER_SECRET, records) : relayKeyDirectory(records);
  const keys = new Map(await Promise.all(plan.senders.map(async (id) => [id, await directory.keysOf(id)] as const)));
  const exporterRef = CAIRN_SERVER_SECRET
    ? userRef(CAIRN_SERVER_SECRET, user.id)
    : (keys.get(user.id) ?? (await directory.keysOf(user.id))).userRef;
  const ledger = await ledgerKindOf(prisma);
  const completenessRef = await exportRoomRef(plan.roomId, CAIRN_SERVER_SECRET, CAIRN_RELAY_URL, token);

  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const filename = `cairn-${plan.roomId.slice(0, 8)}-${stamp}.${q.format === "csv" ? "csv" : "jsonl"}`;
  const body = lineStream(async (sink) => {
    const result = await writeExport({
      prisma,
      plan,
      ledger,
      exporterRef,
      roomRef: completenessRef,
      keys,
      out: q.format === "csv" ? discard : sink,
      csv: q.format === "csv" ? sink : undefined,
    });
    console.info(
      `[web] export: admin=${user.id} room=${plan.roomId} messages=${result.messages} format=${q.format} exportLeaf=${result.exportLeafIndex} sha256=${result.bundleSha256}`,
    );
  });
  return new Response(body, {
    headers: {
      "Content-Type": q.format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "no-store",
      "X-Cairn-Export-Messages": String(plan.total),
    },
  });
});
