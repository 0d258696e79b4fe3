/**
 * The browser's end-to-end encryption engine (DESIGN §3), run inside the crypto Web
 * Worker: holds the unwrapped keys in memory only, keeps one outbound sender-key
 * session per room and the inbound sessions other devices shared, and persists all of
 * them wrapped under the keystore key.
 */
import {
  GENESIS_PREV_HASH,
  certifyDevice,
  createOutboundSession,
  decryptMessage,
  deriveAccountSecrets,
  deserializeInbound,
  deserializeOutbound,
  encryptMessage,
  envelopeHash,
  generateDevice,
  generateIdentity,
  openSessionShare,
  randomId,
  randomSalt,
  ready,
  serializeInbound,
  serializeOutbound,
  shareSession,
  shouldRotate,
  unwrapSecret,
  wrapSecret,
  CryptoError,
  type InboundSession,
  type OutboundSession,
} from "@cairn/crypto";
import {
  envelopeFromWire,
  envelopeToWire,
  fromBase64Url,
  toBase64Url,
  type DeliveredShare,
  type SignupBody,
  type StoredMessage,
  type UserKeys,
  type WireSessionShare,
} from "@cairn/protocol";
import {
  EngineError,
  type AccountInfo,
  type CryptoApi,
  type DecryptResult,
  type EncryptResult,
  type OpenSharesResult,
} from "./api";
import { verifyMembers, type RoomMembers, type TrustedDevice } from "./directory";
import { clearUnlock, loadKeys, loadUnlock, saveKeys, saveUnlock, type Keys } from "./keyring";
import type { KeyValueStore } from "./store";

/** Longest message a user may type (characters); well under the envelope limit. */
export const MAX_MESSAGE_CHARS = 4000;

interface Outbound {
  session: OutboundSession;
  /** Devices that hold this session. */
  sharedWith: string[];
  /** Members when the session started: if one leaves, the session must rotate. */
  memberUserIds: string[];
}

interface Pending {
  username: string;
  keystoreKey: Uint8Array;
  identity?: Keys["identity"];
  device?: Keys["device"];
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export class CryptoEngine implements CryptoApi {
  private keys: Keys | null = null;
  private keystoreKey: Uint8Array | null = null;
  private pending: Pending | null = null;
  private readonly rooms = new Map<string, RoomMembers>();
  private readonly devices = new Map<string, TrustedDevice>();
  private readonly outbound = new Map<string, Outbound>();
  private readonly inbound = new Map<string, InboundSession>();
  /** Last envelope this client saw per room: the next message's prevHash. */
  private readonly heads = new Map<string, { seq: number; hash: Uint8Array }>();

  constructor(private readonly store: KeyValueStore) {}

  // ---- account ------------------------------------------------------------

  async prepareSignup(username: string, passphrase: string): Promise<SignupBody> {
    await ready();
    const salt = randomSalt();
    const { authSecret, keystoreKey } = deriveAccountSecrets(passphrase, salt);
    const identity = generateIdentity();
    const device = generateDevice();
    const signature = certifyDevice(identity, device);
    this.pending = { username, keystoreKey, identity, device };
    return {
      username,
      salt: toBase64Url(salt),
      authSecret: toBase64Url(authSecret),
      identityPublicKey: toBase64Url(identity.publicKey),
      device: {
        deviceId: device.deviceId,
        name: deviceName(),
        signingPublicKey: toBase64Url(device.signing.publicKey),
        agreementPublicKey: toBase64Url(device.agreement.publicKey),
        signature: toBase64Url(signature),
      },
    };
  }

  async completeSignup(account: AccountInfo): Promise<{ deviceId: string }> {
    const p = this.pending;
    if (!p?.identity || !p.device) throw new EngineError("NO_PENDING_ACCOUNT", "No sign-up in progress.");
    if (toBase64Url(p.identity.publicKey) !== account.identityPublicKey) {
      throw new EngineError("KEYSTORE_MISMATCH", "The server returned another identity key.");
    }
    const keys: Keys = { userId: account.id, username: account.username, identity: p.identity, device: p.device };
    await saveKeys(this.store, keys, p.keystoreKey);
    await saveUnlock(this.store, { userId: account.id, username: account.username }, p.keystoreKey);
    this.unlockWith(keys, p.keystoreKey);
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
    this.pending = null;
    const keys = await loadKeys(this.store, account, p.keystoreKey);
    await saveUnlock(this.store, { userId: account.id, username: account.username }, p.keystoreKey);
    this.unlockWith(keys, p.keystoreKey);
    return { deviceId: keys.device.deviceId };
  }

  async resume(userId: string): Promise<{ deviceId: string } | null> {
    await ready();
    if (this.keys?.userId === userId) return { deviceId: this.keys.device.deviceId };
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
      this.unlockWith(keys, unlock.keystoreKey);
      return { deviceId: keys.device.deviceId };
    } catch {
      return null;
    }
  }

