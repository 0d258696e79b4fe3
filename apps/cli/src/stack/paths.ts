import { accessSync, constants, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (apps/cli/src/stack -> ../../../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

/**
 * True when every parent of `dir` can be traversed by other users. PostgreSQL runs
 * as the `postgres` user when we are root, and must reach its data directory.
 */
export function reachableByOthers(dir: string): boolean {
  let current = path.resolve(dir);
  for (;;) {
    const parent = path.dirname(current);
    try {
      if ((statSync(parent).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (parent === current) return true;
    current = parent;
  }
}

/** Where embedded PostgreSQL keeps its data: under the data dir if reachable, else in the temp dir. */
export function postgresDataDir(dataDir: string): string {
  const preferred = path.join(dataDir, "postgres");
  if (process.getuid?.() !== 0 || reachableByOthers(dataDir)) return preferred;
  const key = Buffer.from(path.resolve(dataDir)).toString("base64url").slice(-40);
  return path.join(os.tmpdir(), `cairn-postgres-${key}`);
}

export function isWritable(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
