"use client";
import { useEffect, useRef } from "react";
import type { Line } from "@/lib/room/line";
import type { MembershipLine } from "@/worker/api";
import { membershipText } from "./membership-text";

function auditStatus(line: Line): { label: string; kind: string } {
  if (line.state === "sending") return { label: "sending…", kind: "sending" };
  if (line.state === "send-failed") return { label: "not sent", kind: "failed" };
  if (line.audit?.verdict === "failed") return { label: `⚠ proof failed · checkpoint ${line.audit.treeSize}`, kind: "proof-failed" };
  if (line.audit?.verdict === "verified") {
    const w = line.audit.witnessed;
    return { label: `verified · checkpoint ${line.audit.treeSize}${w ? ` · cosigned by ${w.count} of ${w.of} witnesses` : ""}`, kind: "verified" };
  }
  if (line.anchoredTreeSize !== null) {
    return { label: `anchored · checkpoint ${line.anchoredTreeSize}`, kind: "anchored" };
  }
  return { label: "pending", kind: "pending" };
}

type Item = { line: Line } | { notice: MembershipLine };

/** Stored messages and verified membership events in audit-log order, then the messages being sent. */
function merge(lines: Line[], notices: MembershipLine[]): Item[] {
  const stored: { at: number; item: Item }[] = [];
  const sending: Item[] = [];
  for (const line of lines) {
    if (line.leafIndex === null) sending.push({ line });
    else stored.push({ at: line.leafIndex, item: { line } });
  }
  for (const notice of notices) stored.push({ at: notice.leafIndex, item: { notice } });
  return [...stored.sort((a, b) => a.at - b.at).map((s) => s.item), ...sending];
}

export function MessageList({ lines, loading, notices = [] }: { lines: Line[]; loading: boolean; notices?: MembershipLine[] }) {
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView({ block: "end" });
  }, [lines.length]);

  return (
    <div className="messages" data-testid="message-list" aria-live="polite">
      {loading && <p className="muted">Decrypting history…</p>}
      {!loading && lines.length === 0 && <p className="muted">No messages yet. Say hello.</p>}
      {merge(lines, notices).map((item) => {
        if ("notice" in item) {
          const n = item.notice;
          return (
            <p key={`m${n.seq}`} className="notice small muted" role="note" data-testid="membership-notice" data-kind={n.kind}>
              {membershipText(n)} · <time dateTime={new Date(n.timeMs).toISOString()}>{new Date(n.timeMs).toLocaleString()}</time>
            </p>
          );
        }
        const { line } = item;
        const status = auditStatus(line);
        return (
          <article
            key={line.key}
            className={line.mine ? "message mine" : "message"}
            data-testid="message"
            data-sender={line.sender}
            data-state={line.state}
            data-audit={status.kind}
          >
            <header>
              <span className="sender" data-testid="message-sender">
                {line.sender}
              </span>
              <time dateTime={line.time}>{new Date(line.time).toLocaleTimeString()}</time>
            </header>
            {line.text !== null ? (
              <p className="body" data-testid="message-body">
                {line.text}
              </p>
            ) : (
              <p className="body muted" data-testid="message-body">
                {line.state === "waiting" ? "🔒 waiting for key…" : `⚠ cannot decrypt${line.note ? ` (${line.note})` : ""}`}
              </p>
            )}
            {line.state === "send-failed" && line.note && <p className="error">{line.note}</p>}
            <footer className={`audit ${status.kind}`} data-testid="message-status">
              {status.label}
            </footer>
          </article>
        );
      })}
      <div ref={end} />
    </div>
  );
}
