/** The human form of a verification report. */
import { FINDING_DESCRIPTIONS, type VerifyReport } from "./verify";

/** One sentence on what the report says of the room's membership chain (CLI and compliance page). */
export function describeMembership(m: VerifyReport["membership"]): string {
  switch (m.status) {
    case "absent":
      return "membership not checked: the bundle carries no signed membership events";
    case "broken":
      return `membership chain broken (${m.events} event(s)); ${m.unchecked} later message(s) not checked against it`;
    case "verified":
      return `membership: ${m.events} signed event(s) replayed, ${m.members} member(s) now; senders checked against it`;
  }
}

/** One sentence on whether the export is provably complete (CLI and compliance page). */
export function describeCompleteness(c: VerifyReport["completeness"]): string {
  switch (c.status) {
    case "unchecked":
      return `completeness not proven: ${c.detail}`;
    case "incomplete":
      return `INCOMPLETE: ${c.detail} (the chain's head for the room: ${c.head ? `message ${c.head.roomSeq}` : "none"})`;
    case "proven":
      return `complete: ${c.detail}`;
  }
}

/** One sentence on the witness policy applied and how many checkpoints met it (CLI and compliance page). */
export function describeWitnesses(r: Pick<VerifyReport, "witnesses" | "checkpoints">): string {
  const w = r.witnesses;
  return w.required > 0
    ? `witnesses: ${w.witnessed} of ${r.checkpoints} checkpoint(s) cosigned by at least ${w.required} of the ${w.of} witnesses given`
    : "witnesses: none required (name witness keys to require their cosignatures)";
}

export function formatReport(r: VerifyReport, file: string): string {
  const out: string[] = [];
  const h = r.header;
  out.push(`Cairn audit bundle ${file}`);
  out.push(`  room ${h.roomId}, exported ${h.exportedAt} by ${h.exporterRef.slice(0, 16)}…, ledger ${h.ledger}`);
  out.push(`  range ${h.range.from ?? "start"} … ${h.range.to ?? "now"}; room sequence ${h.extent.firstSeq ?? "-"}–${h.extent.lastSeq ?? "-"}`);
  out.push(
    `  ${r.messages} messages, ${r.anchored} proved against ${r.checkpoints} checkpoint(s) on the ledger, ${r.senders} sender(s)` +
      (r.plaintextChecked + r.plaintextUnchecked > 0 ? `, plaintext checked ${r.plaintextChecked}, unchecked ${r.plaintextUnchecked}` : ""),
  );
  out.push(`  ${describeMembership(r.membership)}`);
  out.push(`  ${describeCompleteness(r.completeness)}`);
  out.push(`  ${describeWitnesses(r)}`);
  if (r.trailer?.exportLeafIndex !== undefined && r.trailer?.exportLeafIndex !== null) out.push(`  export recorded as audit leaf ${r.trailer.exportLeafIndex}`);
  out.push("");
  if (r.ok) {
    out.push("PASS: every signature, key, leaf, proof and checkpoint holds; the sequence is complete and the bundle is whole.");
    return out.join("\n");
  }
  out.push("FAIL: findings by kind:");
  for (const [code, n] of Object.entries(r.findingCounts)) {
    out.push(`  ${code.padEnd(24)} ${String(n).padStart(7)}  ${FINDING_DESCRIPTIONS[code as keyof typeof FINDING_DESCRIPTIONS]}`);
  }
  out.push("");
  out.push("Findings:");
  for (const f of r.findings) {
    const where = [f.line !== undefined ? `line ${f.line}` : null, f.roomSeq !== undefined ? `seq ${f.roomSeq}` : null, f.leafIndex !== undefined ? `leaf ${f.leafIndex}` : null]
      .filter(Boolean)
      .join(", ");
    out.push(`  [${f.code}]${where ? ` (${where})` : ""} ${f.message}`);
  }
  if (r.findingsTruncated) out.push(`  … more findings not listed (see the counts above)`);
  return out.join("\n");
}
