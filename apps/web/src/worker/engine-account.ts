/**
 * The engine's account flows: sign-up (new identity, device and recovery key), log-in
 * (unwrapping the stored keys), restore on a browser without keys (from the key
 * backup, with a new device key), resuming after a reload, locking, signing a
 * device revocation; changing the passphrase is engine-passphrase.ts.
 */
import {
  certifyDevice,
  deriveAccountSecrets,
  generateDevice,
  generateIdentity,
  generateRecoveryKey,
  openBackup,
  randomSalt,
  ready,
  recoveryKeyFromWords,
  recoveryKeyToWords,
  signDeviceRevocation,
} from "@cairn/crypto";
import { equalBytes, fromBase64Url, toBase64Url, type DeviceRegistration, type SignupBody } from "@cairn/protocol";
import { EngineError, type AccountInfo, type PassphraseChange, type SealedBackup } from "./api";
import { BACKUP_FORMAT, decodeBackup, type BackupContents } from "./backup";
import { restoreSession } from "./engine-backup";
import type { EngineContext } from "./engine-context";
import { clearUnlock, loadKeys, loadUnlock, saveKeys, saveUnlock, type Keys } from "./keyring";
import { loadLocalBackup, saveLocalBackup, type LocalBackup } from "./local-backup";
import { EnginePassphrase } from "./engine-passphrase";
import { dropRekeyIntent } from "./rekey";

export class EngineAccount {
  private readonly passphrase: EnginePassphrase;

  constructor(private readonly ctx: EngineContext) {
    this.passphrase = new EnginePassphrase(ctx);
  }

  async prepareSignup(username: string, passphrase: string): Promise<SignupBody> {
    await ready();
    const salt = randomSalt();
    const { authSecret, keystoreKey } = deriveAccountSecrets(passphrase, salt);
    const identity = generateIdentity();
    const device = generateDevice();
    this.ctx.pending = { username, keystoreKey, identity, device, recoveryKey: generateRecoveryKey() };
    return {
      username,
      salt: toBase64Url(salt),
      authSecret: toBase64Url(authSecret),
      identityPublicKey: toBase64Url(identity.publicKey),
      device: registration(identity, device),
    };
  }

  pendingRecoveryWords(): Promise<string> {
    const key = this.ctx.pending?.recoveryKey;
    if (!key) throw new EngineError("NO_PENDING_ACCOUNT", "No sign-up in progress.");
    return Promise.resolve(recoveryKeyToWords(key));
  }

  async completeSignup(account: AccountInfo): Promise<{ deviceId: string }> {
    const p = this.ctx.pending;
    if (!p?.identity || !p.device) throw new EngineError("NO_PENDING_ACCOUNT", "No sign-up in progress.");
    if (toBase64Url(p.identity.publicKey) !== account.identityPublicKey) {
      throw new EngineError("KEYSTORE_MISMATCH", "The server returned another identity key.");
    }
    const keys: Keys = { userId: account.id, username: account.username, identity: p.identity, device: p.device };
    const backup: LocalBackup = {
      recoveryKey: p.recoveryKey ?? null,
      contents: emptyContents(keys),
      version: 0,
      dirty: true,
    };
    const { store } = this.ctx;
    await saveKeys(store, keys, p.keystoreKey);
    await saveLocalBackup(store, keys.userId, p.keystoreKey, backup);
    await saveUnlock(store, { userId: account.id, username: account.username }, p.keystoreKey);
    this.ctx.unlockWith(keys, p.keystoreKey, backup);
    this.ctx.pending = null;
    return { deviceId: keys.device.deviceId };
  }

  async prepareLogin(passphrase: string, salt: string): Promise<{ authSecret: string }> {
    await ready();
    const { authSecret, keystoreKey } = deriveAccountSecrets(passphrase, fromBase64Url(salt));
    this.ctx.pending = { username: "", keystoreKey };
    return { authSecret: toBase64Url(authSecret) };
  }

  async completeLogin(account: AccountInfo): Promise<{ deviceId: string }> {
    const p = this.ctx.pending;
    if (!p) throw new EngineError("NO_PENDING_ACCOUNT", "No log-in in progress.");
    let keys: Keys;
    try {
      keys = await loadKeys(this.ctx.store, account, p.keystoreKey);
      // Keys that open with this passphrase: any passphrase-change intent is stale.
      await dropRekeyIntent(this.ctx.store, account.username);
    } catch (err) {
      // Keys under another key: a passphrase change this browser did not finish may explain it.
      const mismatch = err instanceof EngineError && err.code === "KEYSTORE_MISMATCH";
      const resumed = mismatch ? await this.passphrase.resumeInterrupted(account, p.keystoreKey) : null;
      if (!resumed) {
        // A browser without keys may restore them from the backup next: keep the login.
        if (err instanceof EngineError && err.code === "NO_LOCAL_KEYS") this.ctx.pending = { ...p, account };
        else this.ctx.pending = null;
        throw err;
      }
      keys = resumed;
    }
    this.ctx.pending = null;
    const backup = await this.localBackupFor(keys, p.keystoreKey);
    await saveUnlock(this.ctx.store, { userId: account.id, username: account.username }, p.keystoreKey);
    this.ctx.unlockWith(keys, p.keystoreKey, backup);
    return { deviceId: keys.device.deviceId };
  }

