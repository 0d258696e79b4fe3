/**
 * The engine's disclosure for export bundles: re-derives one envelope's message key
 * and plaintext from the stored states of its session (disclose.ts).
 */
import { CryptoError, serializeInbound } from "@cairn/crypto";
import { envelopeFromWire, toBase64Url, type Envelope, type WireEnvelope } from "@cairn/protocol";
import type { DiscloseResult } from "./api";
import { discloseFromState } from "./disclose";
import type { EngineContext } from "./engine-context";
import { inboundKey } from "./session-store";

export class EngineDisclose {
  constructor(private readonly ctx: EngineContext) {}

  /**
   * mk_i and the plaintext of `wire` (docs/bundle-format.md "message"), re-derived from
   * the earliest stored state of its session (the key backup's starting state), else
   * from the live state (which still holds the keys of messages not read yet). Only
   * an envelope whose signature verifies under the sender's directory key is disclosed.
   */
  async discloseMessage(wire: WireEnvelope): Promise<DiscloseResult> {
    const s = this.ctx.unlocked();
    let envelope: Envelope;
    try {
      envelope = envelopeFromWire(wire);
    } catch (err) {
      return { kind: "failed", reason: `malformed envelope: ${err instanceof Error ? err.message : String(err)}` };
    }
    const sender = this.ctx.devices.get(envelope.senderDeviceId);
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
}
