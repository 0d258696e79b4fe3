/**
 * The parent's side of the benchmark's client process (relay-clients.ts): starts it,
 * asks it one thing at a time and waits for the answer; a failure in the child fails
 * the benchmark with the child's message.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Load, PhaseResult } from "./relay-phases";
import type { BenchUser } from "./relay-world";

/** A BenchUser as it crosses the process boundary (the private key as PKCS#8 DER, base64). */
export type WireBenchUser = Omit<BenchUser, "key"> & { key: string };

export type ToClients =
  | { type: "init"; users: WireBenchUser[]; relayUrl: string; bareUrl: string }
  | { type: "phase"; who: "relay" | "bare"; load: Load; seconds: number }
  | { type: "close" };

export type FromClients = { type: "ready" } | { type: "result"; result: PhaseResult } | { type: "failed"; message: string };

export function userToWire(u: BenchUser): WireBenchUser {
  return { ...u, key: u.key.export({ format: "der", type: "pkcs8" }).toString("base64") };
}

export interface ClientsProcess {
  ask<T extends FromClients["type"]>(m: ToClients, expect: T): Promise<Extract<FromClients, { type: T }>>;
  close(): Promise<void>;
}

export function startClients(): ClientsProcess {
  const child = fork(fileURLToPath(new URL("./relay-clients.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return {
    ask(m, expect) {
      return new Promise((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`benchmark clients exited (${code}) before answering ${m.type}`));
        child.once("exit", onExit);
        child.once("message", (answer: FromClients) => {
          child.off("exit", onExit);
          if (answer.type === expect) resolve(answer as Extract<FromClients, { type: typeof expect }>);
          else reject(new Error(answer.type === "failed" ? `benchmark clients: ${answer.message}` : `benchmark clients answered ${answer.type}, not ${expect}`));
        });
        child.send(m);
      });
    },
    async close() {
      child.send({ type: "close" } satisfies ToClients);
      await exited;
    },
  };
}
