import { chmodSync, mkdirSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { postgresDataDir, reachableByOthers } from "./paths";

describe("where embedded PostgreSQL keeps its data", () => {
  const base = mkdtempSync(path.join(os.tmpdir(), "cairn-paths-"));
  chmodSync(base, 0o755);

  it("stays under the data directory when the postgres user can reach it", () => {
    const open = path.join(base, "open", "data");
    mkdirSync(open, { recursive: true });
    expect(reachableByOthers(open)).toBe(true);
    expect(postgresDataDir(open)).toBe(path.join(open, "postgres"));
  });

  it("moves to the temp directory (as root) when a parent is closed to other users", () => {
    const closed = path.join(base, "closed");
    mkdirSync(path.join(closed, "data"), { recursive: true });
    chmodSync(closed, 0o700);
    const dataDir = path.join(closed, "data");
    expect(reachableByOthers(dataDir)).toBe(false);
    const chosen = postgresDataDir(dataDir);
    if (process.getuid?.() === 0) {
      expect(chosen.startsWith(os.tmpdir())).toBe(true);
      expect(postgresDataDir(dataDir)).toBe(chosen); // stable across runs
    } else {
      expect(chosen).toBe(path.join(dataDir, "postgres"));
    }
  });
});
