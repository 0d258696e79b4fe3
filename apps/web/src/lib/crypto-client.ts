"use client";
/**
 * The main thread's handle on the crypto worker: each {@link CryptoApi} method becomes
 * a postMessage round trip. One worker per tab, created on first use.
 */
import type { CryptoApi, CryptoMethod, RpcRequest, RpcResponse } from "../worker/api";

/** An error the worker threw, with its stable code (EngineError / CryptoError codes). */
export class WorkerError extends Error {
  constructor(
    readonly code: string,
    message: string,
    override readonly name: string,
  ) {
    super(message);
  }
}

let worker: Worker | undefined;
let nextId = 1;
const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();

function getWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL("../worker/crypto.worker.ts", import.meta.url), { type: "module" });
  worker.onmessage = (event: MessageEvent<RpcResponse>) => {
    const msg = event.data;
    const entry = waiting.get(msg.id);
    if (!entry) return;
    waiting.delete(msg.id);
    if (msg.ok) entry.resolve(msg.result);
    else entry.reject(new WorkerError(msg.error.code, msg.error.message, msg.error.name));
  };
  worker.onerror = (event) => {
    for (const entry of waiting.values()) entry.reject(new WorkerError("INTERNAL", event.message, "Error"));
    waiting.clear();
  };
  return worker;
}

function call(method: CryptoMethod, args: unknown[]): Promise<unknown> {
  const w = getWorker();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    const req: RpcRequest = { id, method, args };
    w.postMessage(req);
  });
}

/** The crypto worker, typed as its API. */
export const cryptoWorker: CryptoApi = new Proxy({} as CryptoApi, {
  get(_target, method: string) {
    return (...args: unknown[]) => call(method as CryptoMethod, args);
  },
});
