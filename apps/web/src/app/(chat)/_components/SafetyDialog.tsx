"use client";
/**
 * One contact's safety number (60 digits in 12 groups, and a QR code of them): compare
 * it with the contact in person or over a trusted channel, then mark them verified.
 * When the contact's identity key changed, this is where the user reviews and accepts
 * the new key; and the keys are shown next to what the ledger's registry holds.
 */
import QRCode from "qrcode";
import { useEffect, useState } from "react";
import { cryptoWorker } from "@/lib/crypto-client";
import { LEDGER_LABEL, LEDGER_SOURCE, type LedgerCheck } from "@/lib/ledger";
import type { ContactStatus, SafetyNumberView } from "@/worker/api";

/** What the QR code holds: a version tag and the 60 digits (the same on both sides). */
export function safetyQrPayload(digits: string): string {
  return `cairn-safety-number:v1:${digits}`;
}

export function SafetyDialog({
  userId,
  ledger,
  onClose,
  onChanged,
}: {
  userId: string;
  ledger: LedgerCheck | undefined;
  onClose: () => void;
  onChanged: (status: ContactStatus) => void;
}) {
  const [view, setView] = useState<SafetyNumberView | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const v = await cryptoWorker.safetyNumber(userId);
        if (!live) return;
        setView(v);
        setQr(await QRCode.toDataURL(safetyQrPayload(v.digits), { margin: 1, width: 180 }));
      } catch (err) {
        if (live) setError(err instanceof Error ? err.message : String(err));
      }
    })();
    return () => {
      live = false;
    };
  }, [userId]);

  async function act(fn: () => Promise<ContactStatus>) {
    try {
      const status = await fn();
      onChanged(status);
      setView(await cryptoWorker.safetyNumber(userId));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  const status = view?.status;
  return (
    <div className="dialog-backdrop" role="presentation" onClick={onClose}>
      <div className="dialog card stack" role="dialog" aria-label="Safety number" onClick={(e) => e.stopPropagation()} data-testid="safety-dialog">
        <h3>Safety number with {view?.username ?? "…"}</h3>
        {error && <p className="error">{error}</p>}
        {status?.changed && (
          <p className="banner error" data-testid="safety-key-changed">
            {status.verified ? "⚠ You had verified this contact, and their " : "⚠ Their "}
            security key changed. This number is for the <strong>new</strong> key: compare it with {view?.username}{" "}
            before you accept it. It could be a new phone, or someone in the middle.
          </p>
        )}
        {status && !status.changed && status.ledgerIdentityPublicKey && (
          <p className="banner error" data-testid="safety-ledger-mismatch">
            ⚠ The key you pinned for {view?.username} differs from the one the ledger holds for them (
            <code>{status.ledgerIdentityPublicKey.slice(0, 16)}…</code>, {LEDGER_SOURCE}). Compare this safety number
            with {view?.username} in person: if it matches, keep the pinned key; if not, do not send to them.
          </p>
        )}
        {view && (
          <>
            <div className="safety-number" data-testid="safety-number" data-digits={view.digits}>
              {view.groups.map((g, i) => (
                <code key={i}>{g}</code>
              ))}
            </div>
            {qr && <img src={qr} alt="QR code of the safety number" width={180} height={180} data-testid="safety-qr" />}
            <p className="muted small">
              Identity key <code>{view.identityPublicKey.slice(0, 16)}…</code>
              {ledger && (
                <span data-testid="safety-ledger" className={ledger.identity === "differs" ? "error" : undefined}>
                  {" "}
                  · {LEDGER_LABEL[ledger.identity]} <span className="muted">({LEDGER_SOURCE})</span>
                </span>
              )}
            </p>
            <div className="row">
              {status?.changed ? (
                <button
                  type="button"
                  className="danger"
                  onClick={() => void act(() => cryptoWorker.acceptIdentityKey(userId, view.identityPublicKey))}
                  data-testid="accept-key"
                >
                  Accept the new key
                </button>
              ) : status?.ledgerIdentityPublicKey ? (
                <button
                  type="button"
                  className="danger"
                  onClick={() => void act(() => cryptoWorker.keepKeyAgainstLedger(userId, status.ledgerIdentityPublicKey as string))}
                  data-testid="keep-pinned-key"
                >
                  Keep the pinned key and send anyway
                </button>
              ) : (
                <button
                  type="button"
                  onClick={() =>
                    void act(() => cryptoWorker.setContactVerified(userId, view.identityPublicKey, !status?.verified))
                  }
                  data-testid="verify-contact"
                >
                  {status?.verified ? "Remove verification" : "Mark as verified"}
                </button>
              )}
              <button type="button" className="link" onClick={onClose} data-testid="safety-close">
                Close
              </button>
            </div>
          </>
        )}
      </div>
    </div>
  );
}
