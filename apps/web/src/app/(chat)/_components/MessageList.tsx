"use client";
import { useEffect, useRef } from "react";
import type { Line } from "@/lib/room/line";

function auditStatus(line: Line): { label: string; kind: string } {
  if (line.state === "sending") return { label: "sending…", kind: "sending" };
  if (line.state === "send-failed") return { label: "not sent", kind: "failed" };
  if (line.anchoredTreeSize !== null) {
    return { label: `anchored · checkpoint ${line.anchoredTreeSize}`, kind: "anchored" };
  }
  return { label: "pending", kind: "pending" };
}

export function MessageList({ lines, loading }: { lines: Line[]; loading: boolean }) {
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView({ block: "end" });
  }, [lines.length]);

  return (
    <div className="messages" data-testid="message-list" aria-live="polite">
      {loading && <p className="muted">Decrypting history…</p>}
      {!loading && lines.length === 0 && <p className="muted">No messages yet. Say hello.</p>}
      {lines.map((line) => {
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
