import { AuditProofsQuery } from "@cairn/protocol";
import { inclusionProofs } from "@/server/audit-proofs";
import { db } from "@/server/db";
import { json, readQuery, route } from "@/server/http";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/**
 * GET /api/audit/proofs?treeSize&leaves=1,2,3 -> { treeSize, proofs: [{ leafIndex, path }] }.
 * Any logged-in user: a proof is hashes of the log, nothing of content.
 */
export const GET = route(async (req: Request) => {
  await requireUser();
  const q = readQuery(req, AuditProofsQuery);
  return json(await inclusionProofs(db(), q.treeSize, q.leaves));
});
