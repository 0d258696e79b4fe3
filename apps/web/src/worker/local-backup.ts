/**
 * This device's copy of the key backup: the recovery key (so the device can seal
 * updates without asking for the words again), the backup contents, the server
 * version they were last synchronised with, and whether they changed since. Stored
 * wrapped under the keystore key, like every other secret in IndexedDB.
 */
import { unwrapSecret, wrapSecret } from "@cairn/crypto";
import { fromBase64Url, toBase64Url } from "@cairn/protocol";
import { BackupContents } from "./backup";
import type { KeyValueStore } from "./store";

export interface LocalBackup {
  /** Null for accounts created before key backup existed. */
  recoveryKey: Uint8Array | null;
  contents: BackupContents;
  /** Server version this state includes (0 before the first upload). */
  version: number;
  dirty: boolean;
}

const context = (userId: string) => `cairn/local-backup/v1:${userId}`;

export async function saveLocalBackup(
  store: KeyValueStore,
  userId: string,
  keystoreKey: Uint8Array,
  b: LocalBackup,
): Promise<void> {
  const text = JSON.stringify({
    recoveryKey: b.recoveryKey ? toBase64Url(b.recoveryKey) : null,
    contents: b.contents,
    version: b.version,
    dirty: b.dirty,
  });
  await store.put("backup", userId, wrapSecret(keystoreKey, new TextEncoder().encode(text), context(userId)));
}

/** @throws CryptoError UNWRAP_FAILED when the record does not open with this key */
export async function loadLocalBackup(
  store: KeyValueStore,
  userId: string,
  keystoreKey: Uint8Array,
): Promise<LocalBackup | null> {
  const wrapped = await store.get<Uint8Array>("backup", userId);
  if (!wrapped) return null;
  const o = JSON.parse(new TextDecoder().decode(unwrapSecret(keystoreKey, wrapped, context(userId)))) as {
    recoveryKey: string | null;
    contents: unknown;
    version: number;
    dirty: boolean;
  };
  return {
    recoveryKey: o.recoveryKey ? fromBase64Url(o.recoveryKey) : null,
    contents: BackupContents.parse(o.contents),
    version: o.version,
    dirty: o.dirty,
  };
}