  async lock(): Promise<void> {
    await clearUnlock(this.store);
    this.keystoreKey?.fill(0);
    this.keys = null;
    this.keystoreKey = null;
    this.pending = null;
    this.rooms.clear();
    this.devices.clear();
    this.outbound.clear();
    this.inbound.clear();
    this.heads.clear();
  }

  private unlockWith(keys: Keys, keystoreKey: Uint8Array): void {
    this.keys = keys;
    this.keystoreKey = keystoreKey;
    this.rooms.clear();
    this.devices.clear();
    this.outbound.clear();
    this.inbound.clear();
    this.heads.clear();
  }

  private unlocked(): { keys: Keys; keystoreKey: Uint8Array } {
    if (!this.keys || !this.keystoreKey) throw new EngineError("LOCKED", "Log in to unlock your keys.");
    return { keys: this.keys, keystoreKey: this.keystoreKey };
  }

  // ---- directory ----------------------------------------------------------

  setRoomMembers(roomId: string, users: UserKeys[]): Promise<{ trusted: number; rejected: string[] }> {
    this.unlocked();
    const { members, rejected } = verifyMembers(users);
    this.rooms.set(roomId, members);
    for (const d of members.devices) this.devices.set(d.deviceId, d);
    return Promise.resolve({ trusted: members.devices.length, rejected });
  }

  // ---- sending ------------------------------------------------------------

  async encrypt(roomId: string, text: string): Promise<EncryptResult> {
    const { keys } = this.unlocked();
    if (typeof text !== "string" || text.trim().length === 0 || text.length > MAX_MESSAGE_CHARS) {
      throw new EngineError("BAD_INPUT", `A message is 1 to ${MAX_MESSAGE_CHARS} characters.`);
    }
    const members = this.rooms.get(roomId);
    if (!members) throw new EngineError("ROOM_KEYS_MISSING", "Load the room's member keys first.");
    const self = keys.device.deviceId;

    let out = await this.loadOutbound(roomId);
    const live = new Set(members.devices.filter((d) => !d.revoked).map((d) => d.deviceId));
    const memberLeft = out?.memberUserIds.some((id) => !members.userIds.has(id)) ?? false;
    const deviceGone = out?.sharedWith.some((id) => !live.has(id)) ?? false;
    if (!out || memberLeft || deviceGone || shouldRotate(out.session, Date.now())) {
      out = { session: createOutboundSession(roomId), sharedWith: [], memberUserIds: [...members.userIds] };
      // This device reads its own messages (history after a reload) through an inbound copy.
      await this.saveInbound({
        roomId,
        senderDeviceId: self,
        sessionId: out.session.sessionId.slice(),
        chainKey: out.session.chainKey.slice(),
        index: out.session.index,
        firstIndex: out.session.index,
        skipped: new Map(),
      });
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

    const head = this.heads.get(roomId);
    const { envelope, session } = encryptMessage(out.session, {
      senderDeviceId: self,
      signingSecretKey: keys.device.signing.secretKey,
      prevHash: head?.hash ?? GENESIS_PREV_HASH,
      plaintext: enc.encode(JSON.stringify({ type: "text", body: text })),
    });
    out.session = session;
    await this.saveOutbound(out);
    this.heads.set(roomId, { seq: head?.seq ?? 0, hash: envelopeHash(envelope) });
    return { clientMsgId: randomId(16), envelope: envelopeToWire(envelope), shares };
  }

  /** The relay refused the shares: share the session again with the next message. */
  async sharesFailed(roomId: string): Promise<void> {
    const out = await this.loadOutbound(roomId);
    if (!out) return;
    out.sharedWith = [];
    await this.saveOutbound(out);
  }

  // ---- receiving ----------------------------------------------------------

  async decrypt(message: StoredMessage): Promise<DecryptResult> {
    const { keys } = this.unlocked();
    const envelope = envelopeFromWire(message.envelope);
    const head = this.heads.get(message.roomId);
    if (!head || message.roomSeq >= head.seq) {
      this.heads.set(message.roomId, { seq: message.roomSeq, hash: envelopeHash(envelope) });
    }
    const cacheKey = `${keys.userId}|${message.roomId}|${message.roomSeq}`;
    const cached = await this.store.get<Uint8Array>("plaintexts", cacheKey);
    if (cached) return { kind: "text", body: this.unwrapText(cached, cacheKey) };

    const sender = this.devices.get(envelope.senderDeviceId);
    if (!sender) return { kind: "unknown-device" };
    if (sender.userId !== message.senderUserId || envelope.roomId !== message.roomId) {
      return { kind: "failed", reason: "The envelope's device does not belong to its sender." };
    }
    const inKey = inboundKey(message.roomId, envelope.senderDeviceId, message.envelope.sessionId);
    const session = await this.loadInbound(inKey);
    if (!session) return { kind: "waiting" };
    try {
      const { plaintext, session: next } = decryptMessage(session, envelope, sender.signingPublicKey);
      await this.saveInbound(next);
      const body = parseBody(plaintext);
      await this.store.put("plaintexts", cacheKey, this.wrapText(body, cacheKey));
      return { kind: "text", body };
    } catch (err) {
      if (err instanceof CryptoError) return { kind: "failed", reason: `${err.code}: ${err.message}` };
      throw err;
    }
  }

  async openShares(delivered: DeliveredShare[], dropUnknown: boolean): Promise<OpenSharesResult> {
    const { keys } = this.unlocked();
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
      try {
        const session = openSessionShare({
          share,
          recipientDeviceId: keys.device.deviceId,
          recipientAgreement: keys.device.agreement,
          senderSigningPublicKey: sender.signingPublicKey,
        });
        const existing = await this.loadInbound(inboundKey(share.roomId, share.senderDeviceId, share.sessionId));
        // Keep the state that reaches further back (a re-share starts later in the chain).
        if (existing && existing.firstIndex <= session.firstIndex) continue;
        await this.saveInbound(session);
        opened++;
      } catch (err) {
        if (!(err instanceof CryptoError)) throw err;
        console.warn("[cairn] rejected a session share:", err.code);
      }
    }
    return { done, needKeysFor: [...needKeysFor], opened };
  }

