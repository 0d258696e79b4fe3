"use client";
/**
 * Verify an audit bundle in this browser: the file never leaves the machine; the
 * verifier (@cairn/audit, in a Web Worker) checks every signature, proof and
 * checkpoint, and asks the ledger — through the relay's read-only ledger view, not
 * Cairn's database — for checkpoints, key records and the export's own record.
 */
import { describeCompleteness, describeMembership, describeWitnesses, FINDING_CODES, witnessPolicy, type FindingCode } from "@cairn/audit";
import { useEffect, useState } from "react";
import { Timeline } from "@/lib/charts/Timeline";
import { verifyBundleFile, VerifyFailedError, type VerificationResult, type VerifyProgress } from "@/lib/verify-client";
import { auditApi } from "../../(admin)/_components/audit-api";

const ROWS_SHOWN = 1000;

function FindingBadges({ codes }: { codes: FindingCode[] }) {
  return (
    <>
      {codes.map((c) => (
        <span key={c} className="badge danger" title={FINDING_CODES[c]} data-testid="finding-code">
          {c}
        </span>
      ))}
    </>
  );
}

export function ComplianceScreen() {
  const [relayUrl, setRelayUrl] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<VerifyProgress | null>(null);
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<VerificationResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [onlyFlagged, setOnlyFlagged] = useState(false);
  const [witnessKeys, setWitnessKeys] = useState("");
  const [witnessesRequired, setWitnessesRequired] = useState("");

  useEffect(() => {
    auditApi.relayUrl().then(setRelayUrl, (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, []);

  async function run() {
    if (!file || !relayUrl) return;
    const witnesses = witnessKeys.split("\n").map((k) => k.trim()).filter((k) => k.length > 0);
    const required = witnessesRequired.trim() === "" ? null : Number(witnessesRequired);
    if (witnesses.length > 0) {
      try {
        witnessPolicy(witnesses, required ?? undefined);
      } catch (err) {
        setError(`The witness policy cannot be used: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
    }
    setRunning(true);
    setResult(null);
    setError(null);
    setProgress({ lines: 0, messages: 0, bytes: 0, totalBytes: file.size });
    try {
      setResult(await verifyBundleFile(file, relayUrl, setProgress, { witnesses, witnessesRequired: required }));
    } catch (err) {
      if (err instanceof VerifyFailedError && err.reason === "unusable") setError(`This file cannot be verified: ${err.message}`);
      else if (err instanceof VerifyFailedError && err.reason === "ledger") setError(`The ledger could not be read, so nothing was judged: ${err.message}`);
      else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setRunning(false);
    }
  }

  const report = result?.report;
  const rows = result ? (onlyFlagged ? result.messages.filter((m) => m.findings.length > 0) : result.messages) : [];
  const flaggedCps = new Set(result?.checkpoints.filter((c) => c.findings.length > 0).map((c) => c.treeSize));
  return (
    <main className="page" style={{ maxWidth: "64rem" }}>
      <h1>Verify an export</h1>
      <p className="small muted">
        The bundle is checked in this browser against the ledger&apos;s own records (through the relay&apos;s read-only ledger view). It is not uploaded.
      </p>
      <section className="card stack">
        <label>
          Bundle (.jsonl)
          <input
            type="file"
            accept=".jsonl,.ndjson,application/x-ndjson,application/json,text/plain"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setResult(null);
            }}
            data-testid="verify-file"
          />
        </label>
        <label>
          Witness keys you trust (optional, one per line, as <code>cairn witness</code> prints them)
          <textarea rows={2} value={witnessKeys} onChange={(e) => setWitnessKeys(e.target.value)} spellCheck={false} />
        </label>
        <label>
          Witnesses required per checkpoint (default: all of them)
          <input type="number" min={1} value={witnessesRequired} onChange={(e) => setWitnessesRequired(e.target.value)} />
        </label>
        <button type="button" disabled={!file || !relayUrl || running} onClick={() => void run()} data-testid="verify-start">
          Verify
        </button>
        {running && progress && (
          <div className="stack" data-testid="verify-progress">
            <progress value={progress.bytes} max={Math.max(progress.totalBytes, 1)} style={{ width: "100%" }} />
            <span className="small muted">
              {progress.messages} messages, {progress.lines} lines checked
            </span>
          </div>
        )}
        {error && (
          <p className="error" role="alert" data-testid="verify-error">
            {error}
          </p>
        )}
      </section>

      {result && report && (
        <>
          <section className="card stack" data-testid="verify-report" data-ok={report.ok ? "true" : "false"}>
            {report.ok ? (
              <p className="banner" style={{ background: "var(--mine)", color: "var(--accent)" }} data-testid="verify-clean">
                Verified: no finding. {report.messages} messages, all anchored on the ledger; the export is recorded on the ledger.
              </p>
            ) : (
              <p className="banner error" style={{ margin: 0 }} data-testid="verify-failed">
                {Object.values(report.findingCounts).reduce((a, b) => a + (b ?? 0), 0)} finding(s): this bundle does not prove the conversation complete and unaltered.
              </p>
            )}
            <div className="row small">
              <span>Room <code>{report.header.roomId}</code></span>
              <span>Exported {report.header.exportedAt}</span>
              <span>Ledger {report.header.ledger}</span>
              <span>
                Messages {report.messages} (sequence {report.header.extent.firstSeq ?? "–"}–{report.header.extent.lastSeq ?? "–"})
              </span>
              <span>Anchored {report.anchored}</span>
              <span>Checkpoints {report.checkpoints}</span>
              <span>Senders {report.senders}</span>
              <span data-testid="membership-summary">{describeMembership(report.membership)}</span>
              <span data-testid="witness-summary">{describeWitnesses(report)}</span>
              <span data-testid="completeness-summary" data-status={report.completeness.status} className={report.completeness.status === "incomplete" ? "error" : undefined}>
                {describeCompleteness(report.completeness)}
              </span>
              {report.plaintextChecked + report.plaintextUnchecked > 0 && <span data-testid="plaintext-checked">Plaintext checked {report.plaintextChecked}</span>}
            </div>
            {report.header.ledger === "embedded" && (
              <p className="banner small">This export is anchored on the embedded ledger, which a single operator can rewrite: it shows consistency, not independence.</p>
            )}
            {Object.keys(report.findingCounts).length > 0 && (
              <ul className="small" data-testid="finding-counts">
                {Object.entries(report.findingCounts).map(([code, n]) => (
                  <li key={code}>
                    <span className="badge danger">{code}</span> × {n} — {FINDING_CODES[code as FindingCode]}
                  </li>
                ))}
              </ul>
            )}
            {result.bundleFindings.length > 0 && (
              <div data-testid="bundle-findings">
                <h3>About the whole bundle</h3>
                <ul className="small">
                  {result.bundleFindings.map((f, i) => (
                    <li key={i}>
                      <span className="badge danger">{f.code}</span> {f.line !== undefined && `line ${f.line}: `}
                      {f.message}
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </section>

          <section className="card stack">
            <h2>Timeline</h2>
            <Timeline
              messages={result.messages.map((m) => ({ roomSeq: m.roomSeq, serverTime: m.serverTime, checkpoint: m.checkpoint, flagged: m.findings.length > 0 }))}
              checkpoints={result.checkpoints.map((c) => ({ treeSize: c.treeSize, time: c.time, flagged: flaggedCps.has(c.treeSize) }))}
            />
            <p className="small muted">Dots: messages at their server time. Bars: the checkpoints (ledger time) that anchor them. Red: a finding.</p>
          </section>

          <section className="card stack">
            <div className="row">
              <h2 style={{ margin: 0 }}>Messages</h2>
              <span className="spacer" style={{ flex: 1 }} />
              <label className="row small">
                <input type="checkbox" checked={onlyFlagged} onChange={(e) => setOnlyFlagged(e.target.checked)} style={{ width: "auto" }} />
                only with findings
              </label>
            </div>
            <table className="small" style={{ width: "100%", borderCollapse: "collapse" }} data-testid="message-report">
              <thead>
                <tr style={{ textAlign: "left" }}>
                  <th>#</th>
                  <th>leaf</th>
                  <th>server time</th>
                  <th>checkpoint</th>
                  <th>status</th>
                </tr>
              </thead>
              <tbody>
                {rows.slice(0, ROWS_SHOWN).map((m) => (
                  <tr
                    key={`${m.line}`}
                    data-testid="message-row"
                    data-room-seq={m.roomSeq}
                    data-status={m.findings.length ? "finding" : "ok"}
                    style={{ borderTop: "1px solid var(--line)", background: m.findings.length ? "#fdecea" : undefined }}
                  >
                    <td>{m.roomSeq}</td>
                    <td>{m.leafIndex}</td>
                    <td>{m.serverTime}</td>
                    <td>{m.checkpoint ?? "—"}</td>
                    <td>
                      {m.findings.length ? <FindingBadges codes={m.findings} /> : <span className="badge">verified</span>}
                      {m.disclosed && <span className="badge">plaintext</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {(rows.length > ROWS_SHOWN || result.rowsTruncated) && (
              <p className="small muted">
                Showing the first {Math.min(rows.length, ROWS_SHOWN)} rows; the counts above cover every message.
              </p>
            )}
          </section>
        </>
      )}
    </main>
  );
}
