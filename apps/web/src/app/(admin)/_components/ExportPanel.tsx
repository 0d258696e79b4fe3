"use client";
/**
 * Export a room's audit trail: pick a room and an optional server-time range; the
 * bundle (or its CSV view) streams from GET /api/admin/export, a progress bar counts
 * the messages as they arrive, and the file is offered for download. The export is
 * recorded in the audit log by the server.
 */
import { useEffect, useState, type FormEvent } from "react";
import { auditApi, errorOf, type AdminRoom } from "./audit-api";
import { saveDownload } from "@/lib/download";

interface Done {
  url: string;
  filename: string;
  messages: number;
  sha256: string | null;
  exportLeafIndex: number | null;
}

function isoOrNull(local: string): string | null {
  if (!local) return null;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function ExportPanel() {
  const [rooms, setRooms] = useState<AdminRoom[] | null>(null);
  const [roomId, setRoomId] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [format, setFormat] = useState<"jsonl" | "csv">("jsonl");
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<Done | null>(null);

  useEffect(() => {
    auditApi.rooms().then(
      (r) => {
        setRooms(r);
        if (r[0]) setRoomId(r[0].id);
      },
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, []);

  useEffect(() => () => void (done && URL.revokeObjectURL(done.url)), [done]);

  async function run(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setDone(null);
    const q = new URLSearchParams({ roomId, format });
    const f = isoOrNull(from);
    const t = isoOrNull(to);
    if (f) q.set("from", f);
    if (t) q.set("to", t);
    setProgress({ done: 0, total: 0 });
    try {
      const res = await fetch(`/api/admin/export?${q.toString()}`, { credentials: "same-origin", cache: "no-store" });
      if (!res.ok || !res.body) throw await errorOf(res);
      const total = Number(res.headers.get("X-Cairn-Export-Messages") ?? "0");
      const filename = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") ?? "")?.[1] ?? `cairn-export.${format}`;
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      let pending = "";
      let lastLine = "";
      let messages = 0;
      setProgress({ done: 0, total });
      for (;;) {
        const { done: end, value } = await reader.read();
        if (end) break;
        chunks.push(value);
        pending += decoder.decode(value, { stream: true });
        const parts = pending.split("\n");
        pending = parts.pop() ?? "";
        for (const line of parts) {
          if (format === "jsonl" ? line.startsWith('{"type":"message"') : /^\d/.test(line)) messages += 1;
          if (line) lastLine = line;
        }
        setProgress({ done: messages, total });
      }
      let sha256: string | null = null;
      let exportLeafIndex: number | null = null;
      if (format === "jsonl") {
        const trailer = JSON.parse(lastLine) as { type?: string; sha256?: string; exportLeafIndex?: number };
        if (trailer.type !== "trailer") throw new Error("The export stopped before its end (no trailer). Try again.");
        sha256 = trailer.sha256 ?? null;
        exportLeafIndex = trailer.exportLeafIndex ?? null;
      }
      const url = URL.createObjectURL(new Blob(chunks, { type: format === "csv" ? "text/csv" : "application/x-ndjson" }));
      setDone({ url, filename, messages, sha256, exportLeafIndex });
      saveDownload(url, filename);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setProgress(null);
    }
  }

  return (
    <section className="card stack" data-testid="export-panel">
      <h2>Export a room</h2>
      {rooms === null ? (
        <p className="muted">Loading rooms…</p>
      ) : rooms.length === 0 ? (
        <p className="muted">No rooms yet.</p>
      ) : (
        <form className="stack" onSubmit={(e) => void run(e)}>
          <label>
            Room
            <select value={roomId} onChange={(e) => setRoomId(e.target.value)} data-testid="export-room">
              {rooms.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name} — {r.lastSeq} messages, {r.members} members
                </option>
              ))}
            </select>
          </label>
          <div className="row">
            <label>
              From <span className="muted">(optional, server time)</span>
              <input type="datetime-local" step="1" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="export-from" />
            </label>
            <label>
              To <span className="muted">(optional)</span>
              <input type="datetime-local" step="1" value={to} onChange={(e) => setTo(e.target.value)} data-testid="export-to" />
            </label>
          </div>
          <div className="row">
            <label className="row">
              <input type="radio" name="format" checked={format === "jsonl"} onChange={() => setFormat("jsonl")} style={{ width: "auto" }} />
              Bundle (JSON Lines, verifiable)
            </label>
            <label className="row">
              <input type="radio" name="format" checked={format === "csv"} onChange={() => setFormat("csv")} style={{ width: "auto" }} data-testid="export-csv" />
              CSV view (for spreadsheets, not evidence)
            </label>
          </div>
          <button type="submit" disabled={progress !== null || !roomId} data-testid="export-start">
            Export
          </button>
        </form>
      )}
      {progress && (
        <div className="stack" data-testid="export-progress">
          <progress value={progress.done} max={Math.max(progress.total, 1)} style={{ width: "100%" }} />
          <span className="small muted">
            {progress.done} / {progress.total} messages
          </span>
        </div>
      )}
      {error && (
        <p className="error" role="alert" data-testid="export-error">
          {error}
        </p>
      )}
      {done && (
        <p className="small" data-testid="export-done">
          Exported {done.messages} messages.{" "}
          <a href={done.url} download={done.filename} data-testid="export-download">
            Save {done.filename}
          </a>
          {done.sha256 && (
            <>
              <br />
              SHA-256 <code>{done.sha256}</code>; this export is audit leaf {done.exportLeafIndex} (anchored with the next batch: verify after that).
            </>
          )}
        </p>
      )}
    </section>
  );
}
