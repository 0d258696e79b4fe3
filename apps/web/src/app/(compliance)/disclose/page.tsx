import { AuditShell } from "../../(admin)/_components/AuditShell";
import { DiscloseScreen } from "../_components/DiscloseScreen";

export default function DisclosePage() {
  return (
    <AuditShell need="member">
      <DiscloseScreen />
    </AuditShell>
  );
}
