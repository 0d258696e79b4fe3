"use client";
/**
 * Sign-up and log-in. The passphrase goes only to the crypto worker, which stretches
 * it (Argon2id) into the auth secret sent to the server and the keystore key that
 * stays in the browser and wraps the private keys.
 */
import { Username, type SignupBody } from "@cairn/protocol";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { Suspense, useState, type FormEvent } from "react";
import { api, ApiError } from "@/lib/api";
import { syncBackup } from "@/lib/backup-sync";
import { cryptoWorker, WorkerError } from "@/lib/crypto-client";
import { RecoveryWords } from "./RecoveryWords";
import { RestoreForm } from "./RestoreForm";

const MIN_PASSPHRASE = 8;

type Mode = "signup" | "login";

/** The message a person should read for an error code. */
function explain(err: unknown): string {
  if (err instanceof ApiError || err instanceof WorkerError) {
    switch (err.code) {
      case "USERNAME_TAKEN":
        return "That username is taken. Pick another one.";
      case "INVALID_CREDENTIALS":
        return "Wrong username or passphrase.";
      case "RATE_LIMITED":
        return err instanceof ApiError && err.retryAfterMs !== undefined
          ? `Too many attempts — try again in ${Math.max(1, Math.ceil(err.retryAfterMs / 1000))} s.`
          : "Too many attempts — try again in a moment.";
      case "NO_LOCAL_KEYS":
        return "This browser has no keys for this account. Restore them with your recovery key.";
      case "KEYSTORE_MISMATCH":
        return "The keys stored in this browser do not open with this passphrase: they are locked with another one (an earlier passphrase, if you changed it on another device). Log in from a device that is still logged in, or clear this site's data here and restore your keys with your recovery key.";
      default:
        return err.message;
    }
  }
  return err instanceof Error ? err.message : String(err);
}

function Form({ mode }: { mode: Mode }) {
  const router = useRouter();
  const locked = useSearchParams().get("locked") === "1";
  const [username, setUsername] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  /** Sign-up: the recovery words to show; log-in: restore from the backup. */
  const [step, setStep] = useState<{ kind: "form" } | { kind: "words"; words: string; body: SignupBody } | { kind: "restore" }>({
    kind: "form",
  });

  async function prepareSignup(name: string) {
    if (passphrase.length < MIN_PASSPHRASE) {
      throw new Error(`Use a passphrase of at least ${MIN_PASSPHRASE} characters.`);
    }
    if (passphrase !== confirm) throw new Error("The two passphrases differ.");
    // Fail early on a taken name, before showing recovery words for an account that cannot exist.
    await api.checkUsername(name);
    setBusy("Creating your keys…");
    const body = await cryptoWorker.prepareSignup(name, passphrase);
    setStep({ kind: "words", words: await cryptoWorker.pendingRecoveryWords(), body });
    setBusy(null);
  }

  async function completeSignup(body: SignupBody) {
    setError(null);
    try {
      setBusy("Creating your account…");
      const { user } = await api.signup(body);
      await cryptoWorker.completeSignup(user);
      setBusy("Uploading your key backup…");
      // The backup is retried from the chat too, if this first upload fails.
      await syncBackup().catch(() => undefined);
      router.replace("/rooms");
    } catch (err) {
      setError(explain(err));
      setBusy(null);
      setStep({ kind: "form" });
    }
  }

  async function login(name: string): Promise<boolean> {
    setBusy("Checking…");
    const { salt } = await api.authParams(name);
    setBusy("Unlocking…");
    const { authSecret } = await cryptoWorker.prepareLogin(passphrase, salt);
    const { user } = await api.login({ username: name, authSecret });
    try {
      await cryptoWorker.completeLogin(user);
      return true;
    } catch (err) {
      // A browser without the keys can restore them; any other failure ends the session.
      if (err instanceof WorkerError && err.code === "NO_LOCAL_KEYS") return false;
      await api.logout().catch(() => undefined);
      throw err;
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const parsed = Username.safeParse(username);
    if (!parsed.success) {
      setError(`Usernames are ${parsed.error.issues[0]?.message ?? "3–32 letters, digits, _ . -"}.`);
      return;
    }
    try {
      if (mode === "signup") {
        await prepareSignup(parsed.data);
        return;
      }
      if (await login(parsed.data)) router.replace("/rooms");
      else {
        setBusy(null);
        setStep({ kind: "restore" });
      }
    } catch (err) {
      setError(explain(err));
      setBusy(null);
    }
  }

  async function cancelRestore() {
    await api.logout().catch(() => undefined);
    await cryptoWorker.lock().catch(() => undefined);
    setStep({ kind: "form" });
  }

  if (step.kind === "words") {
    const body = step.body;
    return (
      <>
        <RecoveryWords words={step.words} busy={busy} onConfirmed={() => void completeSignup(body)} />
        {error && (
          <p className="error" role="alert" data-testid="auth-error">
            {error}
          </p>
        )}
      </>
    );
  }
  if (step.kind === "restore") {
    return <RestoreForm onRestored={() => router.replace("/rooms")} onCancel={() => void cancelRestore()} />;
  }

  const signingUp = mode === "signup";
  return (
    <form className="card stack" onSubmit={(e) => void submit(e)} data-testid={`${mode}-form`}>
      <h2>{signingUp ? "Create an account" : "Log in"}</h2>
      {locked && !signingUp && <p className="banner">Log in again to unlock your keys.</p>}
      <label>
        Username
        <input
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          required
          data-testid="username"
        />
      </label>
      <label>
        Passphrase
        <input
          type="password"
          autoComplete={signingUp ? "new-password" : "current-password"}
          value={passphrase}
          onChange={(e) => setPassphrase(e.target.value)}
          required
          data-testid="passphrase"
        />
      </label>
      {signingUp && (
        <>
          <label>
            Repeat passphrase
            <input
              type="password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
              required
              data-testid="passphrase-confirm"
            />
          </label>
          <p className="muted small" data-testid="history-warning">
            Your passphrase never leaves this browser: it unlocks your private keys, which are stored here. Next you
            get a <strong>recovery key</strong> (17 words) that restores them on a new device. If you lose every
            device and the recovery key, your message history is lost: nobody can recover it. An administrator cannot
            recover your messages or your keys, and there is no passphrase reset: the server never sees your passphrase.
          </p>
        </>
      )}
      {error && (
        <p className="error" role="alert" data-testid="auth-error">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy !== null} data-testid="auth-submit">
        {busy ?? (signingUp ? "Sign up" : "Log in")}
      </button>
      <p className="muted small">
        {signingUp ? (
          <>
            Already have an account? <Link href="/login">Log in</Link>
          </>
        ) : (
          <>
            New here? <Link href="/signup">Create an account</Link>
          </>
        )}
      </p>
    </form>
  );
}

export function AuthForm({ mode }: { mode: Mode }) {
  // useSearchParams needs a Suspense boundary for static rendering.
  return (
    <Suspense>
      <Form mode={mode} />
    </Suspense>
  );
}
