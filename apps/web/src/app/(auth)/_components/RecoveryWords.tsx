"use client";
/**
 * Shows the recovery key once, as 17 words, and asks for three of them back before the
 * account is created: the only copy of the key backup's key is what the user writes
 * down now.
 */
import { useMemo, useState, type FormEvent } from "react";

/** How many words the user must retype. */
const CHECKED = 3;

function pickPositions(count: number): number[] {
  const all = Array.from({ length: count }, (_, i) => i);
  const picked: number[] = [];
  const random = crypto.getRandomValues(new Uint32Array(CHECKED));
  for (let i = 0; i < CHECKED && all.length > 0; i++) {
    const [p] = all.splice((random[i] ?? 0) % all.length, 1);
    if (p !== undefined) picked.push(p);
  }
  return picked.sort((a, b) => a - b);
}

export function RecoveryWords({
  words,
  busy,
  onConfirmed,
}: {
  words: string;
  busy: string | null;
  onConfirmed: () => void;
}) {
  const list = useMemo(() => words.split(" "), [words]);
  const positions = useMemo(() => pickPositions(list.length), [list.length]);
  const [step, setStep] = useState<"show" | "confirm">("show");
  const [typed, setTyped] = useState<Record<number, string>>({});
  const [error, setError] = useState<string | null>(null);

  function confirm(e: FormEvent) {
    e.preventDefault();
    const wrong = positions.filter((p) => (typed[p] ?? "").trim().toLowerCase() !== list[p]);
    if (wrong.length > 0) {
      setError(`Word ${wrong.map((p) => p + 1).join(", ")} does not match. Check what you wrote down.`);
      return;
    }
    setError(null);
    onConfirmed();
  }

  if (step === "show") {
    return (
      <div className="card stack" data-testid="recovery-step">
        <h2>Your recovery key</h2>
        <p className="banner">
          Write these 17 words down and keep them somewhere safe. They are shown <strong>only now</strong>.
        </p>
        <ol className="words" data-testid="recovery-words" data-words={words}>
          {list.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ol>
        <p className="muted small">
          A new device reads your history only with these words (or another of your devices). Cairn&apos;s servers keep
          your keys only encrypted under them. <strong>If you lose every device and these words, your message history
          is lost for good</strong>: nobody, not even an administrator, can recover it.
        </p>
        <button type="button" onClick={() => setStep("confirm")} data-testid="recovery-saved">
          I have written them down
        </button>
      </div>
    );
  }
  return (
    <form className="card stack" onSubmit={confirm} data-testid="recovery-confirm">
      <h2>Check your recovery key</h2>
      <p className="muted small">Type these words from your copy.</p>
      {positions.map((p) => (
        <label key={p}>
          Word {p + 1}
          <input
            autoComplete="off"
            spellCheck={false}
            value={typed[p] ?? ""}
            onChange={(e) => setTyped({ ...typed, [p]: e.target.value })}
            data-testid="recovery-confirm-word"
            data-position={p}
            required
          />
        </label>
      ))}
      {error && (
        <p className="error" role="alert" data-testid="recovery-error">
          {error}
        </p>
      )}
      <div className="row">
        <button type="button" className="link" onClick={() => setStep("show")}>
          Show the words again
        </button>
        <button type="submit" disabled={busy !== null} data-testid="recovery-confirm-submit">
          {busy ?? "Create my account"}
        </button>
      </div>
    </form>
  );
}
