"use client";
/**
 * The user's live log-ins (sessions) on the devices page: which device each belongs
 * to, when it began and was last used, "End" for any one, and "Log out everywhere"
 * (keeping this browser logged in unless unticked). Ending a session logs that
 * browser out at its next request.
 */
import { useCallback, useEffect, useState } from "react";
import { api } from "@/lib/api";
import type { SessionView } from "@/lib/api-schemas";
import { useChat } from "./ChatProvider";

function when(iso: string): string {
  return new Date(iso).toLocaleString();
}

function SessionRow({ session, onEnd }: { session: SessionView; onEnd: (s: SessionView) => Promise<void> }) {
  const label = session.deviceName ?? "a browser without a device yet (restoring)";
  return (
    <li className="device" data-testid="session" data-session-id={session.id} data-device-id={session.deviceId ?? ""}>
      <div className="row">
        <strong data-testid="session-device">{label}</strong>
        {session.current && (
          <span className="badge" data-testid="this-session">
            this browser
          </span>
        )}
        <span className="spacer" />
        <button
          type="button"
          className="link"
          onClick={() => void onEnd(session)}
          aria-label={session.current ? "End this session (log out here)" : `End the session on ${label}`}
          data-testid="session-end"
        >
          End
        </button>
      </div>
      <p className="muted small">
        Logged in {when(session.createdAt)} · last used {when(session.lastUsedAt)} · ends by {when(session.expiresAt)}
      </p>
    </li>
  );
}

export function SessionsPanel() {
  const { logout } = useChat();
  const [sessions, setSessions] = useState<SessionView[] | null>(null);
  const [keepThis, setKeepThis] = useState(true);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      setSessions((await api.sessions()).sessions);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  async function end(session: SessionView) {
    setError(null);
    setNotice(null);
    try {
      await api.endSession(session.id);
      if (session.current) {
        await logout();
        return;
      }
      setNotice(`Ended the session on ${session.deviceName ?? "that browser"}.`);
      await refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  async function logoutEverywhere() {
    setError(null);
    setNotice(null);
    try {
      const { ended } = await api.logoutEverywhere(keepThis);
      if (!keepThis) {
        await logout();
        return;
      }
      setNotice(ended === 1 ? "Ended 1 other session." : `Ended ${ended} other sessions.`);
      await refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <section className="stack" aria-labelledby="sessions-heading">
      <h3 id="sessions-heading">Where you are logged in</h3>
      <p className="muted small">
        Each log-in belongs to one device: revoking a device ends its log-ins at once. A log-in also ends after a
        while without use, and after a fixed time whatever happens.
      </p>
      {sessions === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <ul className="devices" data-testid="session-list">
          {sessions.map((s) => (
            <SessionRow key={s.id} session={s} onEnd={end} />
          ))}
        </ul>
      )}
      <div className="row">
        <button type="button" className="danger" onClick={() => void logoutEverywhere()} data-testid="logout-everywhere">
          Log out everywhere
        </button>
        <label className="small">
          <input
            type="checkbox"
            checked={keepThis}
            onChange={(e) => setKeepThis(e.target.checked)}
            data-testid="logout-everywhere-keep"
          />{" "}
          except this browser
        </label>
      </div>
      {notice && (
        <p className="muted small" role="status" data-testid="sessions-notice">
          {notice}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="sessions-error">
          {error}
        </p>
      )}
    </section>
  );
}
