import { AuditCosignaturesQuery } from "@cairn/protocol";
import { checkpointCosignatures } from "@/server/audit-proofs";
import { db } from "@/server/db";
import { json, readQuery, route } from "@/server/http";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/** GET /api/audit/cosignatures?treeSize -> { treeSize, origin, cosignatures }: any logged-in user. */
export const GET = route(async (req: Request) => {
  await requireUser();
  const q = readQuery(req, AuditCosignaturesQuery);
  return json(await checkpointCosignatures(db(), q.treeSize));
});