  async prepareRestore(words: string, backup: SealedBackup): Promise<DeviceRegistration> {
    await ready();
    const p = this.ctx.pending;
    if (!p?.account) throw new EngineError("NO_PENDING_ACCOUNT", "Log in first, then restore.");
    let recoveryKey: Uint8Array;
    try {
      recoveryKey = recoveryKeyFromWords(words);
    } catch {
      throw new EngineError("BAD_RECOVERY_KEY", "Those are not the 17 words of a recovery key (check for typos).");
    }
    let contents: BackupContents;
    try {
      contents = decodeBackup(openBackup(recoveryKey, fromBase64Url(backup.ciphertext)));
    } catch {
      throw new EngineError("BAD_RECOVERY_KEY", "This recovery key does not open your key backup.");
    }
    const identity = { publicKey: fromBase64Url(contents.identity.publicKey), secretKey: fromBase64Url(contents.identity.secretKey) };
    // The backup must hold this account's identity, and a secret key that matches it.
    if (
      contents.userId !== p.account.id ||
      contents.identity.publicKey !== p.account.identityPublicKey ||
      !equalBytes(identity.secretKey.subarray(32), identity.publicKey)
    ) {
      throw new EngineError("BACKUP_MISMATCH", "The key backup belongs to another identity key than your account's.");
    }
    const device = generateDevice();
    this.ctx.pending = { ...p, identity, device, recoveryKey, restored: { contents, version: backup.version } };
    return registration(identity, device);
  }

  async completeRestore(): Promise<{ deviceId: string }> {
    const p = this.ctx.pending;
    if (!p?.account || !p.identity || !p.device || !p.restored || !p.recoveryKey) {
      throw new EngineError("NO_PENDING_ACCOUNT", "No restore in progress.");
    }
    const { account } = p;
    const keys: Keys = { userId: account.id, username: account.username, identity: p.identity, device: p.device };
    const backup: LocalBackup = {
      recoveryKey: p.recoveryKey,
      contents: p.restored.contents,
      version: p.restored.version,
      dirty: false,
    };
    const { store } = this.ctx;
    await saveKeys(store, keys, p.keystoreKey);
    await saveLocalBackup(store, keys.userId, p.keystoreKey, backup);
    await saveUnlock(store, { userId: account.id, username: account.username }, p.keystoreKey);
    const s = this.ctx.unlockWith(keys, p.keystoreKey, backup);
    this.ctx.pending = null;
    for (const entry of Object.values(backup.contents.sessions)) await restoreSession(s, entry.state);
    return { deviceId: keys.device.deviceId };
  }

  async resume(userId: string): Promise<{ deviceId: string } | null> {
    await ready();
    const { ctx } = this;
    if (ctx.state?.keys.userId === userId) return { deviceId: ctx.state.keys.device.deviceId };
    const unlock = await loadUnlock(ctx.store, userId);
    if (!unlock) return null;
    const record = await ctx.store.get<{ userId: string; identityPublicKey: string }>("accounts", unlock.username);
    if (!record) return null;
    try {
      const keys = await loadKeys(
        ctx.store,
        { id: userId, username: unlock.username, identityPublicKey: record.identityPublicKey },
        unlock.keystoreKey,
      );
      const backup = await this.localBackupFor(keys, unlock.keystoreKey);
      ctx.unlockWith(keys, unlock.keystoreKey, backup);
      return { deviceId: keys.device.deviceId };
    } catch {
      return null;
    }
  }

  async lock(): Promise<void> {
    this.passphrase.forget();
    await clearUnlock(this.ctx.store);
    this.ctx.state?.keystoreKey.fill(0);
    this.ctx.state = null;
    this.ctx.pending = null;
    this.ctx.clearRooms();
  }

  signRevocation(deviceId: string): Promise<{ revokedAtMs: number; signature: string }> {
    const { keys } = this.ctx.unlocked();
    const revokedAtMs = Date.now();
    return Promise.resolve({ revokedAtMs, signature: toBase64Url(signDeviceRevocation(keys.identity, deviceId, revokedAtMs)) });
  }

  preparePassphraseChange(current: string, next: string, salt: string): Promise<PassphraseChange> {
    return this.passphrase.prepare(current, next, salt);
  }

  finishPassphraseChange(accepted: boolean): Promise<void> {
    return this.passphrase.finish(accepted);
  }

  private async localBackupFor(keys: Keys, keystoreKey: Uint8Array): Promise<LocalBackup> {
    // Accounts from before key backup have no record: start one (without a recovery key).
    return (
      (await loadLocalBackup(this.ctx.store, keys.userId, keystoreKey)) ?? {
        recoveryKey: null,
        contents: emptyContents(keys),
        version: 0,
        dirty: false,
      }
    );
  }
}

function registration(identity: Keys["identity"], device: Keys["device"]): DeviceRegistration {
  return {
    deviceId: device.deviceId,
    name: deviceName(),
    signingPublicKey: toBase64Url(device.signing.publicKey),
    agreementPublicKey: toBase64Url(device.agreement.publicKey),
    signature: toBase64Url(certifyDevice(identity, device)),
  };
}

function emptyContents(keys: Keys): BackupContents {
  return {
    format: BACKUP_FORMAT,
    userId: keys.userId,
    identity: { publicKey: toBase64Url(keys.identity.publicKey), secretKey: toBase64Url(keys.identity.secretKey) },
    sessions: {},
    contacts: {},
    membershipHeads: {},
  };
}

function deviceName(): string {
  const ua = typeof navigator === "undefined" ? "" : navigator.userAgent;
  const browser = /Firefox\//.test(ua) ? "Firefox" : /Edg\//.test(ua) ? "Edge" : /Chrom/.test(ua) ? "Chromium" : /Safari\//.test(ua) ? "Safari" : "Browser";
  return `${browser} ${new Date().toISOString().slice(0, 10)}`;
}
