/**
 * `cairn verify <bundle> [--ledger embedded|fabric] [--json]`: exit 0 when everything
 * holds, 1 with findings, 2 when the input (or the ledger) cannot be used.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import cliProgress from "cli-progress";
import { BundleUnusableError, formatReport, verifyBundle, type VerifyReport, type WitnessPolicy } from "@cairn/audit";
import type { Ledger } from "@cairn/ledger";
import { createSignaturePool, nodeVerifyHost, type SignaturePool } from "@cairn/audit/node";
import { openReadLedger, type ReadLedger } from "./read-ledger";

export interface VerifyCommandOptions {
  ledger: "embedded" | "fabric";
  json: boolean;
  databaseUrl?: string;
  networkFile?: string;
  progress: boolean;
  /** Signature worker threads; 0 verifies on the main thread. */
  threads: number;
  /** k of n witnesses' cosignatures on every checkpoint. */
  witnessPolicy?: WitnessPolicy;
}

/** Verifies one bundle file against an open ledger. */
export async function verifyFile(
  file: string,
  ledger: Ledger,
  onProgress?: (bytes: number) => void,
  pool?: SignaturePool,
  policy?: WitnessPolicy,
): Promise<VerifyReport> {
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 });
  let bytes = 0;
  stream.on("data", (chunk) => {
    bytes += Buffer.byteLength(chunk);
  });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    return await verifyBundle(lines, {
      ...nodeVerifyHost(pool),
      ledger,
      ...(policy ? { witnessPolicy: policy } : {}),
      onProgress: () => onProgress?.(bytes),
    });
  } finally {
    lines.close();
    stream.destroy();
  }
}

export async function verifyCommand(file: string, opts: VerifyCommandOptions): Promise<number> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    process.stderr.write(`cannot read ${file}: ${(err as Error).message}\n`);
    return 2;
  }
  let pool: SignaturePool | undefined;
  let read: ReadLedger | undefined;
  const bar = opts.progress && !opts.json && process.stderr.isTTY
    ? new cliProgress.SingleBar({ stream: process.stderr, format: "verifying [{bar}] {percentage}% | {value}/{total} bytes | {eta_formatted}" }, cliProgress.Presets.shades_classic)
    : null;
  try {
    read = openReadLedger(opts);
    bar?.start(size, 0);
    pool = opts.threads > 0 ? createSignaturePool(opts.threads) : undefined;
    const report = await verifyFile(file, read.ledger, (b) => bar?.update(Math.min(b, size)), pool, opts.witnessPolicy);
    bar?.update(size);
    bar?.stop();
    process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report, file)}\n`);
    return report.ok ? 0 : 1;
  } catch (err) {
    bar?.stop();
    if (err instanceof BundleUnusableError) {
      process.stderr.write(`unusable input: ${err.message}\n`);
    } else {
      process.stderr.write(`cannot verify: ${(err as Error).message}\n`);
    }
    return 2;
  } finally {
    await pool?.close();
    await read?.close();
  }
}
