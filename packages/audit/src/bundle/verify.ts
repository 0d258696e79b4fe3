/**
 * The bundle verifier (docs/audit.md "Verifying"), isomorphic: it streams the lines
 * once and checks every envelope signature against the bundle's device keys, those
 * keys against the chain's registry (identity signature included), the room's signed
 * membership chain and each sender's membership when they sent, every leaf hash
 * recomputed from the envelope, room sequence number and server time, every inclusion
 * proof, every checkpoint against the LEDGER's own record, room sequence continuity,
 * the trailer hash and the export's own record on chain. Each problem becomes a named
 * {@link Finding} pointing at the line and message it concerns. The check groups live
 * in ./checks; this is their composition over one pass of the lines.
 */
import { BUNDLE_FORMAT, type BundleHeader, type BundleLine, type BundleTrailer } from "./format";
import { FINDING_CODES, type Finding, type FindingCode } from "./findings";
import { BundleParseError, parseBundleLine } from "./parse";
import { checkSequence } from "./sequence";
import { Checkpoints } from "./checks/checkpoints";
import { checkCompleteness, type CompletenessReport } from "./checks/completeness";
import { verifyContext } from "./checks/context";
import { LineHash } from "./checks/line-hash";
import { MembershipCheck, type MembershipReport } from "./checks/membership";
import { Messages } from "./checks/messages";
import { Senders } from "./checks/senders";
import { SignatureChecks } from "./checks/signatures";
import { checkTrailer } from "./checks/trailer";
import type { VerifyDeps } from "./verify-deps";

/** The input cannot be verified at all (not a bundle, unknown version): exit status 2. */
export class BundleUnusableError extends Error {
  readonly code = "BUNDLE_UNUSABLE";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BundleUnusableError";
  }
}

export interface VerifyReport {
  /** True when there is no finding. */
  ok: boolean;
  header: BundleHeader;
  lines: number;
  messages: number;
  /** Messages whose inclusion proof verified against a checkpoint the ledger holds. */
  anchored: number;
  checkpoints: number;
  senders: number;
  /** The room's membership chain and whether each sender was a member when they sent. */
  membership: MembershipReport;
  /** Whether the chain's room head proves that nothing anchored was left out. */
  completeness: CompletenessReport;
  /** The witness policy applied (k of n) and how many checkpoints met it. */
  witnesses: { required: number; of: number; witnessed: number };
  plaintextChecked: number;
  plaintextUnchecked: number;
  trailer: BundleTrailer | null;
  findingCounts: Partial<Record<FindingCode, number>>;
  findings: Finding[];
  /** True when more findings existed than were kept (maxFindings). */
  findingsTruncated: boolean;
}

/** Line `lineNo` parsed, or why it is malformed. @throws BundleUnusableError when line 1 is not a header */
function parseLine(text: string, lineNo: number): BundleLine | BundleParseError {
  let parsed: BundleLine;
  try {
    parsed = parseBundleLine(text);
  } catch (err) {
    if (lineNo === 1) throw new BundleUnusableError(`not a ${BUNDLE_FORMAT} (line 1: ${(err as Error).message})`, { cause: err });
    if (err instanceof BundleParseError) return err;
    throw err;
  }
  if (lineNo === 1 && parsed.type !== "header") throw new BundleUnusableError(`not a ${BUNDLE_FORMAT}: line 1 is not a header`);
  return parsed;
}

/**
 * Verifies a bundle given as its lines (without "\n"), in file order.
 * @returns the report; `ok` is false when there is any finding
 * @throws BundleUnusableError when the first line is not a bundle header of a known version
 * @throws Error from the ledger when it cannot be reached (the bundle was not judged)
 */
export async function verifyBundle(source: AsyncIterable<string> | Iterable<string>, deps: VerifyDeps): Promise<VerifyReport> {
  const ctx = verifyContext(deps);
  const { findings } = ctx;
  const hash = new LineHash(ctx);
  const senders = new Senders(ctx);
  const checkpoints = new Checkpoints(ctx);
  const signatures = new SignatureChecks(deps);
  const membership = new MembershipCheck(ctx, checkpoints);
  const messages = new Messages(ctx, senders, checkpoints, signatures, membership);
  let header: BundleHeader | null = null;
  let trailer: BundleTrailer | null = null;
  let digest: Uint8Array | null = null;
  let lineNo = 0;

  for await (const text of source) {
    lineNo += 1;
    if (trailer) {
      findings.report("bundle-hash-mismatch", "data after the trailer", { line: lineNo });
      continue;
    }
    const parsed = parseLine(text, lineNo);
    if (parsed instanceof BundleParseError) {
      hash.add(text, null, lineNo);
      findings.report("malformed-line", parsed.message, { line: lineNo });
      continue;
    }
    if (parsed.type === "trailer") {
      await signatures.drain();
      trailer = parsed;
      digest = hash.digest();
      continue;
    }
    await signatures.pace();
    hash.add(text, parsed, lineNo);
    switch (parsed.type) {
      case "header":
        if (header) findings.report("malformed-line", "a second header", { line: lineNo });
        else header = parsed;
        break;
      case "membership":
        membership.add(parsed, (header as BundleHeader).roomId, lineNo);
        break;
      case "keys":
        await senders.addKeys(parsed, lineNo);
        break;
      case "checkpoint":
        await checkpoints.add(parsed, lineNo);
        break;
      case "message":
        messages.add(parsed, header as BundleHeader, lineNo);
        break;
    }
    if (lineNo % 256 === 0) deps.onProgress?.({ lines: lineNo, messages: messages.count });
  }
  await signatures.drain();
  if (!header) throw new BundleUnusableError("empty input: not a bundle");
  deps.onProgress?.({ lines: lineNo, messages: messages.count });
  findings.sortByLine();

  checkpoints.reportUnused();
  checkSequence(messages.seqs, messages.seqLines, header.extent, trailer !== null, findings.report);
  const completeness = await checkCompleteness(ctx, header, messages);
  await checkTrailer(ctx, { header, trailer, digest, lines: lineNo, messages: messages.count });

  return {
    ok: findings.ok,
    header,
    lines: lineNo,
    messages: messages.count,
    anchored: messages.anchored,
    checkpoints: checkpoints.count,
    senders: senders.count,
    membership: membership.report(),
    completeness,
    witnesses: { required: deps.witnessPolicy?.required ?? 0, of: deps.witnessPolicy?.witnesses.length ?? 0, witnessed: checkpoints.witnessed },
    plaintextChecked: messages.plaintextChecked,
    plaintextUnchecked: messages.plaintextUnchecked,
    trailer,
    findingCounts: findings.counts,
    findings: findings.list,
    findingsTruncated: findings.truncated,
  };
}

/** One-line description of each finding code, for reports and docs. */
export const FINDING_DESCRIPTIONS: Readonly<Record<FindingCode, string>> = FINDING_CODES;
