"use client";
/**
 * The compliance page's timeline, inline SVG: messages on the upper lane at their
 * server time, the checkpoints that anchor them on the lower lane at their ledger
 * time, a thin line from each message to its checkpoint; anything with a finding in red.
 */
import { formatTime, linearScale, niceTicks } from "./scale";

export interface TimelineMessage {
  roomSeq: number;
  serverTime: string;
  checkpoint: number | null;
  flagged: boolean;
}

export interface TimelineCheckpoint {
  treeSize: number;
  time: string;
  flagged: boolean;
}

const W = 760;
const H = 170;
const M = { left: 90, right: 16 };
const MSG_Y = 40;
const CP_Y = 120;
/** Beyond this many messages, only flagged ones and a sample of the rest are drawn. */
const MAX_DOTS = 3000;

export function Timeline({ messages, checkpoints }: { messages: TimelineMessage[]; checkpoints: TimelineCheckpoint[] }) {
  const times = [...messages.map((m) => Date.parse(m.serverTime)), ...checkpoints.map((c) => Date.parse(c.time))].filter(Number.isFinite);
  if (times.length === 0) return null;
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const pad = Math.max((t1 - t0) * 0.03, 500);
  const x = linearScale([t0 - pad, t1 + pad], [M.left, W - M.right]);
  const cpAt = new Map(checkpoints.map((c) => [c.treeSize, x(Date.parse(c.time))]));
  const every = Math.ceil(messages.length / MAX_DOTS);
  const shown = messages.filter((m, i) => m.flagged || i % every === 0);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label="Timeline of messages and the checkpoints that anchor them" data-testid="timeline">
      <text x={8} y={MSG_Y + 4} fontSize="12" fill="#667085">
        messages
      </text>
      <text x={8} y={CP_Y + 4} fontSize="12" fill="#667085">
        checkpoints
      </text>
      <line x1={M.left} x2={W - M.right} y1={MSG_Y} y2={MSG_Y} stroke="#e3e6eb" />
      <line x1={M.left} x2={W - M.right} y1={CP_Y} y2={CP_Y} stroke="#e3e6eb" />
      {(t1 > t0 ? niceTicks(t0, t1, 5) : [t0]).map((v) => (
        <text key={v} x={x(v)} y={H - 8} fontSize="11" textAnchor="middle" fill="#667085">
          {formatTime(v, t1 - t0)}
        </text>
      ))}
      {shown.map((m) => {
        const cx = x(Date.parse(m.serverTime));
        const to = m.checkpoint === null ? undefined : cpAt.get(m.checkpoint);
        return (
          <g key={`m${m.roomSeq}-${m.serverTime}`} data-testid={m.flagged ? "timeline-flagged" : "timeline-message"}>
            {to !== undefined && <line x1={cx} y1={MSG_Y} x2={to} y2={CP_Y} stroke={m.flagged ? "#b42318" : "#c5d9d2"} strokeWidth="0.8" />}
            <circle cx={cx} cy={MSG_Y} r={m.flagged ? 5 : 3} fill={m.flagged ? "#b42318" : "#2f6f5e"}>
              <title>{`#${m.roomSeq} at ${m.serverTime}${m.checkpoint === null ? ", not anchored" : `, checkpoint ${m.checkpoint}`}`}</title>
            </circle>
          </g>
        );
      })}
      {checkpoints.map((c) => {
        const cx = x(Date.parse(c.time));
        return (
          <g key={`c${c.treeSize}`}>
            <rect x={cx - 4} y={CP_Y - 8} width="8" height="16" fill={c.flagged ? "#b42318" : "#1d2330"}>
              <title>{`checkpoint ${c.treeSize} at ${c.time}`}</title>
            </rect>
          </g>
        );
      })}
    </svg>
  );
}
