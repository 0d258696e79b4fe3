/// <reference lib="webworker" />
/**
 * The crypto Web Worker: runs {@link CryptoEngine} off the main thread, so private
 * keys live only in this worker's memory. Calls run one at a time, in order, because
 * every session state is consumed by the call that advances it.
 */
import "../lib/zod-jitless";
import { CRYPTO_METHODS, type CryptoApi, type RpcRequest, type RpcResponse } from "./api";
import { CryptoEngine } from "./engine";
import { idbStore } from "./idb-store";

const engine = new CryptoEngine(idbStore());
const scope = self as unknown as DedicatedWorkerGlobalScope;
const METHODS = new Set<string>(CRYPTO_METHODS);
let queue: Promise<unknown> = Promise.resolve();

function errorOf(err: unknown): { name: string; code: string; message: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, code: typeof code === "string" ? code : "INTERNAL", message: err.message };
  }
  return { name: "Error", code: "INTERNAL", message: String(err) };
}

scope.onmessage = (event: MessageEvent<RpcRequest>) => {
  const { id, method, args } = event.data;
  queue = queue.then(async () => {
    let response: RpcResponse;
    try {
      // Only the public API: private helpers (which touch raw keys) are never callable.
      if (!METHODS.has(method)) throw new Error(`unknown method ${String(method)}`);
      const fn = (engine as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method];
      response = { id, ok: true, result: await fn?.apply(engine, args) };
    } catch (err) {
      response = { id, ok: false, error: errorOf(err) };
    }
    scope.postMessage(response);
  });
};

export type { CryptoApi };
