/**
 * Completeness from the chain alone (docs/audit.md "Completeness"): each anchored batch
 * committed, under the room's keyed reference, the room's latest message sequence
 * number and its leaf. The chain's head for the room as of the checkpoint the export
 * was planned at says how many messages the room had then; every one of them (from
 * the first, for an export without a start time; to the head, for one without an end
 * time) must be in the bundle, whether it was left out of the bundle or deleted from
 * the database before exporting. What a batch committed cannot be checked against the
 * leaves (they are opaque hashes), so an appender that under-reported a head at append
 * time is not caught; one that deletes later is.
 */
import type { BundleHeader } from "../format";
import type { VerifyContext } from "./context";

export interface CompletenessReport {
  /** proven: nothing anchored is missing; incomplete: see the incomplete-export findings; unchecked: `detail` says why. */
  status: "proven" | "incomplete" | "unchecked";
  detail: string;
  roomRef: string | null;
  /** The checkpoint the export was planned at, as the ledger holds it. */
  asOf: { treeSize: number; time: string } | null;
  /** The chain's head for the room as of that checkpoint. */
  head: { roomSeq: number; leafIndex: number; treeSize: number } | null;
}

/** Room sequence numbers in [lo, hi] not in `have`, as at most `limit` "a–b" ranges. */
function missingRanges(have: ReadonlySet<number>, lo: number, hi: number, limit = 5): { count: number; text: string } {
  const ranges: string[] = [];
  let count = 0;
  for (let s = lo; s <= hi; s++) {
    if (have.has(s)) continue;
    let e = s;
    while (e + 1 <= hi && !have.has(e + 1)) e++;
    count += e - s + 1;
    if (ranges.length < limit) ranges.push(s === e ? `${s}` : `${s}–${e}`);
    else if (ranges.length === limit) ranges.push("…");
    s = e;
  }
  return { count, text: ranges.join(", ") };
}

/**
 * @param messages each message line's room sequence number and leaf index
 */
export async function checkCompleteness(
  ctx: VerifyContext,
  header: BundleHeader,
  messages: { seqs: readonly number[]; leaves: readonly number[] },
): Promise<CompletenessReport> {
  const c = header.completeness;
  const unchecked = (detail: string): CompletenessReport => ({ status: "unchecked", detail, roomRef: c?.roomRef ?? null, asOf: null, head: null });
  if (!c) return unchecked("the bundle names no room reference (made before room heads were anchored, or without the server secret)");
  const { ledger } = ctx.deps;
  if (!ledger.getRoomHead) return unchecked("this ledger view cannot answer room heads");
  if (c.treeSize === 0) {
    return { status: "proven", detail: "nothing was anchored when the export was planned: nothing anchored can be missing", roomRef: c.roomRef, asOf: null, head: null };
  }
  const before = Object.values(ctx.findings.counts).reduce((a, n) => a + (n ?? 0), 0);
  const incomplete = (message: string) => ctx.findings.report("incomplete-export", message);
  const cp = await ledger.getCheckpoint(c.treeSize);
  if (!cp) {
    incomplete(`the export claims to be complete as of checkpoint ${c.treeSize}, which the ledger does not hold`);
    return { status: "incomplete", detail: "its checkpoint is not on the ledger", roomRef: c.roomRef, asOf: null, head: null };
  }
  const asOf = { treeSize: cp.treeSize, time: cp.time };
  const chainHead = await ledger.getRoomHead(c.roomRef, c.treeSize);
  const head = chainHead && { roomSeq: chainHead.roomSeq, leafIndex: chainHead.leafIndex, treeSize: chainHead.treeSize };
  const have = new Map<number, number>();
  messages.seqs.forEach((seq, i) => have.set(seq, messages.leaves[i] as number));
  const headSeq = head?.roomSeq ?? 0;
  // A message the checkpoint anchors (its leaf is below the tree size) beyond the chain's head: the reference is not this room's.
  const beyond = messages.seqs.filter((seq, i) => (messages.leaves[i] as number) < c.treeSize && seq > headSeq);
  if (beyond.length > 0) {
    incomplete(
      `${beyond.length} message(s) of the bundle (from room sequence ${Math.min(...beyond)}) are anchored by checkpoint ${c.treeSize}, ` +
        `but the chain's head for room reference ${c.roomRef.slice(0, 16)}… then was ${head ? `message ${headSeq}` : "none"}: the reference is not this room's`,
    );
  }
  if (head) {
    const leafOfHead = have.get(head.roomSeq);
    if (leafOfHead !== undefined && leafOfHead !== head.leafIndex) {
      incomplete(`the chain's head for the room is message ${head.roomSeq} at leaf ${head.leafIndex}, but the bundle's message ${head.roomSeq} is at leaf ${leafOfHead}`);
    }
    const seqs = [...have.keys()];
    const lo = header.range.from === null ? 1 : seqs.length > 0 ? Math.min(...seqs) : head.roomSeq + 1;
    const hi = header.range.to === null ? head.roomSeq : Math.min(head.roomSeq, seqs.length > 0 ? Math.max(...seqs) : 0);
    const missing = missingRanges(new Set(seqs), lo, hi);
    if (missing.count > 0) {
      incomplete(
        `${missing.count} message(s) anchored by checkpoint ${c.treeSize} (${cp.time}) are missing from the bundle: room sequence ${missing.text}`,
      );
    }
  }
  const after = Object.values(ctx.findings.counts).reduce((a, n) => a + (n ?? 0), 0);
  if (after > before) return { status: "incomplete", detail: "anchored messages are missing", roomRef: c.roomRef, asOf, head };
  const scope = head
    ? `${header.range.from === null ? "every message" : "every message from the first exported"}${header.range.to === null ? ` up to room sequence ${head.roomSeq}` : " within the range"}`
    : "no message of the room";
  return { status: "proven", detail: `${scope} anchored by checkpoint ${c.treeSize} (${cp.time}) is in the bundle`, roomRef: c.roomRef, asOf, head };
}
