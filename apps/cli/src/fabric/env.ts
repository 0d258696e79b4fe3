/**
 * The one place the Fabric network commands read the environment.
 * CAIRN_FABRIC_DIR        data directory (default <repo>/.data/fabric)
 * CAIRN_FABRIC_PORT_OFFSET added to every default port (default 0), so a second
 *                          network (the test suite's) can run beside a developer's.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root: this file is apps/cli/src/fabric/env.ts. */
export const REPO_ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../../..");

export interface FabricEnv {
  dataDir: string;
  portOffset: number;
}

/**
 * Parses the Fabric-related environment variables.
 * @throws {RangeError} when CAIRN_FABRIC_PORT_OFFSET is not an integer in 0..20000.
 */
export function readFabricEnv(env: NodeJS.ProcessEnv = process.env): FabricEnv {
  const rawDir = env.CAIRN_FABRIC_DIR;
  const dataDir = rawDir && rawDir.length > 0 ? resolve(rawDir) : resolve(REPO_ROOT, ".data/fabric");
  const rawOffset = env.CAIRN_FABRIC_PORT_OFFSET ?? "0";
  const portOffset = Number(rawOffset);
  if (!Number.isInteger(portOffset) || portOffset < 0 || portOffset > 20000) {
    throw new RangeError(`CAIRN_FABRIC_PORT_OFFSET must be an integer in 0..20000, got ${rawOffset}`);
  }
  return { dataDir, portOffset };
}
