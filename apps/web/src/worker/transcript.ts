/**
 * Transcript consistency (docs/protocol.md): every envelope names, as `prevHash`, the hash of
 * the last envelope its sender had seen in the room. A relay that shows different
 * histories to different members cannot keep those links consistent for everyone, so
 * each client checks the envelopes it sees, in room order:
 *
 * 1. a `prevHash` must be the genesis hash or the hash of an envelope *earlier* in the
 *    room. An unknown hash means the sender saw an envelope this client was never
 *    shown (judged only once this client holds the room's history from #1 without a
 *    gap; before that an unknown hash may simply be older than what was loaded);
 * 2. one sending device never names the same predecessor twice for two different
 *    envelopes (its client moves its view to each envelope it sends), so two such
 *    successors are a fork;
 * 3. one room sequence number holds one envelope: a second, different envelope at the
 *    same number is a fork.
 *
 * Concurrent senders naming the same predecessor is normal and not flagged.
 */

export interface TranscriptEntry {
  seq: number;
  /** envelopeHash, base64url. */
  hash: string;
  prevHash: string;
  senderDeviceId: string;
}

export interface Fork {
  seq: number;
  reason: string;
}

export class Transcript {
  private readonly bySeq = new Map<number, TranscriptEntry>();
  private readonly seqOfHash = new Map<string, number>();
  private readonly successor = new Map<string, string>();
  private readonly pending = new Map<number, TranscriptEntry>();
  /** Highest seq such that 1..judged are all present and judged. */
  private judged = 0;
  private readonly found: Fork[] = [];

  constructor(private readonly genesis: string) {}

  /** Every fork found so far. */
  get forks(): readonly Fork[] {
    return this.found;
  }

  /** Records one envelope; returns the forks it reveals (usually none). */
  add(e: TranscriptEntry): Fork[] {
    const out: Fork[] = [];
    const known = this.bySeq.get(e.seq);
    if (known) {
      if (known.hash !== e.hash) out.push({ seq: e.seq, reason: `two different messages were shown as #${e.seq}` });
      return this.report(out);
    }
    this.bySeq.set(e.seq, e);
    this.seqOfHash.set(e.hash, e.seq);

    const link = `${e.senderDeviceId}|${e.prevHash}`;
    const other = this.successor.get(link);
    if (other !== undefined && other !== e.hash) {
      out.push({ seq: e.seq, reason: `message #${e.seq} and an earlier message of the same device follow the same message` });
    } else {
      this.successor.set(link, e.hash);
    }

    this.pending.set(e.seq, e);
    for (let next = this.pending.get(this.judged + 1); next; next = this.pending.get(this.judged + 1)) {
      this.pending.delete(next.seq);
      this.judged = next.seq;
      if (next.prevHash === this.genesis) continue;
      const at = this.seqOfHash.get(next.prevHash);
      if (at === undefined) {
        out.push({ seq: next.seq, reason: `message #${next.seq} follows a message this device was never shown` });
      } else if (at >= next.seq) {
        out.push({ seq: next.seq, reason: `message #${next.seq} follows a later message (#${at})` });
      }
    }
    return this.report(out);
  }

  private report(forks: Fork[]): Fork[] {
    this.found.push(...forks);
    return forks;
  }
}
