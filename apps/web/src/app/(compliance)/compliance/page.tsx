import { AuditShell } from "../../(admin)/_components/AuditShell";
import { ComplianceScreen } from "../_components/ComplianceScreen";

export default function CompliancePage() {
  return (
    <AuditShell need="verifier">
      <ComplianceScreen />
    </AuditShell>
  );
}
