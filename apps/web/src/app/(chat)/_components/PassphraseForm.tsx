"use client";
/**
 * Change the passphrase (devices page): the crypto worker derives the current and the
 * new secrets and records the change; the server checks the current one and switches;
 * then the worker re-wraps this browser's keys under the new passphrase. Also says
 * plainly what is lost when every device and the recovery key are, and that nobody,
 * an administrator included, can recover it.
 */
import { useState, type FormEvent } from "react";
import { api, ApiError } from "@/lib/api";
import { cryptoWorker, WorkerError } from "@/lib/crypto-client";
import { MIN_PASSPHRASE_CHARS } from "@/worker/api";
import { useChat } from "./ChatProvider";

/** A definite "no" from the server (the change did not happen), as opposed to no answer. */
function refused(err: unknown): boolean {
  return err instanceof ApiError && err.status >= 400 && err.status < 500;
}

function explain(err: unknown): string {
  if (err instanceof ApiError || err instanceof WorkerError) {
    if (err.code === "INVALID_CREDENTIALS") return "The current passphrase is wrong.";
    if (err.code === "RATE_LIMITED") return "Too many wrong attempts — try again later.";
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

export function PassphraseForm() {
  const { user } = useChat();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [endOthers, setEndOthers] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setNotice(null);
    if (next.length < MIN_PASSPHRASE_CHARS)
      return setError(`Use a new passphrase of at least ${MIN_PASSPHRASE_CHARS} characters.`);
    if (next !== confirm) return setError("The two new passphrases differ.");
    try {
      setBusy("Checking…");
      const { salt } = await api.authParams(user.username);
      setBusy("Deriving the new keys…");
      const change = await cryptoWorker.preparePassphraseChange(current, next, salt);
      let ended: number;
      try {
        setBusy("Changing…");
        ({ endedSessions: ended } = await api.changePassphrase({
          ...change,
          endOtherSessions: endOthers,
        }));
      } catch (err) {
        if (refused(err)) await cryptoWorker.finishPassphraseChange(false);
        else {
          // No answer: the change may have landed. The next log-in settles it either way.
          throw new Error(
            "The server did not answer, so the change may or may not have happened. Your keys stay safe: next time you log in, try the new passphrase first, then the old one.",
          );
        }
        throw err;
      }
      setBusy("Re-locking this browser's keys…");
      await cryptoWorker.finishPassphraseChange(true);
      setCurrent("");
      setNext("");
      setConfirm("");
      setNotice(
        endOthers
          ? `Passphrase changed. ${ended === 1 ? "1 other log-in was" : `${ended} other log-ins were`} ended.`
          : "Passphrase changed. Your other devices stay logged in.",
      );
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="stack" aria-labelledby="passphrase-heading">
      <h3 id="passphrase-heading">Passphrase</h3>
      <form className="stack" onSubmit={(e) => void submit(e)} data-testid="passphrase-form">
        <label>
          Current passphrase
          <input
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            required
            data-testid="passphrase-current"
          />
        </label>
        <label>
          New passphrase
          <input
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
            required
            data-testid="passphrase-new"
          />
        </label>
        <label>
          Repeat the new passphrase
          <input
            type="password"
            autoComplete="new-password"
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            required
            data-testid="passphrase-new-confirm"
          />
        </label>
        <label className="small">
          <input
            type="checkbox"
            checked={endOthers}
            onChange={(e) => setEndOthers(e.target.checked)}
            data-testid="passphrase-end-others"
          />{" "}
          Also log out my other devices
        </label>
        <p className="muted small">
          This browser&apos;s keys are re-locked with the new passphrase. Your other devices keep
          working while they stay logged in, but their keys stay locked with the old passphrase:
          once logged out, such a device cannot unlock them with the new one (it says the keys do
          not open). To use it again, clear this site&apos;s data in that browser and log in with
          your recovery key: it becomes a new device, so revoke the old entry here.
        </p>
        {error && (
          <p className="error" role="alert" data-testid="passphrase-error">
            {error}
          </p>
        )}
        {notice && (
          <p className="muted small" role="status" data-testid="passphrase-notice">
            {notice}
          </p>
        )}
        <button type="submit" disabled={busy !== null} data-testid="passphrase-submit">
          {busy ?? "Change passphrase"}
        </button>
      </form>
      <p className="muted small" data-testid="recovery-truth">
        <strong>
          If you lose every device and your recovery key, your message history is lost.
        </strong>{" "}
        An administrator cannot recover your messages or your keys, and there is no passphrase
        reset: the server never sees your passphrase and keeps your key backup only encrypted under
        your recovery key.
      </p>
    </section>
  );
}
