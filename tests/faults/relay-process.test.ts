/**
 * The relay process's own handlers: a programming error (an unhandled rejection or
 * an uncaught exception) is logged and ends the process with exit code 1 after the
 * same orderly shutdown as SIGTERM; SIGTERM and SIGINT end it with 0.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDevice, connectClient, makeUser, startRelayProcess, until } from "./relay-harness";

const INJECT = path.join(path.dirname(fileURLToPath(import.meta.url)), "inject-fault.ts");
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe("relay process handlers", () => {
  it.each([
    ["rejection", "unhandled rejection", "injected rejection"],
    ["exception", "uncaught exception", "injected exception"],
  ])("logs an injected %s and exits 1 after shutting down", async (fault, msg, errMessage) => {
    const relay = await startRelayProcess(db.url, { CAIRN_TEST_FAULT: fault }, [INJECT]);
    try {
      const user = await makeUser(db.prisma, `user-${fault}`);
      const socket = await connectClient(relay.url, await addDevice(db.prisma, user));
      let reason: string | null = null;
      socket.once("disconnect", (r) => (reason = r));
      relay.child.kill("SIGUSR2");
      expect(await relay.exited).toBe(1);
      expect(relay.logs.find((l) => l.msg === msg)).toMatchObject({ level: "error", errMessage });
      expect(relay.logs.find((l) => l.msg === "relay stopped")).toMatchObject({ code: 1 });
      await until(() => reason !== null, "the client to be disconnected");
    } finally {
      if (relay.child.exitCode === null) relay.child.kill("SIGKILL");
    }
  });

  it.each(["SIGTERM", "SIGINT"] as const)("stops cleanly on %s with exit code 0", async (signal) => {
    const relay = await startRelayProcess(db.url);
    try {
      relay.child.kill(signal);
      expect(await relay.exited).toBe(0);
      expect(relay.logs.find((l) => l.msg === "relay stopped")).toMatchObject({ reason: signal, code: 0 });
      expect(relay.logs.filter((l) => l.level === "error")).toEqual([]);
    } finally {
      if (relay.child.exitCode === null) relay.child.kill("SIGKILL");
    }
  });
});
