/**
 * One verification as the compliance page shows it: the isomorphic verifier of
 * @cairn/audit over a bundle's lines, plus what the page draws — one row per message
 * (with the findings that point at it) and the checkpoints that anchor them.
 */
import { verifyBundle, type Finding, type FindingCode, type VerifyDeps, type VerifyReport } from "@cairn/audit";
import type { RelayLedgerView } from "./verify-client-ledger";

export interface MessageRow {
  line: number;
  roomSeq: number;
  leafIndex: number;
  serverTime: string;
  senderUserId: string;
  /** The checkpoint its proof names, or null (unanchored). */
  checkpoint: number | null;
  disclosed: boolean;
  findings: FindingCode[];
}

export interface CheckpointMark {
  line: number;
  treeSize: number;
  time: string;
  txId: string;
  findings: FindingCode[];
}

export interface VerificationResult {
  report: VerifyReport;
  messages: MessageRow[];
  checkpoints: CheckpointMark[];
  /** Findings about the whole bundle (trailer, hash, the export's record) or pointing at no message or checkpoint line. */
  bundleFindings: Finding[];
  /** Rows kept for the page (the report's counts stay exact beyond this). */
  rowsTruncated: boolean;
}

export interface RunOptions extends Omit<VerifyDeps, "ledger"> {
  ledger: RelayLedgerView;
  /** Message rows kept for display (default 20,000). */
  maxRows?: number;
}

/** Findings about the bundle as a whole, listed apart even when they name a line. */
const BUNDLE_LEVEL: ReadonlySet<FindingCode> = new Set(["truncated-bundle", "bundle-hash-mismatch", "export-unrecorded", "export-record-mismatch"]);

function peek(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Verifies `lines` and attaches each finding to the message or checkpoint it names.
 * @throws BundleUnusableError (not a bundle), CairnError LEDGER_UNAVAILABLE (ledger unreachable)
 */
export async function runVerification(lines: AsyncIterable<string> | Iterable<string>, opts: RunOptions): Promise<VerificationResult> {
  const maxRows = opts.maxRows ?? 20_000;
  const messages: MessageRow[] = [];
  const checkpoints: CheckpointMark[] = [];
  let rowsTruncated = false;
  let lineNo = 0;

  // Watches the lines on their way to the verifier: keeps the display rows and tells
  // the ledger view which user id each userRef names (before the verifier asks).
  async function* tap(): AsyncGenerator<string> {
    for await (const text of lines) {
      lineNo += 1;
      const v = peek(text);
      if (v?.type === "keys" && typeof v.userRef === "string" && typeof v.userId === "string") {
        opts.ledger.learnUser(v.userRef, v.userId);
      } else if (v?.type === "checkpoint" && typeof v.treeSize === "number") {
        checkpoints.push({ line: lineNo, treeSize: v.treeSize, time: String(v.time), txId: String(v.txId), findings: [] });
      } else if (v?.type === "message" && typeof v.roomSeq === "number") {
        if (messages.length < maxRows) {
          const proof = v.proof as { treeSize?: unknown } | null;
          messages.push({
            line: lineNo,
            roomSeq: v.roomSeq,
            leafIndex: typeof v.leafIndex === "number" ? v.leafIndex : -1,
            serverTime: String(v.serverTime),
            senderUserId: String(v.senderUserId),
            checkpoint: proof && typeof proof.treeSize === "number" ? proof.treeSize : null,
            disclosed: v.plaintext !== null && v.plaintext !== undefined,
            findings: [],
          });
        } else rowsTruncated = true;
      }
      yield text;
    }
  }

  const report = await verifyBundle(tap(), { ...opts, ledger: opts.ledger });
  const byLine = new Map<number, MessageRow>(messages.map((m) => [m.line, m]));
  const bySeq = new Map<number, MessageRow>(messages.map((m) => [m.roomSeq, m]));
  const cpByLine = new Map<number, CheckpointMark>(checkpoints.map((c) => [c.line, c]));
  const bundleFindings: Finding[] = [];
  for (const f of report.findings) {
    if (BUNDLE_LEVEL.has(f.code)) {
      bundleFindings.push(f);
      continue;
    }
    const target = (f.line !== undefined ? byLine.get(f.line) : undefined) ?? (f.roomSeq !== undefined ? bySeq.get(f.roomSeq) : undefined);
    if (target) {
      if (!target.findings.includes(f.code)) target.findings.push(f.code);
      continue;
    }
    const cp = f.line !== undefined ? cpByLine.get(f.line) : undefined;
    if (cp) {
      if (!cp.findings.includes(f.code)) cp.findings.push(f.code);
      continue;
    }
    bundleFindings.push(f);
  }
  // A forged checkpoint is reported at the first message proved against it: mark the checkpoint too.
  for (const m of messages) {
    if (m.findings.includes("forged-checkpoint") && m.checkpoint !== null) {
      const cp = checkpoints.find((c) => c.treeSize === m.checkpoint);
      if (cp && !cp.findings.includes("forged-checkpoint")) cp.findings.push("forged-checkpoint");
    }
  }
  return { report, messages, checkpoints, bundleFindings, rowsTruncated };
}
