import { AuditShell } from "../_components/AuditShell";
import { DashboardPanel } from "../_components/DashboardPanel";
import { ExportPanel } from "../_components/ExportPanel";
import { UsersPanel } from "../_components/UsersPanel";

export default function AdminPage() {
  return (
    <AuditShell need="admin">
      <main className="page" style={{ maxWidth: "60rem" }}>
        <h1>Admin</h1>
        <DashboardPanel />
        <ExportPanel />
        <UsersPanel />
      </main>
    </AuditShell>
  );
}
