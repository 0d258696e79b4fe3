/**
 * On Fabric the relay also follows the chain's checkpoint events, resumable through a
 * file checkpointer: a checkpoint committed by any appender (this relay's worker, or
 * another relay after a failover) reaches this database and every client, and a
 * restarted relay resumes exactly after the last event it handled.
 */
import { publishServerEvent, recordCheckpoint, type PrismaClient } from "@cairn/db";
import type { FabricLedger } from "@cairn/ledger";
import { errorFields, type Logger } from "@cairn/log";

export interface CheckpointFollower {
  stop(): Promise<void>;
}

export function followCheckpoints(opts: {
  prisma: PrismaClient;
  ledger: Pick<FabricLedger, "watchCheckpoints">;
  positionFile: string;
  log: Logger;
}): CheckpointFollower {
  const stop = new AbortController();
  const running = (async () => {
    while (!stop.signal.aborted) {
      try {
        await opts.ledger.watchCheckpoints({
          checkpointFile: opts.positionFile,
          signal: stop.signal,
          onCheckpoint: async (cp) => {
            const known = await opts.prisma.checkpoint.findUnique({ where: { treeSize: BigInt(cp.treeSize) } });
            if (known) return; // this relay's worker recorded and announced it already
            await recordCheckpoint(opts.prisma, cp);
            await publishServerEvent(opts.prisma, { type: "checkpoint", treeSize: cp.treeSize });
            opts.log.info("checkpoint from the chain", { treeSize: cp.treeSize, txId: cp.txId });
          },
        });
      } catch (err) {
        opts.log.warn("checkpoint events interrupted; resuming", errorFields(err));
        await new Promise((r) => setTimeout(r, 2_000));
      }
    }
  })();
  return {
    stop: async () => {
      stop.abort();
      await running;
    },
  };
}
