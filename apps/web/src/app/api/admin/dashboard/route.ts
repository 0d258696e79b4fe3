import { refusedLedgerTxs } from "@cairn/db";
import { json, route } from "@/server/http";
import { db } from "@/server/db";
import { anchoringLag, anchoringStatus } from "@/server/admin-lag";
import { requireAdmin } from "@/server/roles";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * GET /api/admin/dashboard -> { status: AnchoringStatus, lag: LagPoint[], refused } (admins only);
 * `refused`: key registrations the ledger refused for good (the ledger worker skipped them).
 */
export const GET = route(async () => {
  const user = await requireUser();
  await requireAdmin(db(), user.id);
  const [status, lag, refused] = await Promise.all([anchoringStatus(db()), anchoringLag(db(), 200), refusedLedgerTxs(db(), 20)]);
  return json({
    status,
    lag,
    refused: {
      total: refused.total,
      recent: refused.recent.map((r) => ({
        id: r.id.toString(),
        kind: r.kind,
        reason: r.reason,
        requestedAt: r.requestedAt.toISOString(),
        refusedAt: r.refusedAt.toISOString(),
      })),
    },
  });
});
