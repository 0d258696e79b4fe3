/**
 * After a run on the Fabric ledger: stop the native network `cairn start --ledger
 * fabric` brought up (it outlives the stack by design, as a real network would).
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export default function globalTeardown(): void {
  if (process.env.CAIRN_E2E_LEDGER !== "fabric" || process.env.CAIRN_FABRIC_KEEP === "1") return;
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
  execFileSync(process.execPath, ["--import", "tsx", "apps/cli/src/fabric/main.ts", "down"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      CAIRN_FABRIC_DIR: path.join(repoRoot, ".data/e2e-fabric"),
      CAIRN_FABRIC_PORT_OFFSET: process.env.CAIRN_FABRIC_PORT_OFFSET ?? "400",
    },
    stdio: "inherit",
  });
}
