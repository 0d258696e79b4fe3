/**
 * The engine's sender-key sessions and decrypted-message cache at rest: each record
 * wrapped under the keystore key with a context naming the record, kept in memory
 * once loaded. Outbound: one per room (this device's sending session); inbound: one
 * per (room, sending device, session).
 */
import {
  deserializeInbound,
  deserializeOutbound,
  serializeInbound,
  serializeOutbound,
  unwrapSecret,
  wrapSecret,
  type InboundSession,
  type OutboundSession,
} from "@cairn/crypto";
import { toBase64Url } from "@cairn/protocol";
import type { KeyValueStore } from "./store";

export interface Outbound {
  session: OutboundSession;
  /** Devices that hold this session. */
  sharedWith: string[];
  /** Members when the session started: if one leaves, the session must rotate. */
  memberUserIds: string[];
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function inboundKey(roomId: string, senderDeviceId: string, sessionId: string): string {
  return `${roomId}|${senderDeviceId}|${sessionId}`;
}

export function inboundKeyOf(s: InboundSession): string {
  return inboundKey(s.roomId, s.senderDeviceId, toBase64Url(s.sessionId));
}

export class SessionStore {
  private readonly outbound = new Map<string, Outbound>();
  private readonly inbound = new Map<string, InboundSession>();

  constructor(
    private readonly store: KeyValueStore,
    private readonly userId: string,
    private readonly keystoreKey: Uint8Array,
  ) {}

  async loadOutbound(roomId: string): Promise<Outbound | undefined> {
    const hit = this.outbound.get(roomId);
    if (hit) return hit;
    const key = `${this.userId}|${roomId}`;
    const wrapped = await this.store.get<Uint8Array>("outbound", key);
    if (!wrapped) return undefined;
    const o = JSON.parse(dec.decode(unwrapSecret(this.keystoreKey, wrapped, `cairn/outbound/v1:${key}`))) as {
      session: string;
      sharedWith: string[];
      memberUserIds: string[];
    };
    const out = { session: deserializeOutbound(o.session), sharedWith: o.sharedWith, memberUserIds: o.memberUserIds };
    this.outbound.set(roomId, out);
    return out;
  }

  async saveOutbound(out: Outbound): Promise<void> {
    const key = `${this.userId}|${out.session.roomId}`;
    this.outbound.set(out.session.roomId, out);
    const text = JSON.stringify({
      session: serializeOutbound(out.session),
      sharedWith: out.sharedWith,
      memberUserIds: out.memberUserIds,
    });
    await this.store.put("outbound", key, wrapSecret(this.keystoreKey, enc.encode(text), `cairn/outbound/v1:${key}`));
  }

  async loadInbound(key: string): Promise<InboundSession | undefined> {
    const hit = this.inbound.get(key);
    if (hit) return hit;
    const storeKey = `${this.userId}|${key}`;
    const wrapped = await this.store.get<Uint8Array>("inbound", storeKey);
    if (!wrapped) return undefined;
    const session = deserializeInbound(dec.decode(unwrapSecret(this.keystoreKey, wrapped, `cairn/inbound/v1:${storeKey}`)));
    this.inbound.set(key, session);
    return session;
  }

  async saveInbound(s: InboundSession): Promise<void> {
    const key = inboundKeyOf(s);
    const storeKey = `${this.userId}|${key}`;
    this.inbound.set(key, s);
    const wrapped = wrapSecret(this.keystoreKey, enc.encode(serializeInbound(s)), `cairn/inbound/v1:${storeKey}`);
    await this.store.put("inbound", storeKey, wrapped);
  }

  async loadText(roomId: string, roomSeq: number): Promise<string | undefined> {
    const key = `${this.userId}|${roomId}|${roomSeq}`;
    const wrapped = await this.store.get<Uint8Array>("plaintexts", key);
    if (!wrapped) return undefined;
    return dec.decode(unwrapSecret(this.keystoreKey, wrapped, `cairn/plaintext/v1:${key}`));
  }

  async saveText(roomId: string, roomSeq: number, text: string): Promise<void> {
    const key = `${this.userId}|${roomId}|${roomSeq}`;
    await this.store.put("plaintexts", key, wrapSecret(this.keystoreKey, enc.encode(text), `cairn/plaintext/v1:${key}`));
  }
}
