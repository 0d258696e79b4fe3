/**
 * Ed25519 verification on worker threads, for `cairn verify`: the main thread parses,
 * hashes and checks proofs while the workers check envelope signatures (the dominant
 * cost). Each worker caches key objects; jobs travel as copies (a signing record is ~1 KB).
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { SignatureJob } from "../bundle/verify-deps";

// Plain CommonJS so the worker needs no TypeScript loader.
const WORKER = `
const { parentPort } = require("node:worker_threads");
const { createPublicKey, verify } = require("node:crypto");
const PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const keys = new Map();
parentPort.on("message", ({ id, jobs }) => {
  const out = new Uint8Array(jobs.length);
  for (let i = 0; i < jobs.length; i++) {
    const j = jobs[i];
    try {
      const k = Buffer.from(j.publicKey).toString("base64");
      let key = keys.get(k);
      if (!key) {
        key = createPublicKey({ key: Buffer.concat([PREFIX, j.publicKey]), format: "der", type: "spki" });
        if (keys.size > 10000) keys.clear();
        keys.set(k, key);
      }
      out[i] = verify(null, j.message, key, j.signature) ? 1 : 0;
    } catch {
      out[i] = 0;
    }
  }
  parentPort.postMessage({ id, out }, [out.buffer]);
});
`;

export interface SignaturePool {
  verifyBatch(jobs: readonly SignatureJob[]): Promise<boolean[]>;
  close(): Promise<void>;
}

/** @param size worker count (default: cores − 1, at least 1) */
export function createSignaturePool(size = Math.max(1, availableParallelism() - 1)): SignaturePool {
  const workers = Array.from({ length: size }, () => new Worker(WORKER, { eval: true }));
  const waiting = new Map<number, { resolve: (out: Uint8Array) => void; reject: (err: unknown) => void }>();
  let nextId = 0;
  let turn = 0;
  for (const w of workers) {
    w.on("message", ({ id, out }: { id: number; out: Uint8Array }) => {
      waiting.get(id)?.resolve(out);
      waiting.delete(id);
    });
    w.on("error", (err) => {
      for (const p of waiting.values()) p.reject(err);
      waiting.clear();
    });
  }
  const run = (jobs: readonly SignatureJob[]) =>
    new Promise<Uint8Array>((resolve, reject) => {
      const id = nextId++;
      const worker = workers[turn++ % workers.length] as Worker;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, jobs });
    });
  return {
    async verifyBatch(jobs) {
      // One slice per worker, so a batch uses them all.
      const per = Math.ceil(jobs.length / workers.length);
      const parts = await Promise.all(Array.from({ length: workers.length }, (_, i) => jobs.slice(i * per, (i + 1) * per)).filter((p) => p.length > 0).map(run));
      return parts.flatMap((p) => Array.from(p, (v) => v === 1));
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
