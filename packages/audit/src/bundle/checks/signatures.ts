/**
 * Envelope signature checks, one at a time on the host's verifyEd25519 or, with a
 * batch verifier (worker threads), a batch at a time while the verifier parses on: a
 * few batches in flight, each finished in line order (the rest of a message's checks
 * only read state that lines before it created).
 */
import type { SignatureJob, VerifyDeps } from "../verify-deps";

/** Signatures per batch when a batch verifier is given. */
const BATCH = 512;
/** Batches verified concurrently before parsing waits. */
const IN_FLIGHT = 4;

export class SignatureChecks {
  private readonly pending: { job: SignatureJob | null; then: (ok: boolean) => void }[] = [];
  private readonly inflight: Promise<void>[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly deps: VerifyDeps) {}

  /** Checks `job` (null: nothing to check, so not valid) and calls `then` with the result, now or after a batch. */
  check(job: SignatureJob | null, then: (ok: boolean) => void): void {
    if (!this.deps.verifyEd25519Batch) {
      then(job !== null && this.deps.verifyEd25519(job.publicKey, job.message, job.signature));
      return;
    }
    this.pending.push({ job, then });
  }

  /** Sends a full batch off, waiting only when too many are in flight. */
  async pace(): Promise<void> {
    if (this.pending.length >= BATCH) await this.flush(false);
  }

  /** Waits until every queued check has called back. */
  drain(): Promise<void> {
    return this.flush(true);
  }

  private async flush(wait: boolean): Promise<void> {
    const verifyBatch = this.deps.verifyEd25519Batch;
    if (this.pending.length > 0 && verifyBatch) {
      const batch = this.pending.splice(0, this.pending.length);
      const jobs = batch.flatMap((p) => (p.job ? [p.job] : []));
      const results = jobs.length > 0 ? verifyBatch(jobs) : Promise.resolve([]);
      this.chain = Promise.all([this.chain, results]).then(([, ok]) => {
        let k = 0;
        for (const p of batch) p.then(p.job ? ok[k++] === true : false);
      });
      this.inflight.push(this.chain);
    }
    while (this.inflight.length > (wait ? 0 : IN_FLIGHT)) await this.inflight.shift();
  }
}
