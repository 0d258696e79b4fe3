/**
 * The browser's end-to-end encryption engine (DESIGN §3), run inside the crypto Web
 * Worker: holds the unwrapped keys in memory only, keeps one outbound sender-key
 * session per room and the inbound sessions other devices shared, keeps the key
 * backup's contents current, pins contacts' identity keys, checks each room's
 * transcript, and persists all of it wrapped under the keystore key.
 */
import {
  GENESIS_PREV_HASH,
  certifyDevice,
  createOutboundSession,
  decryptMessage,
  deriveAccountSecrets,
  deserializeInbound,
  encryptMessage,
  envelopeHash,
  generateDevice,
  generateIdentity,
  generateRecoveryKey,
  mergeInboundSessions,
  openBackup,
  openSessionShare,
  randomId,
  randomSalt,
  ready,
  recoveryKeyFromWords,
  recoveryKeyToWords,
  safetyNumber,
  safetyNumberGroups,
  sealBackup,
  serializeInbound,
  shareSession,
  shouldRotate,
  signDeviceRevocation,
  CryptoError,
  type InboundSession,
} from "@cairn/crypto";
import {
  equalBytes,
  envelopeFromWire,
  envelopeToWire,
  fromBase64Url,
  toBase64Url,
  type DeliveredShare,
  type Envelope,
  type DeviceRegistration,
  type SignupBody,
  type StoredMessage,
  type UserKeys,
  type WireEnvelope,
  type WireSessionShare,
} from "@cairn/protocol";
import {
  EngineError,
  type AccountInfo,
  type BackupStatus,
  type BackupUpload,
  type CryptoApi,
  type DecryptResult,
  type DiscloseResult,
  type EncryptResult,
  type OpenSharesResult,
  type SafetyNumberView,
  type SealedBackup,
} from "./api";
import { BACKUP_FORMAT, decodeBackup, encodeBackup, mergeBackups, sessionsGained, type BackupContents } from "./backup";
import { discloseFromState } from "./disclose";
import { ContactBook, type ContactStatus } from "./contacts";
import { verifyMembers, type RoomMembers, type TrustedDevice } from "./directory";
import { clearUnlock, loadKeys, loadUnlock, saveKeys, saveUnlock, type Keys } from "./keyring";
import { loadLocalBackup, saveLocalBackup, type LocalBackup } from "./local-backup";
import { SessionStore, inboundKey, inboundKeyOf, type Outbound } from "./session-store";
import type { KeyValueStore } from "./store";
import { Transcript } from "./transcript";

/** Longest message a user may type (characters); well under the envelope limit. */
export const MAX_MESSAGE_CHARS = 4000;

interface Pending {
  username: string;
  keystoreKey: Uint8Array;
  identity?: Keys["identity"];
  device?: Keys["device"];
  recoveryKey?: Uint8Array;
  /** Log-in on a browser without keys: the account to restore. */
  account?: AccountInfo;
  restored?: { contents: BackupContents; version: number };
}

interface Unlocked {
  keys: Keys;
  keystoreKey: Uint8Array;
  sessions: SessionStore;
  backup: LocalBackup;
  contacts: ContactBook;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const GENESIS = toBase64Url(GENESIS_PREV_HASH);

export class CryptoEngine implements CryptoApi {
  private state: Unlocked | null = null;
  private pending: Pending | null = null;
  private readonly rooms = new Map<string, RoomMembers>();
  private readonly devices = new Map<string, TrustedDevice>();
  /**
   * Per room: the newest stored envelope this client saw, and this device's own sent
   * envelopes not yet seen back, oldest first. The next message names the last of those
   * (a device never names one predecessor twice), else the newest seen. A send that fails
   * is dropped from the list, so no message names an envelope that was never stored.
   */
  private readonly heads = new Map<string, { seen: { seq: number; hash: Uint8Array } | null; pending: Uint8Array[] }>();
  private readonly transcripts = new Map<string, Transcript>();
  /** Bumped on every backup change, so an upload sealed before a change keeps the backup dirty. */
  private generation = 0;

  constructor(private readonly store: KeyValueStore) {}

  // ---- account ------------------------------------------------------------

