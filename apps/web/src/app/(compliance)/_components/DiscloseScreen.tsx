"use client";
/**
 * Adding plaintext to an export, from a member's browser (docs/bundle-format.md): for
 * every message this device can decrypt, the crypto worker re-derives that message's
 * key mk_i from the session's stored starting state (worker/disclose.ts), and the key
 * and plaintext go into the bundle in the one form the verifier accepts
 * (lib/verify-client-disclose.ts); the verifier checks each by decryption. The file
 * never leaves this browser.
 */
import { useEffect, useState } from "react";
import { api } from "@/lib/api";
import { cryptoWorker } from "@/lib/crypto-client";
import { discloseBundle } from "@/lib/verify-client-disclose";
import { useAccess } from "../../(admin)/_components/AuditShell";
import { saveDownload } from "@/lib/download";

interface Done {
  url: string;
  filename: string;
  messages: number;
  disclosed: number;
  waiting: number;
  failed: number;
}

function roomOf(firstLine: string | undefined): string {
  try {
    const h = JSON.parse(firstLine ?? "") as { type?: unknown; format?: unknown; roomId?: unknown };
    if (h.type === "header" && h.format === "cairn-audit-bundle" && typeof h.roomId === "string") return h.roomId;
  } catch {
    // fall through
  }
  throw new Error("This file is not a Cairn audit bundle (its first line is not a bundle header).");
}

export function DiscloseScreen() {
  const access = useAccess();
  const [file, setFile] = useState<File | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<Done | null>(null);

  useEffect(() => () => void (done && URL.revokeObjectURL(done.url)), [done]);

  async function run() {
    if (!file) return;
    setError(null);
    setDone(null);
    setRunning(true);
    try {
      const lines = (await file.text()).split("\n");
      if (lines.at(-1) === "") lines.pop();
      const roomId = roomOf(lines[0]);
      if (!(await cryptoWorker.resume(access.userId))) {
        throw new Error("Your keys are locked in this browser: open Rooms and log in, then come back.");
      }
      const { users, events } = await api.roomKeys(roomId);
      await cryptoWorker.setRoomMembers(roomId, users, events);
      const stats = { messages: 0, disclosed: 0 };
      let waiting = 0;
      let failed = 0;
      const out: string[] = [];
      const open = async ({ envelope }: { envelope: Parameters<typeof cryptoWorker.discloseMessage>[0] }) => {
        const r = await cryptoWorker.discloseMessage(envelope);
        if (r.kind === "disclosed") return { messageKey: r.messageKey, body: r.body };
        if (r.kind === "failed") failed += 1;
        else waiting += 1;
        return null;
      };
      for await (const line of discloseBundle(lines, open, stats)) out.push(`${line}\n`);
      const filename = file.name.replace(/(\.jsonl)?$/, "-disclosed.jsonl");
      const url = URL.createObjectURL(new Blob(out, { type: "application/x-ndjson" }));
      setDone({ url, filename, messages: stats.messages, disclosed: stats.disclosed, waiting, failed });
      saveDownload(url, filename);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setRunning(false);
    }
  }

  return (
    <main className="page">
      <h1>Add plaintext to an export</h1>
      <p>
        Only members hold a room&apos;s keys, so only a member&apos;s browser can add the plaintext of the messages it can read to an exported
        bundle. For each message it adds that message&apos;s own key (which reveals no other message) and the text; the compliance page then checks
        every disclosure by decrypting it. The file stays in this browser.
      </p>
      <label>
        Bundle (.jsonl)
        <input
          type="file"
          accept=".jsonl,application/x-ndjson"
          data-testid="disclose-file"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setDone(null);
          }}
        />
      </label>
      <button type="button" disabled={!file || running} onClick={() => void run()} data-testid="disclose-start">
        {running ? "Adding plaintext…" : "Add plaintext"}
      </button>
      {error && (
        <p className="banner error" role="alert" data-testid="disclose-error">
          {error}
        </p>
      )}
      {done && (
        <div className="banner" role="status" data-testid="disclose-done">
          <p>
            Added the plaintext of <strong data-testid="disclose-count">{done.disclosed}</strong> of {done.messages} messages.
            {done.waiting > 0 && ` ${done.waiting} could not be read by this browser (no key for their session here).`}
            {done.failed > 0 && ` ${done.failed} did not verify or decrypt and were left as they were.`}
          </p>
          <a href={done.url} download={done.filename} data-testid="disclose-download">
            Download {done.filename}
          </a>
        </div>
      )}
    </main>
  );
}
