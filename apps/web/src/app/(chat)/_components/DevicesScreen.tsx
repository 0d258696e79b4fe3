"use client";
/**
 * The user's devices: name, when added and last seen, whether each is registered (or
 * revoked) on the ledger as the relay's ledger view shows it, rename, and revoke
 * (signed with the identity key in the crypto worker). Also the key backup's state, and
 * the user's log-ins (SessionsPanel: end one, or log out everywhere).
 */
import { useCallback, useEffect, useState } from "react";
import { api } from "@/lib/api";
import type { OwnDevice } from "@/lib/api-schemas";
import { cryptoWorker } from "@/lib/crypto-client";
import { checkAgainstLedger, LEDGER_LABEL, type LedgerCheck } from "@/lib/ledger";
import type { BackupStatus } from "@/worker/api";
import { useChat } from "./ChatProvider";
import { SessionsPanel } from "./SessionsPanel";
import { PassphraseForm } from "./PassphraseForm";

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : "never";
}

function BackupState() {
  const [status, setStatus] = useState<BackupStatus | null>(null);
  useEffect(() => {
    let live = true;
    const poll = () => void cryptoWorker.backupStatus().then((s) => live && setStatus(s), () => undefined);
    poll();
    const timer = setInterval(poll, 1000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  if (!status) return null;
  const state = !status.enabled ? "off" : status.dirty ? "pending" : "synced";
  return (
    <p className={state === "off" ? "banner" : "muted"} data-testid="backup-status" data-state={state}>
      {state === "off"
        ? "Key backup is not set up for this account (it was created before key backup existed): a new device cannot read your history."
        : state === "pending"
          ? "Key backup: uploading changes…"
          : `Key backup: up to date (version ${status.version}). Restoring it needs your 17-word recovery key; losing every device and that key loses your history.`}
    </p>
  );
}

function DeviceRow({
  device,
  current,
  ledger,
  onChanged,
}: {
  device: OwnDevice;
  current: boolean;
  ledger: string;
  onChanged: () => Promise<void>;
}) {
  const [name, setName] = useState(device.name);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function rename() {
    setError(null);
    try {
      await api.renameDevice(device.deviceId, name);
      await onChanged();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  async function revoke() {
    setError(null);
    try {
      const { revokedAtMs, signature } = await cryptoWorker.signRevocation(device.deviceId);
      await api.revokeDevice(device.deviceId, revokedAtMs, signature);
      setConfirming(false);
      await onChanged();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  const revoked = device.revokedAt !== null;
  return (
    <li className={revoked ? "device revoked" : "device"} data-testid="device" data-device-id={device.deviceId} data-revoked={revoked}>
      <div className="row">
        <input value={name} onChange={(e) => setName(e.target.value)} maxLength={64} data-testid="device-name" aria-label="Device name" />
        <button type="button" className="link" onClick={() => void rename()} disabled={name.trim() === device.name || !name.trim()} data-testid="device-rename">
          Rename
        </button>
        {current && <span className="badge" data-testid="this-device">this device</span>}
        {revoked && <span className="badge danger">revoked {when(device.revokedAt)}</span>}
      </div>
      <p className="muted small">
        Added {when(device.createdAt)} · last seen {when(device.lastSeenAt)} ·{" "}
        <span data-testid="device-ledger" className={ledger.startsWith("DIFFERS") ? "error" : undefined}>
          {ledger}
        </span>
      </p>
      {!current && !revoked && (
        <div className="row">
          {confirming ? (
            <>
              <span className="small">It will be signed out for good, and every room rotates its keys.</span>
              <button type="button" className="danger" onClick={() => void revoke()} data-testid="device-revoke-confirm">
                Revoke
              </button>
              <button type="button" className="link" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </>
          ) : (
            <button type="button" className="link" onClick={() => setConfirming(true)} data-testid="device-revoke">
              Revoke…
            </button>
          )}
        </div>
      )}
      {error && (
        <p className="error" role="alert" data-testid="device-error">
          {error}
        </p>
      )}
    </li>
  );
}

export function DevicesScreen() {
  const { user, deviceId, relayUrl } = useChat();
  const [devices, setDevices] = useState<OwnDevice[] | null>(null);
  const [ledger, setLedger] = useState<LedgerCheck | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** Bumped after a device changes: a revocation ends its sessions, so that list reloads too. */
  const [generation, setGeneration] = useState(0);

  const refresh = useCallback(async () => {
    try {
      const { devices } = await api.devices();
      setDevices(devices);
      setLedger(
        await checkAgainstLedger(relayUrl, {
          userId: user.id,
          username: user.username,
          identityPublicKey: user.identityPublicKey,
          devices,
        }),
      );
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, [relayUrl, user]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const changed = useCallback(async () => {
    await refresh();
    setGeneration((g) => g + 1);
  }, [refresh]);

  return (
    <main className="page">
      <h2>Your devices</h2>
      <BackupState />
      <p className="muted small">
        Each device has its own keys, certified by your identity key and registered on the ledger. Revoking a device
        signs a revocation with your identity key (registered on the ledger too): its log-ins end at once, the relay
        refuses the device, and everyone in your rooms switches to new room keys before their next message.
      </p>
      {ledger && (
        <p className={ledger.identity === "differs" ? "banner error" : "muted small"} data-testid="identity-ledger">
          Identity key: {LEDGER_LABEL[ledger.identity]}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {devices === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <ul className="devices" data-testid="device-list">
          {devices.map((d) => (
            <DeviceRow
              key={d.deviceId}
              device={d}
              current={d.deviceId === deviceId}
              ledger={ledger ? LEDGER_LABEL[ledger.devices[d.deviceId] ?? "unknown"] : "checking the ledger…"}
              onChanged={changed}
            />
          ))}
        </ul>
      )}
      <SessionsPanel key={generation} />
      <PassphraseForm />
    </main>
  );
}