  async prepareSignup(username: string, passphrase: string): Promise<SignupBody> {
    await ready();
    const salt = randomSalt();
    const { authSecret, keystoreKey } = deriveAccountSecrets(passphrase, salt);
    const identity = generateIdentity();
    const device = generateDevice();
    this.pending = { username, keystoreKey, identity, device, recoveryKey: generateRecoveryKey() };
    return {
      username,
      salt: toBase64Url(salt),
      authSecret: toBase64Url(authSecret),
      identityPublicKey: toBase64Url(identity.publicKey),
      device: registration(identity, device),
    };
  }

  pendingRecoveryWords(): Promise<string> {
    const key = this.pending?.recoveryKey;
    if (!key) throw new EngineError("NO_PENDING_ACCOUNT", "No sign-up in progress.");
    return Promise.resolve(recoveryKeyToWords(key));
  }

  async completeSignup(account: AccountInfo): Promise<{ deviceId: string }> {
    const p = this.pending;
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
    await saveKeys(this.store, keys, p.keystoreKey);
    await saveLocalBackup(this.store, keys.userId, p.keystoreKey, backup);
    await saveUnlock(this.store, { userId: account.id, username: account.username }, p.keystoreKey);
    this.unlockWith(keys, p.keystoreKey, backup);
    this.pending = null;
    return { deviceId: keys.device.deviceId };
  }

  async prepareLogin(passphrase: string, salt: string): Promise<{ authSecret: string }> {
    await ready();
    const { authSecret, keystoreKey } = deriveAccountSecrets(passphrase, fromBase64Url(salt));
    this.pending = { username: "", keystoreKey };
    return { authSecret: toBase64Url(authSecret) };
  }

  async completeLogin(account: AccountInfo): Promise<{ deviceId: string }> {
    const p = this.pending;
    if (!p) throw new EngineError("NO_PENDING_ACCOUNT", "No log-in in progress.");
    let keys: Keys;
    try {
      keys = await loadKeys(this.store, account, p.keystoreKey);
    } catch (err) {
      // A browser without keys may restore them from the backup next: keep the login.
      if (err instanceof EngineError && err.code === "NO_LOCAL_KEYS") this.pending = { ...p, account };
      else this.pending = null;
      throw err;
    }
    this.pending = null;
    const backup = await this.localBackupFor(keys, p.keystoreKey);
    await saveUnlock(this.store, { userId: account.id, username: account.username }, p.keystoreKey);
    this.unlockWith(keys, p.keystoreKey, backup);
    return { deviceId: keys.device.deviceId };
  }

  async prepareRestore(words: string, backup: SealedBackup): Promise<DeviceRegistration> {
    await ready();
    const p = this.pending;
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
    this.pending = { ...p, identity, device, recoveryKey, restored: { contents, version: backup.version } };
    return registration(identity, device);
  }

  async completeRestore(): Promise<{ deviceId: string }> {
    const p = this.pending;
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
    await saveKeys(this.store, keys, p.keystoreKey);
    await saveLocalBackup(this.store, keys.userId, p.keystoreKey, backup);
    await saveUnlock(this.store, { userId: account.id, username: account.username }, p.keystoreKey);
    const s = this.unlockWith(keys, p.keystoreKey, backup);
    this.pending = null;
    for (const entry of Object.values(backup.contents.sessions)) await this.restoreSession(s, entry.state);
    return { deviceId: keys.device.deviceId };
  }

  async resume(userId: string): Promise<{ deviceId: string } | null> {
    await ready();
    if (this.state?.keys.userId === userId) return { deviceId: this.state.keys.device.deviceId };
    const unlock = await loadUnlock(this.store, userId);
    if (!unlock) return null;
    const record = await this.store.get<{ userId: string; identityPublicKey: string }>("accounts", unlock.username);
    if (!record) return null;
    try {
      const keys = await loadKeys(
        this.store,
        { id: userId, username: unlock.username, identityPublicKey: record.identityPublicKey },
        unlock.keystoreKey,
      );
      const backup = await this.localBackupFor(keys, unlock.keystoreKey);
      this.unlockWith(keys, unlock.keystoreKey, backup);
      return { deviceId: keys.device.deviceId };
    } catch {
      return null;
    }
  }

