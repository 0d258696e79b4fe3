import "server-only";
import { CairnError, fromBase64Url, toBase64Url } from "@cairn/protocol";
import { db } from "./db";

/** A sealed key backup as the server holds it: ciphertext only (docs/protocol.md key backup). */
export interface BackupView {
  ciphertext: string;
  version: number;
  updatedAt: string;
}

/** The account's sealed backup, or null before the first upload. */
export async function getBackup(userId: string): Promise<BackupView | null> {
  const row = await db().keyBackup.findUnique({ where: { userId } });
  if (!row) return null;
  return { ciphertext: toBase64Url(row.ciphertext), version: row.version, updatedAt: row.updatedAt.toISOString() };
}

/**
 * Stores a new sealed backup with optimistic concurrency: `version` must be the stored
 * version + 1 (1 when there is none), so a device that did not see another device's
 * upload cannot overwrite it: it gets CONFLICT, fetches, merges and retries.
 * @throws CairnError CONFLICT when `version` is not the next one
 */
export async function putBackup(userId: string, ciphertext: string, version: number): Promise<{ version: number }> {
  const bytes = new Uint8Array(fromBase64Url(ciphertext));
  const now = new Date();
  const conflict = () => new CairnError("CONFLICT", "The key backup changed on another device; merge and retry.");
  if (version === 1) {
    try {
      await db().keyBackup.create({ data: { userId, ciphertext: bytes, version, updatedAt: now } });
    } catch (err) {
      if ((err as { code?: unknown }).code === "P2002") throw conflict();
      throw err;
    }
    return { version };
  }
  // Compare-and-set in one statement: only the holder of the current version wins.
  const { count } = await db().keyBackup.updateMany({
    where: { userId, version: version - 1 },
    data: { ciphertext: bytes, version, updatedAt: now },
  });
  if (count !== 1) throw conflict();
  return { version };
}
