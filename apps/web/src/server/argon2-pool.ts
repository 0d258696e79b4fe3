/**
 * Argon2id off the event loop: a few worker threads hash auth secrets at sign-up and
 * verify them at log-in (crypto_pwhash_str / crypto_pwhash_str_verify, interactive
 * limits: ~0.1–0.3 s and 64 MiB each), so a burst of log-ins cannot stall page loads.
 * Jobs wait in a bounded queue; past the bound a new job is refused at once with
 * RATE_LIMITED instead of piling up.
 *
 * The worker is plain CommonJS evaluated from a string (no loader, nothing for the
 * bundler to trace) and loads libsodium-wrappers-sumo from the path resolved here. It
 * does what @cairn/crypto's hashAuthSecret / verifyAuthSecret do; argon2-pool.test.ts
 * checks the two agree both ways.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { CairnError } from "@cairn/protocol";

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const sodium = require(workerData.sodiumPath);
sodium.ready.then(() => {
  parentPort.on("message", (job) => {
    let result;
    try {
      if (job.op === "hash") {
        result = sodium.crypto_pwhash_str(job.secret, sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE, sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE);
      } else {
        result = typeof job.hash === "string" && job.hash.startsWith("$argon2id$") && job.hash.length <= 256
          && sodium.crypto_pwhash_str_verify(job.hash, job.secret);
      }
    } catch (err) {
      result = job.op === "hash" ? { error: String(err && err.message || err) } : false;
    } finally {
      job.secret.fill(0);
    }
    parentPort.postMessage({ id: job.id, result });
  });
});
`;

/** Bytes of an auth secret (what @cairn/crypto's ACCOUNT_SECRET_BYTES says). */
const SECRET_BYTES = 32;

export interface Argon2Pool {
  /** crypto_pwhash_str of a 32-byte auth secret. @throws CairnError RATE_LIMITED when the queue is full */
  hash(secret: Uint8Array): Promise<string>;
  /** Whether `secret` matches `hash`; a malformed hash is "no". @throws CairnError RATE_LIMITED when the queue is full */
  verify(hash: string, secret: Uint8Array): Promise<boolean>;
  /** Jobs waiting for a worker (not counting the running ones). */
  readonly queued: number;
  close(): Promise<void>;
}

export interface Argon2PoolOptions {
  /** Worker threads (default: cores − 1, between 1 and 4). */
  size?: number;
  /** Jobs that may wait for a worker; one more is refused. */
  maxQueue: number;
  /** How long a refused client is told to wait. */
  retryAfterMs?: number;
}

type Job = { id: number; op: "hash" | "verify"; secret: Uint8Array; hash?: string };
type Pending = { job: Job; resolve: (v: unknown) => void; reject: (e: unknown) => void };

/**
 * Where libsodium-wrappers-sumo's CommonJS build is, from this module or else the
 * working directory (`next start` runs in apps/web). Only an existing absolute path
 * counts: a bundler may turn a resolve() it recognises into a module id.
 */
function sodiumPath(): string {
  const from = [import.meta.url, path.join(process.cwd(), "index.js")];
  for (const base of from) {
    try {
      const found: unknown = createRequire(base).resolve("libsodium-wrappers-sumo");
      if (typeof found === "string" && path.isAbsolute(found) && existsSync(found)) return found;
    } catch {
      // try the next base
    }
  }
  throw new Error("libsodium-wrappers-sumo cannot be found for the Argon2id workers");
}

export function createArgon2Pool(opts: Argon2PoolOptions): Argon2Pool {
  const size = opts.size ?? Math.min(4, Math.max(1, availableParallelism() - 1));
  const retryAfterMs = opts.retryAfterMs ?? 1000;
  const modulePath = sodiumPath();
  const queue: Pending[] = [];
  const idle: Worker[] = [];
  const busy = new Map<Worker, Pending>();
  let nextId = 0;
  let closed = false;

  const spawn = (): void => {
    const worker = new Worker(WORKER, { eval: true, workerData: { sodiumPath: modulePath } });
    worker.unref(); // an idle pool never keeps the process alive
    worker.on("message", (msg: { id: number; result: unknown }) => {
      const p = busy.get(worker);
      busy.delete(worker);
      if (p && p.job.id === msg.id) {
        const r = msg.result;
        if (typeof r === "object" && r !== null && "error" in r) p.reject(new Error(`Argon2id failed: ${String(r.error)}`));
        else p.resolve(r);
      }
      idle.push(worker);
      dispatch();
    });
    const lost = (err: unknown) => {
      const p = busy.get(worker);
      busy.delete(worker);
      const i = idle.indexOf(worker);
      if (i >= 0) idle.splice(i, 1);
      p?.reject(err instanceof Error ? err : new Error("Argon2id worker stopped"));
      if (!closed) {
        spawn();
        dispatch();
      }
    };
    worker.once("error", lost);
    worker.once("exit", (code) => {
      if (busy.has(worker) || idle.includes(worker)) lost(new Error(`Argon2id worker exited (${code})`));
    });
    idle.push(worker);
  };

  function dispatch(): void {
    while (idle.length > 0 && queue.length > 0) {
      const worker = idle.shift() as Worker;
      const p = queue.shift() as Pending;
      busy.set(worker, p);
      worker.postMessage(p.job, [p.job.secret.buffer as ArrayBuffer]);
    }
  }

  function run<T>(op: Job["op"], secret: Uint8Array, hash?: string): Promise<T> {
    if (closed) return Promise.reject(new Error("Argon2id pool is closed"));
    if (!(secret instanceof Uint8Array) || secret.length !== SECRET_BYTES) {
      return Promise.reject(new RangeError(`auth secrets are ${SECRET_BYTES} bytes`));
    }
    if (queue.length >= opts.maxQueue && idle.length === 0) {
      return Promise.reject(
        new CairnError("RATE_LIMITED", "The server is busy checking other log-ins. Try again in a moment.", {
          retryAfterMs,
        }),
      );
    }
    if (idle.length + busy.size === 0) for (let i = 0; i < size; i++) spawn();
    // A copy of its own: the worker receives (and wipes) it, the caller keeps theirs.
    const job: Job = { id: nextId++, op, secret: new Uint8Array(secret), ...(hash !== undefined ? { hash } : {}) };
    return new Promise<T>((resolve, reject) => {
      queue.push({ job, resolve: resolve as (v: unknown) => void, reject });
      dispatch();
    });
  }

  return {
    hash: (secret) => run<string>("hash", secret),
    verify: (hash, secret) => run<boolean>("verify", secret, hash),
    get queued() {
      return queue.length;
    },
    async close() {
      closed = true;
      for (const p of queue.splice(0)) p.reject(new Error("Argon2id pool is closed"));
      const all = [...idle, ...busy.keys()];
      for (const p of busy.values()) p.reject(new Error("Argon2id pool is closed"));
      idle.length = 0;
      busy.clear();
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}
