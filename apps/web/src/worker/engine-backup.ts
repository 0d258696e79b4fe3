/**
 * The engine's key backup: what to upload (sealed under the recovery key), what the
 * server accepted, merging another device's upload on a version conflict, and the
 * helpers every other part uses to record a change in the backup.
 */
import { CryptoError, deserializeInbound, mergeInboundSessions, openBackup, sealBackup, type InboundSession } from "@cairn/crypto";
import { fromBase64Url, toBase64Url } from "@cairn/protocol";
import { EngineError, type BackupStatus, type BackupUpload, type SealedBackup } from "./api";
import { decodeBackup, encodeBackup, mergeBackups, sessionsGained, type BackupContents } from "./backup";
import type { EngineContext, Unlocked } from "./engine-context";
import { saveLocalBackup } from "./local-backup";
import { inboundKeyOf } from "./session-store";

/** Marks the backup changed (it needs an upload). */
export function changed(ctx: EngineContext, s: Unlocked): void {
  s.backup.dirty = true;
  ctx.generation++;
}

export async function saveBackup(ctx: EngineContext, s: Unlocked): Promise<void> {
  await saveLocalBackup(ctx.store, s.keys.userId, s.keystoreKey, s.backup);
}

/** Adds a session's starting state to the backup (when it starts earlier than what is there). */
export function rememberSession(ctx: EngineContext, s: Unlocked, key: string, firstIndex: number, state: string): void {
  const known = s.backup.contents.sessions[key];
  if (known && known.firstIndex <= firstIndex) return;
  s.backup.contents.sessions[key] = { firstIndex, state };
  changed(ctx, s);
}

/** Stores a backed-up inbound session (merged with what this device holds). */
export async function restoreSession(s: Unlocked, state: string): Promise<void> {
  let incoming: InboundSession;
  try {
    incoming = deserializeInbound(state);
  } catch {
    return;
  }
  const existing = await s.sessions.loadInbound(inboundKeyOf(incoming));
  try {
    const next = existing ? mergeInboundSessions(existing, incoming) : incoming;
    if (next !== existing) await s.sessions.saveInbound(next);
  } catch (err) {
    if (!(err instanceof CryptoError)) throw err;
    console.warn("[cairn] skipped a backed-up session:", err.code);
  }
}

export class EngineBackup {
  constructor(private readonly ctx: EngineContext) {}

  backupStatus(): Promise<BackupStatus> {
    const { backup } = this.ctx.unlocked();
    return Promise.resolve({ enabled: backup.recoveryKey !== null, version: backup.version, dirty: backup.dirty });
  }

  backupToUpload(): Promise<BackupUpload | null> {
    const { backup } = this.ctx.unlocked();
    if (!backup.recoveryKey || !backup.dirty) return Promise.resolve(null);
    const ciphertext = toBase64Url(sealBackup(backup.recoveryKey, encodeBackup(backup.contents)));
    return Promise.resolve({ ciphertext, version: backup.version + 1, generation: this.ctx.generation });
  }

  async backupUploaded(version: number, generation: number): Promise<void> {
    const s = this.ctx.unlocked();
    s.backup.version = version;
    s.backup.dirty = generation !== this.ctx.generation;
    await saveBackup(this.ctx, s);
  }

  async backupConflict(remote: SealedBackup): Promise<void> {
    const s = this.ctx.unlocked();
    if (!s.backup.recoveryKey) return;
    let theirs: BackupContents;
    try {
      theirs = decodeBackup(openBackup(s.backup.recoveryKey, fromBase64Url(remote.ciphertext)));
    } catch {
      throw new EngineError("BACKUP_MISMATCH", "The server's key backup does not open with this device's recovery key.");
    }
    const merged = mergeBackups(s.backup.contents, theirs);
    if (!merged) throw new EngineError("BACKUP_MISMATCH", "The server's key backup belongs to another identity key.");
    // Another device's sessions are this device's history too.
    for (const [, entry] of sessionsGained(s.backup.contents, theirs)) await restoreSession(s, entry.state);
    Object.assign(s.backup.contents.contacts, merged.contacts);
    s.backup.contents.membershipHeads = merged.membershipHeads;
    s.backup.contents.sessions = merged.sessions;
    s.backup.version = remote.version;
    changed(this.ctx, s);
    await saveBackup(this.ctx, s);
  }
}
