/**
 * The engine's sending side: encrypts a message with the room's outbound sender-key
 * session (starting a new one when a member left, a device was revoked or the
 * session is due to rotate), shares the session with devices that lack it, names
 * the predecessor envelope, and forgets what the relay refused.
 */
import {
  GENESIS_PREV_HASH,
  createOutboundSession,
  encryptMessage,
  envelopeHash,
  randomId,
  serializeInbound,
  shareSession,
  shouldRotate,
  type InboundSession,
} from "@cairn/crypto";
import { equalBytes, envelopeFromWire, envelopeToWire, type WireEnvelope, type WireSessionShare } from "@cairn/protocol";
import { EngineError, type EncryptResult } from "./api";
import { blockedError } from "./contacts";
import { rememberSession, saveBackup } from "./engine-backup";
import type { EngineContext } from "./engine-context";
import { inboundKeyOf, type Outbound } from "./session-store";

/** Longest message a user may type (characters); well under the envelope limit. */
export const MAX_MESSAGE_CHARS = 4000;

const enc = new TextEncoder();

export class EngineSend {
  constructor(private readonly ctx: EngineContext) {}

  async encrypt(roomId: string, text: string): Promise<EncryptResult> {
    const { ctx } = this;
    const s = ctx.unlocked();
    const { keys } = s;
    if (typeof text !== "string" || text.trim().length === 0 || text.length > MAX_MESSAGE_CHARS) {
      throw new EngineError("BAD_INPUT", `A message is 1 to ${MAX_MESSAGE_CHARS} characters.`);
    }
    const members = ctx.rooms.get(roomId);
    if (!members) throw new EngineError("ROOM_KEYS_MISSING", "Load the room's member keys first.");
    const blocked = s.contacts.blocking(members.userIds);
    if (blocked) throw blockedError(blocked);
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
      rememberSession(ctx, s, inboundKeyOf(copy), copy.firstIndex, serializeInbound(copy));
      await s.sessions.saveInbound(copy);
      await saveBackup(ctx, s);
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

    const head = ctx.heads.get(roomId) ?? { seen: null, pending: [] };
    const { envelope, session } = encryptMessage(out.session, {
      senderDeviceId: self,
      signingSecretKey: keys.device.signing.secretKey,
      prevHash: head.pending.at(-1) ?? head.seen?.hash ?? GENESIS_PREV_HASH,
      plaintext: enc.encode(JSON.stringify({ type: "text", body: text })),
    });
    out.session = session;
    await s.sessions.saveOutbound(out);
    ctx.heads.set(roomId, { seen: head.seen, pending: [...head.pending, envelopeHash(envelope)] });
    return { clientMsgId: randomId(16), envelope: envelopeToWire(envelope), shares };
  }

  /** The relay refused `envelope` (it was not stored): the next message must not name it. */
  messageFailed(roomId: string, envelope: WireEnvelope): Promise<void> {
    const head = this.ctx.heads.get(roomId);
    const hash = envelopeHash(envelopeFromWire(envelope));
    if (head) head.pending = head.pending.filter((h) => !equalBytes(h, hash));
    return Promise.resolve();
  }

  /** The relay refused the shares: share the session again with the next message. */
  async sharesFailed(roomId: string): Promise<void> {
    const { sessions } = this.ctx.unlocked();
    const out = await sessions.loadOutbound(roomId);
    if (!out) return;
    out.sharedWith = [];
    await sessions.saveOutbound(out);
  }
}
