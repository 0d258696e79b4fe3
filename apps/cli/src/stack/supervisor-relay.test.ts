/**
 * The real relay under `cairn start`'s supervisor, on a real PostgreSQL: kill -9 comes
 * back as a restart that answers handshakes again; stopping ends it cleanly (exit 0,
 * the relay's own orderly shutdown) with no restart. The web app is not needed.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "@cairn/db/admin";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { relayChild, relayReady } from "./children";
import { supervise } from "./supervisor";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

describe("the relay under supervision", () => {
  it("is restarted after kill -9 and serves again; stop() ends it cleanly without a restart", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "cairn-supervised-relay-"));
    const logFile = path.join(dir, "relay.log");
    const port = await freePort();
    const lines: string[] = [];
    const relay = supervise({
      name: "relay",
      spawn: () =>
        relayChild({
          port,
          env: {
            ...process.env,
            DATABASE_URL: db.url,
            CAIRN_SERVER_SECRET: "ab".repeat(32),
            CAIRN_LEDGER: "embedded",
            CAIRN_LOG_LEVEL: "info",
          },
          logFile,
          echo: false,
        }),
      ready: relayReady(port),
      say: (l) => lines.push(l),
      logFile,
    });
    try {
      await relay.up;
      const first = relay.current();
      first.process.kill("SIGKILL");
      expect(await first.exited).toEqual({ code: null, signal: "SIGKILL" });
      const deadline = Date.now() + 90_000;
      while (!lines.some((l) => l.startsWith("relay is back")) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(lines).toEqual([
        expect.stringMatching(
          /^relay exited \(signal SIGKILL\) after \d+\.\d s up; restart 1 in 0\.5 s$/,
        ),
        `relay is back (restart 1, pid ${String(relay.current().process.pid)})`,
      ]);
      const answer = await fetch(`http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling`, {
        headers: { origin: "http://localhost:3000" },
      });
      expect(answer.status).toBe(200);

      const second = relay.current();
      await relay.stop();
      expect(await second.exited).toEqual({ code: 0, signal: null });
      expect(lines).toHaveLength(2);
      const log = readFileSync(logFile, "utf8");
      expect(log.match(/"relay listening"/g)).toHaveLength(2);
      expect(log).toContain('"relay stopped"');
    } finally {
      relay.hold();
      if (relay.current().process.exitCode === null && relay.current().process.signalCode === null)
        relay.current().process.kill("SIGKILL");
    }
  }, 180_000);
});
