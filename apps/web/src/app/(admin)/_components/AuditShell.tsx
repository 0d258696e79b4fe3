"use client";
/**
 * The frame of the admin and compliance pages: who is logged in and what their role
 * allows (GET /api/compliance/access), a top bar with the pages, and a clear refusal
 * when the role does not allow the page (the API answers 403 regardless).
 */
import Link from "next/link";
import { useRouter } from "next/navigation";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { auditApi, AuditApiError, type Access } from "./audit-api";

const AccessContext = createContext<Access | null>(null);

/** The logged-in user's access; only inside {@link AuditShell}. */
export function useAccess(): Access {
  const access = useContext(AccessContext);
  if (!access) throw new Error("useAccess outside AuditShell");
  return access;
}

export type Need = "admin" | "verifier" | "member";

const REFUSAL: Record<Exclude<Need, "member">, string> = {
  admin: "Only admins can see this page. Ask an admin if you need an export.",
  verifier: "Only admins and compliance officers can see the compliance pages. An admin can give you the compliance role.",
};

export function AuditShell({ need, children }: { need: Need; children: ReactNode }) {
  const router = useRouter();
  const [access, setAccess] = useState<Access | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    auditApi.access().then(setAccess, (err: unknown) => {
      if (err instanceof AuditApiError && err.code === "UNAUTHENTICATED") router.replace("/login");
      else setError(err instanceof Error ? err.message : String(err));
    });
  }, [router]);

  if (error) return <p className="banner error">{error}</p>;
  if (!access) return <p className="muted center">Loading…</p>;
  const allowed = need === "member" || (need === "admin" ? access.canAdminister : access.canVerify);
  return (
    <AccessContext.Provider value={access}>
      <header className="topbar">
        <strong className="brand">Cairn</strong>
        <nav className="nav">
          <Link href="/rooms">Rooms</Link>
          {access.canAdminister && (
            <Link href="/admin" data-testid="nav-admin">
              Admin
            </Link>
          )}
          {access.canVerify && (
            <Link href="/compliance" data-testid="nav-compliance">
              Compliance
            </Link>
          )}
          <Link href="/disclose" data-testid="nav-disclose">
            Add plaintext
          </Link>
        </nav>
        <span className="spacer" />
        <span data-testid="audit-user">
          {access.username} <span className="badge">{access.role}</span>
        </span>
      </header>
      {allowed ? (
        children
      ) : (
        <main className="page">
          <p className="banner error" role="alert" data-testid="forbidden">
            {REFUSAL[need]}
          </p>
        </main>
      )}
    </AccessContext.Provider>
  );
}
