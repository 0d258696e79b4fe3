"use client";
/**
 * Uploads the key backup when the crypto worker has changes: PUT with the next
 * version; on CONFLICT (another device uploaded first) fetch, let the worker merge,
 * and try again. The server only ever sees the sealed ciphertext.
 */
import { api, ApiError } from "./api";
import { cryptoWorker } from "./crypto-client";

const MAX_ATTEMPTS = 4;

/**
 * @returns "uploaded", or "idle" when there was nothing to upload
 * @throws ApiError when the server refuses for another reason, WorkerError on a backup
 *   this device cannot open
 */
export async function syncBackup(): Promise<"uploaded" | "idle"> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const upload = await cryptoWorker.backupToUpload();
    if (!upload) return "idle";
    try {
      await api.putBackup(upload.ciphertext, upload.version);
      await cryptoWorker.backupUploaded(upload.version, upload.generation);
      return "uploaded";
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== "CONFLICT") throw err;
      const { backup } = await api.getBackup();
      if (backup) await cryptoWorker.backupConflict(backup);
    }
  }
  throw new ApiError("CONFLICT", "The key backup kept changing on another device; will retry.", 409);
}

let running: Promise<unknown> | null = null;

/** {@link syncBackup}, at most one at a time; errors are logged, the next round retries. */
export function syncBackupSoon(): void {
  if (running) return;
  running = syncBackup()
    .catch((err: unknown) => console.warn("[cairn] key backup upload failed", err))
    .finally(() => {
      running = null;
    });
}
