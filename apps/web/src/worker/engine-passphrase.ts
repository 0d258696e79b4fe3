/**
 * The engine's passphrase change (rekey.ts has the procedure and why it is safe):
 *
 * 1. prepare: derive the current secrets (account salt) and the new ones (new random
 *    salt); store the intent (this browser's keystore key wrapped under the new one);
 *    hand the auth secrets to the page, which POSTs /api/auth/passphrase.
 * 2. finish(true) once the server switched: re-wrap every local record under the new
 *    key in one transaction, new unlock record included, intent dropped. finish(false)
 *    when it refused: drop the intent.
 *
 * A tab that dies between the server's switch and step 2 leaves the intent: the next
 * log-in (with the new passphrase, the only one the server takes) opens the keys
 * through it and re-wraps them then ({@link EnginePassphrase.resumeInterrupted}).
 */
import { deriveAccountSecrets, randomSalt, ready } from "@cairn/crypto";
import { fromBase64Url, toBase64Url } from "@cairn/protocol";
import { EngineError, MIN_PASSPHRASE_CHARS, type AccountInfo, type PassphraseChange } from "./api";
import type { EngineContext } from "./engine-context";
import { loadKeys, type Keys } from "./keyring";
import { dropRekeyIntent, openRekeyIntent, rewrapAccount, saveRekeyIntent } from "./rekey";
import { SessionStore } from "./session-store";

const MAX_PASSPHRASE_CHARS = 1024;

export class EnginePassphrase {
  /** A change the server has not answered yet: the new keystore key. */
  private next: Uint8Array | null = null;

  constructor(private readonly ctx: EngineContext) {}

  async prepare(current: string, next: string, salt: string): Promise<PassphraseChange> {
    await ready();
    const s = this.ctx.unlocked();
    if (
      typeof current !== "string" ||
      current.length === 0 ||
      current.length > MAX_PASSPHRASE_CHARS
    ) {
      throw new EngineError("BAD_INPUT", "Enter your current passphrase.");
    }
    if (
      typeof next !== "string" ||
      next.length < MIN_PASSPHRASE_CHARS ||
      next.length > MAX_PASSPHRASE_CHARS
    ) {
      throw new EngineError(
        "BAD_INPUT",
        `Use a new passphrase of at least ${MIN_PASSPHRASE_CHARS} characters.`,
      );
    }
    if (next.normalize("NFKC") === current.normalize("NFKC")) {
      throw new EngineError("BAD_INPUT", "The new passphrase is the same as the current one.");
    }
    const saltBytes = saltOf(salt);
    const old = deriveAccountSecrets(current, saltBytes);
    old.keystoreKey.fill(0);
    const newSalt = randomSalt();
    const fresh = deriveAccountSecrets(next, newSalt);
    // Before the server switches: the new passphrase must open these keys even if this tab dies.
    await saveRekeyIntent(this.ctx.store, s.keys, s.keystoreKey, fresh.keystoreKey);
    this.next?.fill(0);
    this.next = fresh.keystoreKey;
    return {
      currentAuthSecret: toBase64Url(old.authSecret),
      newSalt: toBase64Url(newSalt),
      newAuthSecret: toBase64Url(fresh.authSecret),
    };
  }

  async finish(accepted: boolean): Promise<void> {
    const s = this.ctx.unlocked();
    const to = this.next;
    this.next = null;
    if (!to) throw new EngineError("NO_PENDING_ACCOUNT", "No passphrase change in progress.");
    if (accepted !== true) {
      await dropRekeyIntent(this.ctx.store, s.keys.username);
      to.fill(0);
      return;
    }
    await rewrapAccount(this.ctx.store, s.keys, s.keystoreKey, to);
    // The same unlocked state (rooms, heads, contacts, backup) goes on under the new key.
    const from = s.keystoreKey;
    s.keystoreKey = to;
    s.sessions = new SessionStore(this.ctx.store, s.keys.userId, to);
    from.fill(0);
  }

  /**
   * Log-in with a passphrase whose key does not open the stored keys: if a change to it
   * was interrupted after the server switched, its intent holds the key they are still
   * wrapped under; re-wraps them to `key` now.
   * @returns the keys, or null when there is no such intent
   */
  async resumeInterrupted(account: AccountInfo, key: Uint8Array): Promise<Keys | null> {
    const { store } = this.ctx;
    const previous = await openRekeyIntent(
      store,
      { userId: account.id, username: account.username },
      key,
    );
    if (!previous) return null;
    try {
      const keys = await loadKeys(store, account, previous);
      await rewrapAccount(store, keys, previous, key);
      return keys;
    } catch {
      return null;
    } finally {
      previous.fill(0);
    }
  }

  /** Logout: forget a change in progress (its intent stays until the next log-in settles it). */
  forget(): void {
    this.next?.fill(0);
    this.next = null;
  }
}

function saltOf(text: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(text);
  } catch {
    throw new EngineError("BAD_INPUT", "The account's salt is malformed.");
  }
  if (bytes.length !== 16) throw new EngineError("BAD_INPUT", "The account's salt is malformed.");
  return bytes;
}
