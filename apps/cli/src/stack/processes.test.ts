import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startChild, waitForHttp } from "./processes";

const logDir = mkdtempSync(path.join(os.tmpdir(), "cairn-proc-"));

describe("child processes of the stack", () => {
  it("writes a child's output to its log and stops it on request", async () => {
    const logFile = path.join(logDir, "child.log");
    const child = startChild({
      name: "sleeper",
      command: process.execPath,
      args: ["-e", "console.log('hello from child'); setInterval(() => {}, 1000)"],
      cwd: logDir,
      env: process.env,
      logFile,
      echo: false,
    });
    await new Promise((r) => child.process.stdout?.once("data", r));
    await child.stop();
    expect(child.process.signalCode).toBe("SIGTERM");
    expect(readFileSync(logFile, "utf8")).toContain("hello from child");
  });

  it("waits until a server answers, and gives up when its process exits first", async () => {
    const server = createServer((_q, s) => s.end("ok"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    await expect(waitForHttp(`http://127.0.0.1:${port}/`, 5_000)).resolves.toBeUndefined();
    server.close();
    const quitter = startChild({
      name: "quitter",
      command: process.execPath,
      args: ["-e", "process.exit(3)"],
      cwd: logDir,
      env: process.env,
      logFile: path.join(logDir, "quitter.log"),
      echo: false,
    });
    await expect(waitForHttp(`http://127.0.0.1:${port}/`, 20_000, quitter)).rejects.toThrow(/quitter exited/);
  });
});