  async lock(): Promise<void> {
    await clearUnlock(this.store);
    this.state?.keystoreKey.fill(0);
    this.state = null;
    this.pending = null;
    this.clearRooms();
  }

  signRevocation(deviceId: string): Promise<{ revokedAtMs: number; signature: string }> {
    const { keys } = this.unlocked();
    const revokedAtMs = Date.now();
    return Promise.resolve({ revokedAtMs, signature: toBase64Url(signDeviceRevocation(keys.identity, deviceId, revokedAtMs)) });
  }

  private async localBackupFor(keys: Keys, keystoreKey: Uint8Array): Promise<LocalBackup> {
    // Accounts from before key backup have no record: start one (without a recovery key).
    return (
      (await loadLocalBackup(this.store, keys.userId, keystoreKey)) ?? {
        recoveryKey: null,
        contents: emptyContents(keys),
        version: 0,
        dirty: false,
      }
    );
  }

  private unlockWith(keys: Keys, keystoreKey: Uint8Array, backup: LocalBackup): Unlocked {
    this.clearRooms();
    this.state = {
      keys,
      keystoreKey,
      backup,
      sessions: new SessionStore(this.store, keys.userId, keystoreKey),
      contacts: new ContactBook(backup.contents.contacts),
    };
    return this.state;
  }

  private clearRooms(): void {
    this.rooms.clear();
    this.devices.clear();
    this.heads.clear();
    this.transcripts.clear();
  }

  private unlocked(): Unlocked {
    if (!this.state) throw new EngineError("LOCKED", "Log in to unlock your keys.");
    return this.state;
  }

  // ---- key backup ---------------------------------------------------------

  backupStatus(): Promise<BackupStatus> {
    const { backup } = this.unlocked();
    return Promise.resolve({ enabled: backup.recoveryKey !== null, version: backup.version, dirty: backup.dirty });
  }

  backupToUpload(): Promise<BackupUpload | null> {
    const { backup } = this.unlocked();
    if (!backup.recoveryKey || !backup.dirty) return Promise.resolve(null);
    const ciphertext = toBase64Url(sealBackup(backup.recoveryKey, encodeBackup(backup.contents)));
    return Promise.resolve({ ciphertext, version: backup.version + 1, generation: this.generation });
  }

  async backupUploaded(version: number, generation: number): Promise<void> {
    const s = this.unlocked();
    s.backup.version = version;
    s.backup.dirty = generation !== this.generation;
    await this.saveBackup(s);
  }

  async backupConflict(remote: SealedBackup): Promise<void> {
    const s = this.unlocked();
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
    for (const [, entry] of sessionsGained(s.backup.contents, theirs)) await this.restoreSession(s, entry.state);
    Object.assign(s.backup.contents.contacts, merged.contacts);
    s.backup.contents.sessions = merged.sessions;
    s.backup.version = remote.version;
    this.changed(s);
    await this.saveBackup(s);
  }

  /** Adds a session's starting state to the backup (when it starts earlier than what is there). */
  private rememberSession(s: Unlocked, key: string, firstIndex: number, state: string): void {
    const known = s.backup.contents.sessions[key];
    if (known && known.firstIndex <= firstIndex) return;
    s.backup.contents.sessions[key] = { firstIndex, state };
    this.changed(s);
  }

