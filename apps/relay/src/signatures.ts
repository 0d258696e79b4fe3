/**
 * The relay's envelope signature check (docs/protocol.md). Inline, it verifies on the
 * event loop with the node:crypto key object parsed once per connection. With workers,
 * the checks that arrive in one turn of the event loop go to the worker pool of
 * `@cairn/audit/node` as one batch, so the event loop only parses, stores and fans out
 * (measured in BENCHMARKS.md "## relay").
 */
import { verify, type KeyObject } from "node:crypto";
import { createSignaturePool, type SignaturePool } from "@cairn/audit/node";
import type { SignatureJob } from "@cairn/audit";
import { envelopeSigningBytes, type Envelope } from "@cairn/protocol";

export { ed25519PublicKey } from "@cairn/audit/node";

/** A sender device's public key, raw (for workers) and parsed (for the event loop). */
export interface SigningKey {
  raw: Uint8Array;
  key: KeyObject;
}

export interface SignatureVerifier {
  /** True when `signer` signed this envelope. */
  valid(envelope: Envelope, signer: SigningKey): Promise<boolean>;
  close(): Promise<void>;
}

/** True when the sender device's key signed this envelope, checked on the calling thread. */
export function envelopeSignatureValid(envelope: Envelope, signingKey: KeyObject): boolean {
  return verify(null, envelopeSigningBytes(envelope), signingKey, envelope.signature);
}

/** Verifies on the event loop. */
export function inlineVerifier(): SignatureVerifier {
  return {
    valid: (envelope, signer) => Promise.resolve(envelopeSignatureValid(envelope, signer.key)),
    close: () => Promise.resolve(),
  };
}

/** Verifies on `workers` threads, a batch per turn of the event loop. */
export function pooledVerifier(workers: number, pool: SignaturePool = createSignaturePool(workers)): SignatureVerifier {
  let batch: { job: SignatureJob; resolve: (ok: boolean) => void; reject: (err: unknown) => void }[] = [];
  const flush = () => {
    const jobs = batch;
    batch = [];
    pool.verifyBatch(jobs.map((j) => j.job)).then(
      (out) => jobs.forEach((j, i) => j.resolve(out[i] === true)),
      (err: unknown) => jobs.forEach((j) => j.reject(err)),
    );
  };
  return {
    valid(envelope, signer) {
      return new Promise((resolve, reject) => {
        if (batch.length === 0) setImmediate(flush);
        batch.push({ job: { publicKey: signer.raw, message: envelopeSigningBytes(envelope), signature: envelope.signature }, resolve, reject });
      });
    },
    close: () => pool.close(),
  };
}
