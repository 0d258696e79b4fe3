/**
 * The relay's anchoring loop minus proof-node indexing, for comparison only: read the
 * pending leaves (leavesFrom), one AppendBatch, record the checkpoint (recordCheckpoint),
 * again at once while leaves are pending. It shows what batching on Fabric allows when
 * the worker's round is not also indexing proof nodes (see BENCHMARKS.md "## anchor").
 * Cairn's relay uses startLedgerWorker (@cairn/anchoring), never this.
 */
import { leavesFrom, recordCheckpoint, type PrismaClient } from "@cairn/db";
import type { Ledger, LedgerCheckpoint } from "@cairn/ledger";
import { hex } from "@cairn/protocol";

export interface LeanWorker {
  wake(): void;
  stop(): Promise<void>;
}

export function startLeanWorker(
  prisma: PrismaClient,
  ledger: Ledger,
  fromSize: number,
  maxBatch: number,
  onCheckpoint: (cp: LedgerCheckpoint) => void,
): LeanWorker {
  let stopped = false;
  let wakeUp: (() => void) | null = null;
  const idle = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, 250);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });
  const loop = async () => {
    let size = fromSize;
    while (!stopped) {
      const leaves = await leavesFrom(prisma, size, maxBatch);
      let count = 0;
      while (count < leaves.length && leaves[count]?.leafIndex === size + count) count++;
      if (count === 0) {
        await idle();
        continue;
      }
      const cp = await ledger.appendBatch({ startIndex: size, leafHashes: leaves.slice(0, count).map((l) => hex(l.leafHash)) });
      await recordCheckpoint(prisma, cp);
      size = cp.treeSize;
      onCheckpoint(cp);
    }
  };
  const running = loop();
  return {
    wake: () => wakeUp?.(),
    stop: async () => {
      stopped = true;
      wakeUp?.();
      await running;
    },
  };
}
