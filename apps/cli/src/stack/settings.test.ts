import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cliEnv } from "../env";
import { readStackSettings, resolveSettings } from "./settings";

const SECRET = "ab".repeat(32);

function dataDir(stack?: object | string, secret?: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cairn-settings-"));
  if (stack !== undefined)
    writeFileSync(
      path.join(dir, "stack.json"),
      typeof stack === "string" ? stack : JSON.stringify(stack),
    );
  if (secret !== undefined) writeFileSync(path.join(dir, "server-secret"), `${secret}\n`);
  return dir;
}

describe("readStackSettings", () => {
  it("reads what cairn start leaves: database URL, ledger, Fabric network file, server secret", () => {
    const dir = dataDir(
      {
        webUrl: "http://localhost:3000",
        databaseUrl: "postgresql://u:p@127.0.0.1:54329/cairn",
        ledger: "fabric",
        fabricNetwork: "/f/network.json",
        pid: 1,
      },
      SECRET,
    );
    expect(readStackSettings(dir)).toEqual({
      databaseUrl: "postgresql://u:p@127.0.0.1:54329/cairn",
      ledger: "fabric",
      networkFile: "/f/network.json",
      serverSecret: SECRET,
    });
  });

  it("is empty for a data directory the stack never used, and refuses damaged files", () => {
    expect(readStackSettings(dataDir())).toEqual({});
    expect(() => readStackSettings(dataDir("{"))).toThrow(/not JSON/);
    expect(() => readStackSettings(dataDir({ ledger: "paper" }))).toThrow(/malformed/);
    expect(() => readStackSettings(dataDir(undefined, "short"))).toThrow(/64-hex-digit/);
  });
});

describe("resolveSettings", () => {
  const stack = () => ({
    databaseUrl: "postgresql://stack/cairn",
    serverSecret: SECRET,
    ledger: "fabric" as const,
    networkFile: "/stack/network.json",
  });
  const fallback = () => "/default/network.json";

  it("with no environment, takes the stack's settings", () => {
    expect(resolveSettings({}, cliEnv({}), stack, fallback)).toEqual({
      databaseUrl: "postgresql://stack/cairn",
      serverSecret: SECRET,
      ledger: "fabric",
      networkFile: "/stack/network.json",
    });
  });

  it("the environment overrides the stack, and flags override both", () => {
    const env = cliEnv({
      DATABASE_URL: "postgresql://env/cairn",
      CAIRN_SERVER_SECRET: "cd".repeat(32),
      CAIRN_LEDGER: "embedded",
      CAIRN_FABRIC_NETWORK: "/env/network.json",
    });
    let read = 0;
    const counted = () => (read++, stack());
    expect(resolveSettings({}, env, counted, fallback)).toEqual({
      databaseUrl: "postgresql://env/cairn",
      serverSecret: "cd".repeat(32),
      ledger: "embedded",
      networkFile: "/env/network.json",
    });
    expect(read).toBe(0); // nothing missing: the stack's files are not even read
    expect(
      resolveSettings({ ledger: "fabric", network: "/flag/network.json" }, env, stack, fallback),
    ).toMatchObject({ ledger: "fabric", networkFile: "/flag/network.json" });
  });

  it("without a stack or environment: embedded ledger, the default network file, no database", () => {
    expect(resolveSettings({}, cliEnv({}), () => ({}), fallback)).toEqual({
      databaseUrl: undefined,
      serverSecret: undefined,
      ledger: "embedded",
      networkFile: "/default/network.json",
    });
  });
});