  // ---- persistence --------------------------------------------------------

  private wrapText(text: string, context: string): Uint8Array {
    return wrapSecret(this.unlocked().keystoreKey, enc.encode(text), `cairn/plaintext/v1:${context}`);
  }

  private unwrapText(wrapped: Uint8Array, context: string): string {
    return dec.decode(unwrapSecret(this.unlocked().keystoreKey, wrapped, `cairn/plaintext/v1:${context}`));
  }

  private async loadOutbound(roomId: string): Promise<Outbound | undefined> {
    const hit = this.outbound.get(roomId);
    if (hit) return hit;
    const { keys, keystoreKey } = this.unlocked();
    const key = `${keys.userId}|${roomId}`;
    const wrapped = await this.store.get<Uint8Array>("outbound", key);
    if (!wrapped) return undefined;
    const o = JSON.parse(dec.decode(unwrapSecret(keystoreKey, wrapped, `cairn/outbound/v1:${key}`))) as {
      session: string;
      sharedWith: string[];
      memberUserIds: string[];
    };
    const out = { session: deserializeOutbound(o.session), sharedWith: o.sharedWith, memberUserIds: o.memberUserIds };
    this.outbound.set(roomId, out);
    return out;
  }

  private async saveOutbound(out: Outbound): Promise<void> {
    const { keys, keystoreKey } = this.unlocked();
    const key = `${keys.userId}|${out.session.roomId}`;
    this.outbound.set(out.session.roomId, out);
    const text = JSON.stringify({
      session: serializeOutbound(out.session),
      sharedWith: out.sharedWith,
      memberUserIds: out.memberUserIds,
    });
    await this.store.put("outbound", key, wrapSecret(keystoreKey, enc.encode(text), `cairn/outbound/v1:${key}`));
  }

  private async loadInbound(key: string): Promise<InboundSession | undefined> {
    const hit = this.inbound.get(key);
    if (hit) return hit;
    const { keys, keystoreKey } = this.unlocked();
    const storeKey = `${keys.userId}|${key}`;
    const wrapped = await this.store.get<Uint8Array>("inbound", storeKey);
    if (!wrapped) return undefined;
    const session = deserializeInbound(dec.decode(unwrapSecret(keystoreKey, wrapped, `cairn/inbound/v1:${storeKey}`)));
    this.inbound.set(key, session);
    return session;
  }

  private async saveInbound(s: InboundSession): Promise<void> {
    const { keys, keystoreKey } = this.unlocked();
    const key = inboundKey(s.roomId, s.senderDeviceId, toBase64Url(s.sessionId));
    const storeKey = `${keys.userId}|${key}`;
    this.inbound.set(key, s);
    const wrapped = wrapSecret(keystoreKey, enc.encode(serializeInbound(s)), `cairn/inbound/v1:${storeKey}`);
    await this.store.put("inbound", storeKey, wrapped);
  }
}

function inboundKey(roomId: string, senderDeviceId: string, sessionId: string): string {
  return `${roomId}|${senderDeviceId}|${sessionId}`;
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
