/**
 * Merging two copies of one sender's session: a device may receive a session more
 * than once (a re-share after a failed delivery, a share from a backup, a replay by
 * the relay: shares carry no freshness). Replacing the state with the copy that starts
 * earlier would forget which messages were already read, so replays would decrypt
 * again; ignoring it would lose history. Merging keeps both.
 */
import { equalBytes } from "@cairn/protocol";
import { messageKey, nextChainKey } from "./chain";
import { CryptoError } from "./errors";
import { wipe } from "./guards";
import { MAX_FORWARD_JUMP, MAX_SKIPPED_KEYS, checkInbound, type InboundSession } from "./session";

/**
 * Combines the state a device holds (`existing`) with a freshly opened share of the
 * same session (`incoming`, straight from openSessionShare). If the share starts
 * earlier, the result can also read the messages in between; everything `existing`
 * already read stays a REPLAY. If it does not start earlier, `existing` is returned.
 * The chain of the share is checked against `existing`: a sender that shared two
 * different chains under one session id is refused. `incoming` is consumed.
 * Caveat: if `existing` had evicted skipped keys (over MAX_SKIPPED_KEYS pending),
 * messages read before the evicted ones may become readable again.
 * @throws CryptoError SESSION_MISMATCH (another session, or a conflicting chain),
 *   TOO_FAR_AHEAD (the two states are over MAX_FORWARD_JUMP apart), BAD_INPUT
 *   (`incoming` is not a fresh share, or a consumed state)
 * @throws TypeError / RangeError on malformed sessions
 */
export function mergeInboundSessions(existing: InboundSession, incoming: InboundSession): InboundSession {
  checkInbound(existing);
  checkInbound(incoming);
  if (
    existing.roomId !== incoming.roomId ||
    existing.senderDeviceId !== incoming.senderDeviceId ||
    !equalBytes(existing.sessionId, incoming.sessionId)
  ) {
    throw new CryptoError("SESSION_MISMATCH", "the two states are not of the same session");
  }
  if (incoming.skipped.size !== 0 || incoming.firstIndex !== incoming.index) {
    throw new CryptoError("BAD_INPUT", "incoming must be a fresh share (from openSessionShare)");
  }
  if (incoming.index >= existing.firstIndex) {
    wipe(incoming.chainKey);
    return existing;
  }
  if (existing.index - incoming.index > MAX_FORWARD_JUMP) {
    throw new CryptoError("TOO_FAR_AHEAD", "the share starts too far before the state");
  }

  // Walk the shared chain up to existing.index: keep the keys existing never had,
  // and check that the chain arrives at existing's chain key.
  const gained: [number, Uint8Array][] = [];
  let ck = incoming.chainKey;
  for (let j = incoming.index; j < existing.index; j++) {
    if (j < existing.firstIndex) gained.push([j, messageKey(ck)]);
    const next = nextChainKey(ck);
    wipe(ck);
    ck = next;
  }
  const agrees = equalBytes(ck, existing.chainKey);
  wipe(ck);
  if (!agrees) {
    wipe(...gained.map(([, k]) => k));
    throw new CryptoError("SESSION_MISMATCH", "the share's chain conflicts with the session already held");
  }

  // Lower indices first: the map stays in ascending order, which eviction relies on.
  const skipped = new Map<number, Uint8Array>(gained);
  for (const [j, k] of existing.skipped) skipped.set(j, k);
  let firstIndex = incoming.index;
  for (const [j, k] of skipped) {
    if (skipped.size <= MAX_SKIPPED_KEYS) break;
    wipe(k);
    skipped.delete(j);
    firstIndex = j + 1;
  }
  return { ...existing, firstIndex, skipped };
}
