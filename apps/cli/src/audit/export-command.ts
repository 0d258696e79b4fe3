/**
 * `cairn export --room <id> --by <admin> [--from ISO] [--to ISO] --out <file> [--csv <file>]`:
 * streams the bundle to disk with a progress bar (backpressure respected, so memory
 * stays flat) and prints where the export's own audit record is.
 */
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import cliProgress from "cli-progress";
import { createPrismaClient } from "@cairn/db";
import type { Ledger } from "@cairn/ledger";
import { exportRoom, openLedger } from "@cairn/anchoring";

export interface ExportCommandOptions {
  room: string;
  by: string;
  from?: Date;
  to?: Date;
  out: string;
  csv?: string;
  ledger: "embedded" | "fabric";
  databaseUrl?: string;
  serverSecret?: string;
  networkFile?: string;
}

function sinkOf(stream: WriteStream) {
  return async (line: string) => {
    if (!stream.write(line)) await once(stream, "drain");
  };
}

async function finish(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, "finish");
}

export async function exportCommand(opts: ExportCommandOptions): Promise<number> {
  if (!opts.databaseUrl || !opts.serverSecret) {
    process.stderr.write(
      "cairn export needs the database and the server secret: start Cairn with `npm start` (it writes both to its data directory, .data/), " +
        "or set DATABASE_URL and CAIRN_SERVER_SECRET (the relay's)\n",
    );
    return 2;
  }
  const prisma = createPrismaClient(opts.databaseUrl, { max: 4 });
  let ledger: Ledger | undefined;
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ stream: process.stderr, format: "exporting [{bar}] {percentage}% | {value}/{total} messages | {eta_formatted}" }, cliProgress.Presets.shades_classic)
    : null;
  try {
    const admin = await prisma.user.findUnique({ where: { username: opts.by }, select: { id: true, role: true } });
    if (!admin || admin.role !== "admin") {
      process.stderr.write(`${opts.by} is not an admin: only admins export\n`);
      return 2;
    }
    ledger = openLedger({ kind: opts.ledger, as: "reader", prisma, networkFile: opts.networkFile });
    const out = createWriteStream(opts.out, { flags: "wx" });
    const csv = opts.csv ? createWriteStream(opts.csv, { flags: "wx" }) : undefined;
    const result = await exportRoom({
      prisma,
      ledger,
      serverSecret: opts.serverSecret,
      roomId: opts.room,
      from: opts.from,
      to: opts.to,
      exporterUserId: admin.id,
      out: sinkOf(out),
      csv: csv ? sinkOf(csv) : undefined,
      onStart: (total) => bar?.start(total, 0),
      onProgress: (done) => bar?.update(done),
    });
    bar?.stop();
    await finish(out);
    if (csv) await finish(csv);
    process.stdout.write(
      `exported ${result.messages} messages (room sequence ${result.firstSeq ?? "-"}–${result.lastSeq ?? "-"}) to ${opts.out}\n` +
        `  ${result.membershipEvents} membership event(s) from the room's signed chain\n` +
        `  ${result.anchored} messages with inclusion proofs against ${result.checkpoints} checkpoint(s)` +
        (result.unanchored > 0 ? `; ${result.unanchored} not anchored yet (proof: null; re-export once the anchor worker catches up)` : "") +
        `\n  bundle SHA-256 ${result.bundleSha256}; this export is audit leaf ${result.exportLeafIndex} (anchored with the next batch)\n`,
    );
    return 0;
  } catch (err) {
    bar?.stop();
    process.stderr.write(`export failed: ${(err as Error).message}\n`);
    return (err as { code?: string }).code === "ROOM_NOT_FOUND" ? 2 : 1;
  } finally {
    await ledger?.close().catch(() => undefined);
    await prisma.$disconnect();
  }
}
