"use client";
/**
 * Log-in from a browser without this account's keys: restore them from the key backup
 * with the recovery words, then certify and register a new device key (the worker
 * signs it with the restored identity key; the server checks the certificate and
 * queues its ledger registration).
 */
import { useState, type FormEvent } from "react";
import { api, ApiError } from "@/lib/api";
import { cryptoWorker, WorkerError } from "@/lib/crypto-client";

function explain(err: unknown): string {
  if ((err instanceof WorkerError || err instanceof ApiError) && err.message) return err.message;
  return err instanceof Error ? err.message : String(err);
}

export function RestoreForm({ onRestored, onCancel }: { onRestored: () => void; onCancel: () => void }) {
  const [words, setWords] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function restore(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      setBusy("Fetching your key backup…");
      const { backup } = await api.getBackup();
      if (!backup) {
        throw new Error(
          "This account has no key backup on the server, so its keys cannot be restored here. Log in from a browser that has them.",
        );
      }
      setBusy("Opening the backup…");
      const registration = await cryptoWorker.prepareRestore(words, backup);
      setBusy("Registering this device…");
      await api.registerDevice(registration);
      await cryptoWorker.completeRestore();
      onRestored();
    } catch (err) {
      setError(explain(err));
      setBusy(null);
    }
  }

  return (
    <form className="card stack" onSubmit={(e) => void restore(e)} data-testid="restore-form">
      <h2>New device</h2>
      <p className="muted small">
        This browser has no keys for your account. Enter your 17-word recovery key to restore them: this browser
        becomes a new device of yours and can read your rooms&apos; history.
      </p>
      <label>
        Recovery key
        <textarea
          rows={4}
          autoComplete="off"
          spellCheck={false}
          value={words}
          onChange={(e) => setWords(e.target.value)}
          required
          data-testid="recovery-input"
        />
      </label>
      {error && (
        <p className="error" role="alert" data-testid="restore-error">
          {error}
        </p>
      )}
      <div className="row">
        <button type="button" className="link" onClick={onCancel} data-testid="restore-cancel">
          Cancel
        </button>
        <button type="submit" disabled={busy !== null} data-testid="restore-submit">
          {busy ?? "Restore keys"}
        </button>
      </div>
    </form>
  );
}
