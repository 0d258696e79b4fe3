import { MAX_BACKUP_BYTES, PutBackupBody } from "@/lib/api-schemas";
import { getBackup, putBackup } from "@/server/backups";
import { json, readBody, route } from "@/server/http";
import { requireUser } from "@/server/session";

export const runtime = "nodejs";

/** GET /api/keys/backup -> { backup: { ciphertext, version, updatedAt } | null } */
export const GET = route(async () => {
  const user = await requireUser();
  return json({ backup: await getBackup(user.id) });
});

/** PUT /api/keys/backup PutBackupBody -> { version } (409 CONFLICT unless version = stored + 1) */
export const PUT = route(async (req: Request) => {
  const user = await requireUser();
  // base64url of the largest backup, plus the JSON around it.
  const body = await readBody(req, PutBackupBody, Math.ceil((MAX_BACKUP_BYTES * 4) / 3) + 1024);
  return json(await putBackup(user.id, body.ciphertext, body.version));
});
