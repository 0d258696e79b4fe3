import { DevicesScreen } from "../_components/DevicesScreen";

export default function DevicesPage() {
  return <DevicesScreen />;
}
