"use client";
/**
 * People: role, status, devices and rooms. An admin grants or revokes the compliance
 * role and deactivates accounts (offboarding, issue 9); the server logs each change and
 * records each deactivation in the audit log.
 */
import { useCallback, useEffect, useState } from "react";
import { api } from "@/lib/api";
import type { AdminUser } from "@/lib/api-schemas";
import { auditApi } from "./audit-api";

/** What deactivation does and does not do, said plainly (the ledger keeps its key record). */
const DEACTIVATE_COPY =
  "Their sessions end at once, their devices are revoked in Cairn (the relay refuses them, no one shares keys with them any more), " +
  "and they leave every room: each room's next message uses a new key. Their devices stay listed as active on the ledger's key " +
  "record: revoking a device there needs their own identity key, so the ledger record stays until they revoke it or a ledger " +
  "admin recovers the account. They cannot log in again. This is recorded in the audit log.";

export function UsersPanel() {
  const [users, setUsers] = useState<AdminUser[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const refresh = useCallback(async () => setUsers((await api.adminUsers()).users), []);
  useEffect(() => {
    refresh().catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, [refresh]);

  async function run(u: AdminUser, action: () => Promise<unknown>) {
    setBusy(u.id);
    setError(null);
    setDone(null);
    try {
      await action();
      await refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  }

  async function deactivate(u: AdminUser) {
    await run(u, async () => {
      const { deactivation } = await api.deactivateUser(u.id);
      setConfirming(null);
      setDone(
        `${u.username} is deactivated: ${deactivation.sessionsEnded} session(s) ended, ${deactivation.devicesRevoked} device(s) revoked in Cairn, ` +
          `removed from ${deactivation.roomsLeft} room(s); audit leaf ${deactivation.leafIndex}. Their ledger key record is unchanged.`,
      );
    });
  }

  return (
    <section className="card stack" data-testid="users-panel">
      <h2>People</h2>
      <p className="small muted">
        Compliance officers verify exports; only admins export. The first account is the admin. Deactivating someone ends their
        access to Cairn; it cannot be undone from this page.
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <p className="banner" role="status" data-testid="deactivate-done">
          {done}
        </p>
      )}
      {users === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <table style={{ width: "100%", borderCollapse: "collapse" }}>
          <thead>
            <tr className="small muted" style={{ textAlign: "left" }}>
              <th>Name</th>
              <th>Role</th>
              <th>Status</th>
              <th>Devices</th>
              <th>Rooms</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.map((u) => {
              const active = u.status === "active";
              return (
                <tr
                  key={u.id}
                  data-testid="user-row"
                  data-username={u.username}
                  data-status={u.status}
                  style={{ borderTop: "1px solid var(--line)", verticalAlign: "top" }}
                >
                  <td>{u.username}</td>
                  <td>
                    <span className="badge" data-testid="user-role">
                      {u.role}
                    </span>
                  </td>
                  <td>
                    <span className={active ? "badge" : "badge danger"} data-testid="user-status">
                      {active ? "active" : `deactivated ${u.deactivatedAt ? new Date(u.deactivatedAt).toLocaleString() : ""}`}
                    </span>
                  </td>
                  <td data-testid="user-devices" className="small">
                    {u.devices.active} active of {u.devices.total}
                  </td>
                  <td data-testid="user-rooms" className="small">
                    {u.rooms.length === 0 ? <span className="muted">none</span> : u.rooms.map((r) => r.name).join(", ")}
                  </td>
                  <td style={{ textAlign: "right" }}>
                    {active && u.role === "member" && (
                      <button type="button" disabled={busy === u.id} onClick={() => void run(u, () => auditApi.setRole(u.id, "compliance"))} data-testid="grant-compliance">
                        Make compliance officer
                      </button>
                    )}
                    {active && u.role === "compliance" && (
                      <button type="button" disabled={busy === u.id} onClick={() => void run(u, () => auditApi.setRole(u.id, "member"))} data-testid="revoke-compliance">
                        Revoke compliance role
                      </button>
                    )}
                    {/* Admins (this one included) are not deactivated here, as their role is not changed here. */}
                    {active && u.role !== "admin" && confirming !== u.id && (
                      <button type="button" className="link" disabled={busy === u.id} onClick={() => setConfirming(u.id)} data-testid="deactivate-user">
                        Deactivate…
                      </button>
                    )}
                    {confirming === u.id && (
                      <div className="stack" data-testid="deactivate-confirm" style={{ textAlign: "left" }}>
                        <p className="small">Deactivate {u.username}? {DEACTIVATE_COPY}</p>
                        <div className="row">
                          <button type="button" className="danger" disabled={busy === u.id} onClick={() => void deactivate(u)} data-testid="deactivate-confirm-submit">
                            Deactivate {u.username}
                          </button>
                          <button type="button" className="link" onClick={() => setConfirming(null)}>
                            Cancel
                          </button>
                        </div>
                      </div>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
