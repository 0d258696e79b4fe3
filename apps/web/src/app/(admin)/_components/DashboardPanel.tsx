"use client";
/** Anchoring health: tree size, pending leaves, ledger, and the lag of each checkpoint over time. */
import { useEffect, useState } from "react";
import { LagChart } from "@/lib/charts/LagChart";
import { formatDuration } from "@/lib/charts/scale";
import { auditApi, type Dashboard } from "./audit-api";

const REFRESH_MS = 5000;

export function DashboardPanel() {
  const [data, setData] = useState<Dashboard | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const load = () =>
      auditApi.dashboard().then(
        (d) => {
          setData(d);
          setError(null);
        },
        (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
      );
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  const lags = data?.lag.map((p) => p.lagMs).filter((v): v is number => v !== null) ?? [];
  const median = lags.length ? [...lags].sort((a, b) => a - b)[Math.floor(lags.length / 2)] : undefined;
  return (
    <section className="card stack" data-testid="dashboard">
      <h2>Anchoring</h2>
      {error && <p className="error">{error}</p>}
      {data && (
        <>
          <div className="row small">
            <span>
              Tree size <strong data-testid="tree-size">{data.status.treeSize}</strong>
            </span>
            <span>
              Leaves <strong>{data.status.leaves}</strong>
            </span>
            <span>
              Pending <strong data-testid="pending">{data.status.pending}</strong>
              {data.status.oldestPendingMs !== null && ` (oldest ${formatDuration(data.status.oldestPendingMs)})`}
            </span>
            <span>
              Ledger <strong data-testid="ledger-kind">{data.status.ledger}</strong>
            </span>
            {median !== undefined && (
              <span>
                Median lag <strong>{formatDuration(median)}</strong> over the last {lags.length} checkpoints
              </span>
            )}
          </div>
          {data.status.ledger === "embedded" && (
            <p className="banner small">The embedded ledger is for evaluation: a single operator can rewrite it. Use Fabric for evidence.</p>
          )}
          <LagChart points={data.lag} />
          <p className="small muted">Lag = the checkpoint&apos;s ledger time minus the creation of the first leaf of its batch.</p>
          <RefusedRegistrations refused={data.refused} />
        </>
      )}
    </section>
  );
}

/** Key registrations the ledger refused for good: the worker skipped them, so anchoring went on. */
function RefusedRegistrations({ refused }: { refused: Dashboard["refused"] }) {
  if (refused.total === 0) return <p className="small">No key registration has been refused by the ledger.</p>;
  return (
    <section aria-labelledby="refused-heading" className="stack">
      <h3 id="refused-heading">Refused key registrations ({refused.total})</h3>
      <p className="small muted">
        The ledger refused these for good; they were skipped and nothing waited behind them. The devices they name
        cannot be verified from the chain.
      </p>
      <table className="small">
        <thead>
          <tr>
            <th scope="col">Request</th>
            <th scope="col">Reason</th>
            <th scope="col">Refused at</th>
          </tr>
        </thead>
        <tbody>
          {refused.recent.map((r) => (
            <tr key={r.id}>
              <td>{r.kind}</td>
              <td>{r.reason}</td>
              <td>{new Date(r.refusedAt).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
