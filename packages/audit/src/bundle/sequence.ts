/**
 * Room sequence continuity (docs/audit.md: a deleted message shows as a gap). Checked
 * after the whole bundle is read, on the sorted sequence numbers, so that two swapped
 * messages are reported as reordered and not also as a gap.
 */
import type { Finding, FindingCode } from "./findings";

type Report = (code: FindingCode, message: string, at?: Omit<Finding, "code" | "message">) => void;

/**
 * @param seqs room sequence numbers in line order
 * @param lines the line of each
 * @param extent what the header says the export holds
 */
export function checkSequence(
  seqs: readonly number[],
  lines: readonly number[],
  extent: { firstSeq: number | null; lastSeq: number | null },
  complete: boolean,
  report: Report,
): void {
  for (let i = 1; i < seqs.length; i++) {
    const prev = seqs[i - 1] as number;
    const seq = seqs[i] as number;
    if (seq < prev) report("reordered", `room sequence ${seq} comes after ${prev}`, { line: lines[i] as number, roomSeq: seq });
  }
  const order = Array.from(seqs.keys()).sort((a, b) => (seqs[a] as number) - (seqs[b] as number) || a - b);
  const at = (k: number) => ({ line: lines[order[k] as number] as number, roomSeq: seqs[order[k] as number] as number });
  const first = order.length > 0 ? (seqs[order[0] as number] as number) : null;
  const last = order.length > 0 ? (seqs[order[order.length - 1] as number] as number) : null;
  if (first !== null && extent.firstSeq !== null && first > extent.firstSeq) {
    report("sequence-gap", `room sequence ${extent.firstSeq}–${first - 1} missing before the first message`, at(0));
  }
  for (let k = 1; k < order.length; k++) {
    const prev = seqs[order[k - 1] as number] as number;
    const seq = seqs[order[k] as number] as number;
    if (seq === prev) report("duplicate-message", `room sequence ${seq} appears more than once`, at(k));
    else if (seq > prev + 1) {
      report("sequence-gap", `room sequence ${prev + 1 === seq - 1 ? prev + 1 : `${prev + 1}–${seq - 1}`} missing before ${seq}`, at(k));
    }
  }
  // A short tail with the trailer missing is reported as truncation, not as deletions.
  if (complete && extent.lastSeq !== null && (last === null || last < extent.lastSeq)) {
    const from = last === null ? (extent.firstSeq ?? 1) : last + 1;
    report("sequence-gap", `room sequence ${from}–${extent.lastSeq} missing after the last message`, {
      ...(order.length > 0 ? at(order.length - 1) : {}),
    });
  }
}