  private async restoreSession(s: Unlocked, state: string): Promise<void> {
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

  private changed(s: Unlocked): void {
    s.backup.dirty = true;
    this.generation++;
  }

  private async saveBackup(s: Unlocked): Promise<void> {
    await saveLocalBackup(this.store, s.keys.userId, s.keystoreKey, s.backup);
  }

  // ---- directory and contacts ---------------------------------------------

  async setRoomMembers(
    roomId: string,
    users: UserKeys[],
  ): Promise<{ trusted: number; rejected: string[]; contacts: ContactStatus[] }> {
    const s = this.unlocked();
    const self = { userId: s.keys.userId, identityPublicKey: toBase64Url(s.keys.identity.publicKey) };
    const { pinned, newPins } = s.contacts.observe(users, self);
    const { members, rejected } = verifyMembers(pinned);
    this.rooms.set(roomId, members);
    for (const d of members.devices) this.devices.set(d.deviceId, d);
    if (newPins) {
      this.changed(s);
      await this.saveBackup(s);
    }
    const contacts = users.filter((u) => u.userId !== self.userId).map((u) => s.contacts.status(u.userId));
    return { trusted: members.devices.length, rejected, contacts };
  }

  safetyNumber(userId: string): Promise<SafetyNumberView> {
    const s = this.unlocked();
    const status = s.contacts.status(userId);
    const theirs = status.newIdentityPublicKey ?? status.identityPublicKey;
    const digits = safetyNumber(s.keys.identity.publicKey, fromBase64Url(theirs));
    return Promise.resolve({
      userId,
      username: status.username,
      digits,
      groups: safetyNumberGroups(digits),
      identityPublicKey: theirs,
      status,
    });
  }

  async acceptIdentityKey(userId: string, identityPublicKey: string): Promise<ContactStatus> {
    const s = this.unlocked();
    if (s.contacts.accept(userId, identityPublicKey)) {
      // Devices were verified against the old pin: the next setRoomMembers re-checks them.
      for (const [id, d] of this.devices) if (d.userId === userId) this.devices.delete(id);
      this.changed(s);
      await this.saveBackup(s);
    }
    return s.contacts.status(userId);
  }

  async setContactVerified(userId: string, identityPublicKey: string, verified: boolean): Promise<ContactStatus> {
    const s = this.unlocked();
    if (s.contacts.setVerified(userId, identityPublicKey, verified)) {
      this.changed(s);
      await this.saveBackup(s);
    }
    return s.contacts.status(userId);
  }

  // ---- sending ------------------------------------------------------------

  async encrypt(roomId: string, text: string): Promise<EncryptResult> {
    const s = this.unlocked();
    const { keys } = s;
    if (typeof text !== "string" || text.trim().length === 0 || text.length > MAX_MESSAGE_CHARS) {
      throw new EngineError("BAD_INPUT", `A message is 1 to ${MAX_MESSAGE_CHARS} characters.`);
    }
    const members = this.rooms.get(roomId);
    if (!members) throw new EngineError("ROOM_KEYS_MISSING", "Load the room's member keys first.");
    const blocked = s.contacts.blocking(members.userIds);
    if (blocked) {
      throw new EngineError(
        "KEY_CHANGED",
        `${blocked.username}'s security key changed. Sending is blocked until you review and accept the new key.`,
      );
    }
    const self = keys.device.deviceId;

    let out: Outbound | undefined = await s.sessions.loadOutbound(roomId);
    const live = new Set(members.devices.filter((d) => !d.revoked).map((d) => d.deviceId));
    const memberLeft = out?.memberUserIds.some((id) => !members.userIds.has(id)) ?? false;
    // A revoked (or no longer certified) device holds the current session: rotate before sending.
    const deviceGone = out?.sharedWith.some((id) => !live.has(id)) ?? false;
    if (!out || memberLeft || deviceGone || shouldRotate(out.session, Date.now())) {
      out = { session: createOutboundSession(roomId), sharedWith: [], memberUserIds: [...members.userIds] };
      // This device reads its own messages (history after a reload) through an inbound copy.
      const copy: InboundSession = {
        roomId,
        senderDeviceId: self,
        sessionId: out.session.sessionId.slice(),
        chainKey: out.session.chainKey.slice(),
        index: out.session.index,
        firstIndex: out.session.index,
        skipped: new Map(),
      };
      this.rememberSession(s, inboundKeyOf(copy), copy.firstIndex, serializeInbound(copy));
      await s.sessions.saveInbound(copy);
      await this.saveBackup(s);
    }

    const shares: WireSessionShare[] = [];
    for (const d of members.devices) {
      if (d.revoked || d.deviceId === self || out.sharedWith.includes(d.deviceId)) continue;
      shares.push(
        shareSession({
          session: out.session,
          senderDeviceId: self,
          senderSigningSecretKey: keys.device.signing.secretKey,
          recipientDeviceId: d.deviceId,
          recipientAgreementPublicKey: d.agreementPublicKey,
        }),
      );
      out.sharedWith.push(d.deviceId);
    }
    for (const id of members.userIds) if (!out.memberUserIds.includes(id)) out.memberUserIds.push(id);

    const head = this.heads.get(roomId) ?? { seen: null, pending: [] };
    const { envelope, session } = encryptMessage(out.session, {
      senderDeviceId: self,
      signingSecretKey: keys.device.signing.secretKey,
      prevHash: head.pending.at(-1) ?? head.seen?.hash ?? GENESIS_PREV_HASH,
      plaintext: enc.encode(JSON.stringify({ type: "text", body: text })),
    });
    out.session = session;
    await s.sessions.saveOutbound(out);
    this.heads.set(roomId, { seen: head.seen, pending: [...head.pending, envelopeHash(envelope)] });
    return { clientMsgId: randomId(16), envelope: envelopeToWire(envelope), shares };
  }

  /** The relay refused `envelope` (it was not stored): the next message must not name it. */
  messageFailed(roomId: string, envelope: WireEnvelope): Promise<void> {
    const head = this.heads.get(roomId);
    const hash = envelopeHash(envelopeFromWire(envelope));
    if (head) head.pending = head.pending.filter((h) => !equalBytes(h, hash));
    return Promise.resolve();
  }

  /** The relay refused the shares: share the session again with the next message. */
  async sharesFailed(roomId: string): Promise<void> {
    const { sessions } = this.unlocked();
    const out = await sessions.loadOutbound(roomId);
    if (!out) return;
    out.sharedWith = [];
    await sessions.saveOutbound(out);
  }

  // ---- receiving ----------------------------------------------------------

  async decrypt(message: StoredMessage): Promise<DecryptResult> {
    const { sessions } = this.unlocked();
    const envelope = envelopeFromWire(message.envelope);
    const hash = envelopeHash(envelope);
    const forks = this.track(message, hash);
    const result = await this.open(message, sessions);
    return forks.length > 0 ? { ...result, forks } : result;
  }

  private track(message: StoredMessage, hash: Uint8Array): ReturnType<Transcript["add"]> {
    const head = this.heads.get(message.roomId) ?? { seen: null, pending: [] };
    const mine = head.pending.findIndex((h) => equalBytes(h, hash));
    if (mine >= 0) head.pending = head.pending.slice(mine + 1);
    if (!head.seen || message.roomSeq >= head.seen.seq) head.seen = { seq: message.roomSeq, hash };
    this.heads.set(message.roomId, head);
    let transcript = this.transcripts.get(message.roomId);
    if (!transcript) {
      transcript = new Transcript(GENESIS);
      this.transcripts.set(message.roomId, transcript);
    }
    return transcript.add({
      seq: message.roomSeq,
      hash: toBase64Url(hash),
      prevHash: message.envelope.prevHash,
      senderDeviceId: message.envelope.senderDeviceId,
    });
  }

  private async open(message: StoredMessage, sessions: SessionStore): Promise<DecryptResult> {
    const envelope = envelopeFromWire(message.envelope);
    const cached = await sessions.loadText(message.roomId, message.roomSeq);
    if (cached !== undefined) return { kind: "text", body: cached };

    const sender = this.devices.get(envelope.senderDeviceId);
    if (!sender) return { kind: "unknown-device" };
    if (sender.userId !== message.senderUserId || envelope.roomId !== message.roomId) {
      return { kind: "failed", reason: "The envelope's device does not belong to its sender." };
    }
    if (sender.revokedAtMs !== null && Date.parse(message.serverTime) >= sender.revokedAtMs) {
      return { kind: "failed", reason: "Sent by a revoked device." };
    }
    const session = await sessions.loadInbound(inboundKey(message.roomId, envelope.senderDeviceId, message.envelope.sessionId));
    if (!session) return { kind: "waiting" };
    try {
      const { plaintext, session: next } = decryptMessage(session, envelope, sender.signingPublicKey);
      await sessions.saveInbound(next);
      const body = parseBody(plaintext);
      await sessions.saveText(message.roomId, message.roomSeq, body);
      return { kind: "text", body };
    } catch (err) {
      if (err instanceof CryptoError) return { kind: "failed", reason: `${err.code}: ${err.message}` };
      throw err;
    }
  }

  // ---- disclosure ---------------------------------------------------------

  /**
   * mk_i and the plaintext of `wire` (docs/bundle-format.md "message"), re-derived from
   * the earliest stored state of its session (the key backup's starting state), else
   * from the live state (which still holds the keys of messages not read yet). Only
   * an envelope whose signature verifies under the sender's directory key is disclosed.
   */
  async discloseMessage(wire: WireEnvelope): Promise<DiscloseResult> {
    const s = this.unlocked();
    let envelope: Envelope;
    try {
      envelope = envelopeFromWire(wire);
    } catch (err) {
      return { kind: "failed", reason: `malformed envelope: ${err instanceof Error ? err.message : String(err)}` };
    }
    const sender = this.devices.get(envelope.senderDeviceId);
    if (!sender) return { kind: "unknown-device" };
    const key = inboundKey(envelope.roomId, envelope.senderDeviceId, wire.sessionId);
    const states: string[] = [];
    const start = s.backup.contents.sessions[key];
    if (start) states.push(start.state);
    const live = await s.sessions.loadInbound(key);
    if (live) states.push(serializeInbound(live));
    try {
      for (const state of states) {
        const found = discloseFromState(state, envelope, sender.signingPublicKey);
        if (!found) continue;
        const result: DiscloseResult = { kind: "disclosed", messageKey: toBase64Url(found.messageKey), body: toBase64Url(found.plaintext) };
        found.messageKey.fill(0);
        return result;
      }
    } catch (err) {
      if (err instanceof CryptoError) return { kind: "failed", reason: `${err.code}: ${err.message}` };
      throw err;
    }
    return { kind: "waiting" };
  }

  async openShares(delivered: DeliveredShare[], dropUnknown: boolean): Promise<OpenSharesResult> {
    const s = this.unlocked();
    const { keys, sessions } = s;
    const done: string[] = [];
    const needKeysFor = new Set<string>();
    let opened = 0;
    for (const { id, share } of delivered) {
      const sender = this.devices.get(share.senderDeviceId);
      const room = this.rooms.get(share.roomId);
      if (!sender || !room || !room.userIds.has(sender.userId)) {
        if (dropUnknown) done.push(id);
        else needKeysFor.add(share.roomId);
        continue;
      }
      done.push(id);
      if (sender.revoked) continue;
      try {
        const session = openSessionShare({
          share,
          recipientDeviceId: keys.device.deviceId,
          recipientAgreement: keys.device.agreement,
          senderSigningPublicKey: sender.signingPublicKey,
        });
        // The share's starting state, for the backup (merging consumes `session`).
        const key = inboundKeyOf(session);
        const firstIndex = session.firstIndex;
        const snapshot = serializeInbound(session);
        const existing = await sessions.loadInbound(key);
        // A re-sent or replayed share must not make this device forget what it read.
        const next = existing ? mergeInboundSessions(existing, session) : session;
        if (next === existing) continue;
        await sessions.saveInbound(next);
        this.rememberSession(s, key, firstIndex, snapshot);
        opened++;
      } catch (err) {
        if (!(err instanceof CryptoError)) throw err;
        console.warn("[cairn] rejected a session share:", err.code);
      }
    }
    if (opened > 0) await this.saveBackup(s);
    return { done, needKeysFor: [...needKeysFor], opened };
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
  };
}

function parseBody(plaintext: Uint8Array): string {
  try {
    const o = JSON.parse(dec.decode(plaintext)) as { type?: unknown; body?: unknown };
    if (o.type === "text" && typeof o.body === "string") return o.body;
  } catch {
    // fall through
  }
  return "[unsupported message]";
}

function deviceName(): string {
  const ua = typeof navigator === "undefined" ? "" : navigator.userAgent;
  const browser = /Firefox\//.test(ua) ? "Firefox" : /Edg\//.test(ua) ? "Edge" : /Chrom/.test(ua) ? "Chromium" : /Safari\//.test(ua) ? "Safari" : "Browser";
  return `${browser} ${new Date().toISOString().slice(0, 10)}`;
}
