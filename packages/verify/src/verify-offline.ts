/**
 * Offline verification: @cairn/audit's verifyBundle — the same verifier `cairn verify`
 * and the compliance page run — on Node's crypto, with a checkpoint file standing in
 * for the ledger (checkpointFileLedger). Nothing here judges a bundle itself.
 */
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import {
  checkpointFileLedger,
  parseCheckpointFile,
  verifyBundle,
  type VerifyReport,
  type WitnessPolicy,
} from "@cairn/audit";
import { createSignaturePool, nodeVerifyHost, type SignaturePool } from "@cairn/audit/node";
import type { CheckpointFile } from "@cairn/protocol";

export interface OfflineOptions {
  /** Signature worker threads; 0 verifies on the main thread. */
  threads: number;
  /** k of n witnesses' cosignatures required on every checkpoint. */
  witnessPolicy?: WitnessPolicy;
}

/**
 * Reads and checks a checkpoint file.
 * @throws CheckpointFileInvalidError when it is not a valid checkpoint file; the fs error when unreadable
 */
export async function readCheckpointFile(file: string): Promise<CheckpointFile> {
  return parseCheckpointFile(await readFile(file, "utf8"));
}

/**
 * Verifies the bundle at `bundlePath` against `checkpoints`.
 * @throws BundleUnusableError (not a bundle), CheckpointFileGapError (the file does not answer what the bundle needs)
 */
export async function verifyOffline(
  bundlePath: string,
  checkpoints: CheckpointFile,
  opts: OfflineOptions,
): Promise<VerifyReport> {
  const stream = createReadStream(bundlePath, { encoding: "utf8", highWaterMark: 1 << 20 });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let pool: SignaturePool | undefined;
  try {
    pool = opts.threads > 0 ? createSignaturePool(opts.threads) : undefined;
    return await verifyBundle(lines, {
      ...nodeVerifyHost(pool),
      ledger: checkpointFileLedger(checkpoints),
      ...(opts.witnessPolicy ? { witnessPolicy: opts.witnessPolicy } : {}),
    });
  } finally {
    lines.close();
    stream.destroy();
    await pool?.close();
  }
}
