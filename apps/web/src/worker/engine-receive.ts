/**
 * The engine's receiving side: opens session shares from verified room members
 * (merged with what this device already read, added to the backup), decrypts stored
 * messages (checking the sender device against the directory and its revocation
 * time, caching the plaintext), and follows each room's transcript to report forks.
 */
import {
  GENESIS_PREV_HASH,
  CryptoError,
  decryptMessage,
  envelopeHash,
  mergeInboundSessions,
  openSessionShare,
  serializeInbound,
} from "@cairn/crypto";
import { equalBytes, envelopeFromWire, toBase64Url, type DeliveredShare, type StoredMessage } from "@cairn/protocol";
import type { DecryptResult, OpenSharesResult } from "./api";
import { rememberSession, saveBackup } from "./engine-backup";
import type { EngineContext } from "./engine-context";
import { inboundKey, inboundKeyOf, type SessionStore } from "./session-store";
import { Transcript } from "./transcript";

const dec = new TextDecoder();
const GENESIS = toBase64Url(GENESIS_PREV_HASH);

export class EngineReceive {
  constructor(private readonly ctx: EngineContext) {}

  async decrypt(message: StoredMessage): Promise<DecryptResult> {
    const { sessions } = this.ctx.unlocked();
    const envelope = envelopeFromWire(message.envelope);
    const hash = envelopeHash(envelope);
    const forks = this.track(message, hash);
    const result = await this.open(message, sessions);
    return forks.length > 0 ? { ...result, forks } : result;
  }

  async openShares(delivered: DeliveredShare[], dropUnknown: boolean): Promise<OpenSharesResult> {
    const { ctx } = this;
    const s = ctx.unlocked();
    const { keys, sessions } = s;
    const done: string[] = [];
    const needKeysFor = new Set<string>();
    let opened = 0;
    for (const { id, share } of delivered) {
      const sender = ctx.devices.get(share.senderDeviceId);
      const room = ctx.rooms.get(share.roomId);
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
        rememberSession(ctx, s, key, firstIndex, snapshot);
        opened++;
      } catch (err) {
        if (!(err instanceof CryptoError)) throw err;
        console.warn("[cairn] rejected a session share:", err.code);
      }
    }
    if (opened > 0) await saveBackup(ctx, s);
    return { done, needKeysFor: [...needKeysFor], opened };
  }

  private track(message: StoredMessage, hash: Uint8Array): ReturnType<Transcript["add"]> {
    const { heads, transcripts } = this.ctx;
    const head = heads.get(message.roomId) ?? { seen: null, pending: [] };
    const mine = head.pending.findIndex((h) => equalBytes(h, hash));
    if (mine >= 0) head.pending = head.pending.slice(mine + 1);
    if (!head.seen || message.roomSeq >= head.seen.seq) head.seen = { seq: message.roomSeq, hash };
    heads.set(message.roomId, head);
    let transcript = transcripts.get(message.roomId);
    if (!transcript) {
      transcript = new Transcript(GENESIS);
      transcripts.set(message.roomId, transcript);
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

    const sender = this.ctx.devices.get(envelope.senderDeviceId);
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
