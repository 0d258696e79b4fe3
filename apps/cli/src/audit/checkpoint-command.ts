/**
 * `cairn checkpoint --out <file> [--bundle <bundle>]`: records a checkpoint file
 * (@cairn/protocol CheckpointFile, docs/audit.md "Verifying offline") from the ledger,
 * read exactly as `cairn verify` reads it: the newest checkpoint and, with a bundle,
 * the chain's answer to every question verifying it asks. `cairn-verify` then checks
 * the bundle offline against the file.
 */
import { createReadStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { recordCheckpointFile } from "@cairn/audit";
import { openReadLedger, type ReadLedger, type ReadLedgerOptions } from "./read-ledger";

export interface CheckpointCommandOptions extends ReadLedgerOptions {
  out: string;
  bundle?: string;
}

/** The bundle's lines, read only once iterated (a readline opened earlier would drop the lines it read before). */
async function* linesOf(file: string): AsyncGenerator<string> {
  const lines = createInterface({
    input: createReadStream(file, { encoding: "utf8" }),
    crlfDelay: Infinity,
  });
  try {
    yield* lines;
  } finally {
    lines.close();
  }
}

export async function checkpointCommand(opts: CheckpointCommandOptions): Promise<number> {
  let read: ReadLedger | undefined;
  try {
    read = openReadLedger(opts);
    const file = await recordCheckpointFile({
      ledger: read.ledger,
      ledgerKind: opts.ledger,
      source: `cairn checkpoint${opts.bundle ? " --bundle" : ""}, reading ${read.source}`,
      bundle: opts.bundle ? linesOf(opts.bundle) : undefined,
    });
    await writeFile(opts.out, `${JSON.stringify(file, null, 2)}\n`, { flag: "wx" });
    const newest = file.checkpoints.filter((a) => a.checkpoint !== null).at(-1)?.checkpoint;
    process.stdout.write(
      `wrote ${opts.out}: ${file.checkpoints.length} checkpoint answer(s)` +
        (newest
          ? ` (newest: tree size ${newest.treeSize}, root ${newest.rootHash.slice(0, 16)}…)`
          : " (the ledger holds no checkpoint yet)") +
        `, ${file.keys.length} key record(s), ${file.leaves.length} leaf answer(s)\n` +
        (opts.bundle
          ? ""
          : "  without --bundle the file answers only the newest checkpoint: cairn-verify needs one recorded with --bundle <bundle>\n"),
    );
    return 0;
  } catch (err) {
    process.stderr.write(`cannot record a checkpoint file: ${(err as Error).message}\n`);
    return 2;
  } finally {
    await read?.close();
  }
}
