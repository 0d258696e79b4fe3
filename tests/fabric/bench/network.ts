/**
 * The benchmark's Fabric network: reuse one that is already up in the chosen data
 * directory, else start one with `pnpm fabric:up` and stop it afterwards.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export interface BenchNetwork {
  networkJson: string;
  dataDir: string;
  portOffset: string;
  startedHere: boolean;
  startMs: number;
  stop(): void;
}

/** Runs `fabric <command>` (what `pnpm fabric:<command>` runs) and returns its exit status. */
function fabric(repo: string, env: NodeJS.ProcessEnv, command: string, quiet = false): number {
  const r = spawnSync(process.execPath, ["--import", "tsx", "apps/cli/src/fabric/main.ts", command], {
    cwd: repo,
    env,
    stdio: quiet ? "ignore" : "inherit",
  });
  return r.status ?? 1;
}

/** @throws {Error} when `pnpm fabric:up` fails */
export function ensureNetwork(repo: string): BenchNetwork {
  const dataDir = process.env.CAIRN_FABRIC_DIR ?? join(repo, ".data/fabric-bench");
  const portOffset = process.env.CAIRN_FABRIC_PORT_OFFSET ?? "200";
  const env = { ...process.env, CAIRN_FABRIC_DIR: dataDir, CAIRN_FABRIC_PORT_OFFSET: portOffset };
  const t0 = Date.now();
  const networkJson = join(dataDir, "network.json");
  const running = fabric(repo, env, "status", true) === 0 && existsSync(networkJson);
  if (!running && fabric(repo, env, "up") !== 0) throw new Error("fabric up failed");
  return {
    networkJson,
    dataDir,
    portOffset,
    startedHere: !running,
    startMs: Date.now() - t0,
    stop: () => {
      if (!running) fabric(repo, env, "down");
    },
  };
}
