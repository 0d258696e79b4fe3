import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadOrCreateSecret } from "./secret";

describe("loadOrCreateSecret", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cairn-secret-"));

  it("makes a 256-bit secret once, readable only by its owner, and returns the same one after", () => {
    const file = path.join(dir, "server-secret");
    const first = loadOrCreateSecret(file);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateSecret(file)).toBe(first);
    expect(readFileSync(file, "utf8").trim()).toBe(first);
    expect(loadOrCreateSecret(path.join(dir, "other"))).not.toBe(first);
  });

  it("refuses a damaged secret file instead of replacing it (users would lose their on-chain link)", () => {
    const file = path.join(dir, "damaged");
    writeFileSync(file, "not hex\n");
    expect(() => loadOrCreateSecret(file)).toThrow(/64-hex-digit/);
    expect(readFileSync(file, "utf8")).toBe("not hex\n");
  });
});
