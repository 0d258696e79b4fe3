import type { ReactNode } from "react";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="auth">
      <h1 className="brand">Cairn</h1>
      <p className="muted">End-to-end encrypted team chat</p>
      {children}
    </main>
  );
}
