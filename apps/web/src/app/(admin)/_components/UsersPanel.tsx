"use client";
/** People and their roles; an admin grants or revokes the compliance role (the server logs each change). */
import { useCallback, useEffect, useState } from "react";
import { auditApi, type UserRole } from "./audit-api";

export function UsersPanel() {
  const [users, setUsers] = useState<UserRole[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const refresh = useCallback(async () => setUsers(await auditApi.users()), []);
  useEffect(() => {
    refresh().catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, [refresh]);

  async function change(u: UserRole, role: "compliance" | "member") {
    setBusy(u.id);
    setError(null);
    try {
      await auditApi.setRole(u.id, role);
      await refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="card stack" data-testid="users-panel">
      <h2>People and roles</h2>
      <p className="small muted">Compliance officers verify exports; only admins export. The first account is the admin.</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {users === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <table style={{ width: "100%", borderCollapse: "collapse" }}>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} data-testid="user-row" data-username={u.username} style={{ borderTop: "1px solid var(--line)" }}>
                <td>{u.username}</td>
                <td>
                  <span className="badge" data-testid="user-role">
                    {u.role}
                  </span>
                </td>
                <td style={{ textAlign: "right" }}>
                  {u.role === "member" && (
                    <button type="button" disabled={busy === u.id} onClick={() => void change(u, "compliance")} data-testid="grant-compliance">
                      Make compliance officer
                    </button>
                  )}
                  {u.role === "compliance" && (
                    <button type="button" disabled={busy === u.id} onClick={() => void change(u, "member")} data-testid="revoke-compliance">
                      Revoke compliance role
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
