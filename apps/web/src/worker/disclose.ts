/**
 * Disclosing one message (docs/bundle-format.md, "message"): its message key mk_i and
 * its plaintext bytes, re-derived from a stored session state — the session's starting
 * state as the key backup keeps it (sessions erase keys once used, so the live state
 * cannot re-read old messages).
 *
 * @cairn/crypto does not export "mk_i from a state", so this derives it through its
 * public API only: `decryptMessage` checks the signature, opens the envelope and hands
 * back the state after it (ck_{i+1}); `mergeInboundSessions` then walks the chain from
 * the starting state up to that state and returns the keys it passes, mk_i among them,
 * after checking that the walk arrives at ck_{i+1}. Every copy is erased afterwards.
 */
import { decryptMessage, deserializeInbound, mergeInboundSessions, type InboundSession } from "@cairn/crypto";
import type { Envelope } from "@cairn/protocol";

export interface Disclosed {
  messageKey: Uint8Array;
  plaintext: Uint8Array;
}

/** A fresh copy of a serialized state, as a share would start it: no skipped keys. */
function freshFrom(state: string): InboundSession {
  const s = deserializeInbound(state);
  for (const k of s.skipped.values()) k.fill(0);
  return { ...s, firstIndex: s.index, skipped: new Map() };
}

function wipeSession(s: InboundSession): void {
  s.chainKey.fill(0);
  for (const k of s.skipped.values()) k.fill(0);
}

/**
 * mk_i and the plaintext of `envelope` (index i) from the serialized inbound state
 * `state`, or null when that state cannot reach index i (i is before its chain, and its
 * key is not among the state's skipped keys).
 * @throws CryptoError when the envelope does not verify under `senderSigningPublicKey`,
 *   is not of this session, or does not decrypt
 * @throws TypeError / RangeError on malformed arguments
 */
export function discloseFromState(state: string, envelope: Envelope, senderSigningPublicKey: Uint8Array): Disclosed | null {
  const i = envelope.index;
  const held = deserializeInbound(state);
  try {
    if (i < held.index) {
      // Not yet read by this state: its key is cached. decryptMessage checks it opens.
      const mk = held.skipped.get(i);
      if (mk === undefined) return null;
      const { plaintext, session } = decryptMessage(deserializeInbound(state), envelope, senderSigningPublicKey);
      wipeSession(session);
      return { messageKey: mk.slice(), plaintext };
    }
    const { plaintext, session: after } = decryptMessage(freshFrom(state), envelope, senderSigningPublicKey);
    // The state right after message i, as if it had been shared there: the merge walks
    // the chain from the start up to it and keeps mk_start … mk_i.
    for (const k of after.skipped.values()) k.fill(0);
    const later: InboundSession = { ...after, firstIndex: after.index, skipped: new Map() };
    const merged = mergeInboundSessions(later, freshFrom(state));
    const mk = merged.skipped.get(i);
    const messageKey = mk?.slice() ?? null;
    wipeSession(merged);
    if (!messageKey) return null;
    return { messageKey, plaintext };
  } finally {
    wipeSession(held);
  }
}
