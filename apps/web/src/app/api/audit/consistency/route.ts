import { AuditConsistencyQuery } from "@cairn/protocol";
import { consistencyProof } from "@/server/audit-proofs";
import { db } from "@/server/db";
import { json, readQuery, route } from "@/server/http";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/** GET /api/audit/consistency?from&to -> { from, to, path }: any logged-in user. */
export const GET = route(async (req: Request) => {
  await requireUser();
  const q = readQuery(req, AuditConsistencyQuery);
  return json(await consistencyProof(db(), q.from, q.to));
});
