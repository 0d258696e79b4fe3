/**
 * `cairn-verify <bundle> --checkpoints <file> [--json] [--threads n]`: exit 0 when the
 * bundle holds against the checkpoint file, 1 with findings, 2 when an input is
 * unusable (not a bundle, not a checkpoint file, a file that does not answer what the
 * bundle needs, an unreadable file or a bad flag).
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import {
  BundleUnusableError,
  CheckpointFileGapError,
  CheckpointFileInvalidError,
  formatReport,
  witnessPolicy,
  type VerifyReport,
  type WitnessPolicy,
} from "@cairn/audit";
import type { CheckpointFile } from "@cairn/protocol";
import { readCheckpointFile, verifyOffline } from "./verify-offline";

export const HELP = `Usage: cairn-verify <bundle.jsonl> --checkpoints <checkpoint-file.json> [--witness <key>]... [--witnesses-required <k>] [--json] [--threads <n>]

Checks a Cairn audit bundle (cairn export) offline: every envelope signature, sender
key, leaf hash, inclusion proof, room-sequence continuity, the trailer and the export's
own audit record, against a checkpoint file instead of a live ledger. No database, no
network connection.

  --checkpoints <file>  the checkpoint file (format cairn-checkpoint-file v1), recorded
                        with \`cairn checkpoint --bundle <bundle> --out <file>\` from the
                        ledger; it must answer every checkpoint, sender key record and
                        export leaf the bundle refers to
  --witness <key>       a witness's verifier key (\`cairn witness\` prints it); repeat
                        for each witness you trust. Every checkpoint in the bundle must
                        then carry valid cosignatures from --witnesses-required of them
  --witnesses-required <k>  k of the witnesses given (default: all of them)
  --json                print the report as JSON
  --threads <n>         signature worker threads (0: none; default cores - 1)
  -h, --help            this text

Exit status: 0 pass; 1 findings (listed); 2 unusable input.

What you are trusting: the checkpoint file carries no signature of its own. A pass
means the bundle matches the chain AS THE CHECKPOINT FILE RECORDS IT, so the result is
worth what the file's source is worth: record it yourself, or get it from someone you
trust, from a ledger the operator cannot rewrite alone (on Fabric, a peer of another
organisation; the embedded ledger is in the operator's own database). With --witness,
each checkpoint must also be cosigned by k of the witnesses you name, each of which
cosigns a log only when it extends what it cosigned before: then you trust those
witnesses' keys (k of n), not the operator. Online
verification against a Fabric peer is not in this package: use \`cairn verify --ledger
fabric\` from a Cairn checkout.
`;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

function trustNote(file: CheckpointFile, path: string, witnesses: VerifyReport["witnesses"]): string {
  return (
    `Checked offline against ${path} (${file.ledger} ledger, recorded ${file.recordedAt}; source: ${file.source}).\n` +
    (witnesses.required > 0
      ? `Trust rests on the ${witnesses.of} witness key(s) you gave (${witnesses.required} required per checkpoint) and on that file's source for keys and leaves.`
      : "Trust rests on that file's source: no witness cosignatures were required (--witness).")
  );
}

/** Runs the command. @returns the exit status */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let values: { checkpoints?: string; json?: boolean; threads?: string; help?: boolean; witness?: string[]; "witnesses-required"?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        checkpoints: { type: "string" },
        json: { type: "boolean", default: false },
        threads: { type: "string" },
        witness: { type: "string", multiple: true },
        "witnesses-required": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const [bundle, ...extra] = positionals;
  if (!bundle || extra.length > 0 || !values.checkpoints) {
    io.err(`give one bundle and --checkpoints <file>\n\n${HELP}`);
    return 2;
  }
  const threads =
    values.threads === undefined ? Math.max(1, availableParallelism() - 1) : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 0 || threads > 64) {
    io.err("--threads takes 0–64\n");
    return 2;
  }
  let policy: WitnessPolicy | undefined;
  const keys = values.witness ?? [];
  const k = values["witnesses-required"];
  if (keys.length > 0 || k !== undefined) {
    try {
      policy = witnessPolicy(keys, k === undefined ? undefined : Number(k));
    } catch (err) {
      io.err(`unusable witness policy: ${(err as Error).message}\n`);
      return 2;
    }
  }
  let checkpoints: CheckpointFile;
  try {
    checkpoints = await readCheckpointFile(values.checkpoints);
  } catch (err) {
    io.err(`unusable checkpoint file ${values.checkpoints}: ${(err as Error).message}\n`);
    return 2;
  }
  try {
    const report = await verifyOffline(bundle, checkpoints, { threads, ...(policy ? { witnessPolicy: policy } : {}) });
    if (report.header.ledger !== checkpoints.ledger) {
      io.err(
        `warning: the bundle was exported on the ${report.header.ledger} ledger, the checkpoint file records the ${checkpoints.ledger} ledger\n`,
      );
    }
    if (values.json) {
      const source = {
        path: values.checkpoints,
        ledger: checkpoints.ledger,
        recordedAt: checkpoints.recordedAt,
        source: checkpoints.source,
        witnesses: report.witnesses,
      };
      io.out(`${JSON.stringify({ ...report, checkpointFile: source }, null, 2)}\n`);
    } else {
      io.out(`${formatReport(report, bundle)}\n\n${trustNote(checkpoints, values.checkpoints, report.witnesses)}\n`);
    }
    return report.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof BundleUnusableError) io.err(`unusable input: ${err.message}\n`);
    else if (err instanceof CheckpointFileGapError || err instanceof CheckpointFileInvalidError)
      io.err(`unusable checkpoint file: ${err.message}\n`);
    else io.err(`cannot verify ${bundle}: ${(err as Error).message}\n`);
    return 2;
  }
}
