/**
 * Starts a Fabric network for the suite with `pnpm fabric:up` in its own data directory
 * and ports (offset 100 unless CAIRN_FABRIC_PORT_OFFSET says otherwise, so a developer's
 * network on the default ports keeps running), and stops it with `pnpm fabric:down`
 * afterwards (CAIRN_FABRIC_KEEP=1 keeps it).
 */
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");
const dataDir = process.env.CAIRN_FABRIC_TEST_DIR ?? join(repo, ".data/fabric-test");
const portOffset = process.env.CAIRN_FABRIC_PORT_OFFSET ?? "100";
const env = { ...process.env, CAIRN_FABRIC_DIR: dataDir, CAIRN_FABRIC_PORT_OFFSET: portOffset };

function pnpm(command: string): void {
  execFileSync("pnpm", [command], { cwd: repo, env, stdio: "inherit" });
}

export default function setup(): () => void {
  pnpm("fabric:down"); // a previous run killed midway leaves processes behind
  pnpm("fabric:up");
  process.env.CAIRN_FABRIC_NETWORK_JSON = join(dataDir, "network.json");
  return () => {
    if (process.env.CAIRN_FABRIC_KEEP !== "1") pnpm("fabric:down");
  };
}
