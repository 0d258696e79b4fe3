"use client";
/** Anchoring lag over time (admin dashboard): one point per checkpoint, joined by a line, drawn as inline SVG. */
import { formatDuration, formatTime, linearScale, niceTicks } from "./scale";

export interface LagDatum {
  treeSize: number;
  leaves: number;
  time: string;
  lagMs: number | null;
}

const W = 720;
const H = 240;
const M = { top: 12, right: 16, bottom: 34, left: 64 };

export function LagChart({ points }: { points: LagDatum[] }) {
  const data = points
    .filter((p): p is LagDatum & { lagMs: number } => p.lagMs !== null)
    .map((p) => ({ ...p, t: Date.parse(p.time) }));
  if (data.length === 0) return <p className="muted" data-testid="lag-empty">No checkpoint yet: nothing has been anchored.</p>;
  const t0 = Math.min(...data.map((d) => d.t));
  const t1 = Math.max(...data.map((d) => d.t));
  const maxLag = Math.max(...data.map((d) => d.lagMs), 1);
  const x = linearScale([t0, t1], [M.left, W - M.right]);
  const yTicks = niceTicks(0, maxLag, 4);
  const y = linearScale([0, Math.max(maxLag, yTicks.at(-1) ?? maxLag)], [H - M.bottom, M.top]);
  const xTicks = t1 > t0 ? niceTicks(t0, t1, 5) : [t0];
  const path = data.map((d, i) => `${i === 0 ? "M" : "L"}${x(d.t).toFixed(1)},${y(d.lagMs).toFixed(1)}`).join(" ");
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label="Anchoring lag per checkpoint over time" data-testid="lag-chart">
      {yTicks.map((v) => (
        <g key={`y${v}`}>
          <line x1={M.left} x2={W - M.right} y1={y(v)} y2={y(v)} stroke="#e3e6eb" />
          <text x={M.left - 6} y={y(v) + 4} fontSize="11" textAnchor="end" fill="#667085">
            {formatDuration(v)}
          </text>
        </g>
      ))}
      {xTicks.map((v) => (
        <text key={`x${v}`} x={x(v)} y={H - M.bottom + 16} fontSize="11" textAnchor="middle" fill="#667085">
          {formatTime(v, t1 - t0)}
        </text>
      ))}
      <text x={W - M.right} y={H - 4} fontSize="11" textAnchor="end" fill="#667085">
        ledger time (UTC)
      </text>
      <path d={path} fill="none" stroke="#2f6f5e" strokeWidth="1.5" />
      {data.map((d) => (
        <circle key={d.treeSize} cx={x(d.t)} cy={y(d.lagMs)} r="3" fill="#2f6f5e" data-testid="lag-point">
          <title>{`checkpoint ${d.treeSize} (${d.leaves} leaves): ${formatDuration(d.lagMs)}`}</title>
        </circle>
      ))}
    </svg>
  );
}
