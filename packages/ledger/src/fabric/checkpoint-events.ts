/**
 * Following the chain's checkpoints as they are committed: the Audit contract emits
 * each new checkpoint as a chaincode event (CHECKPOINT_EVENT), and fabric-gateway's
 * file checkpointer remembers the last event handled, so a restarted follower
 * resumes exactly after it — no event lost, none handled twice.
 */
import { checkpointers, type Network } from "@hyperledger/fabric-gateway";
import { CHECKPOINT_EVENT } from "@cairn/chaincode";
import type { LedgerCheckpoint } from "../ledger";
import { FabricLedgerError } from "./errors";

export interface WatchCheckpointsOptions {
  /** File holding the follower's position (created on first use). */
  checkpointFile: string;
  /** Block to start from when the file holds no position yet (default 0: the whole history). */
  startBlock?: bigint;
  /** Called once per committed checkpoint, in chain order; the position advances after it resolves. */
  onCheckpoint(checkpoint: LedgerCheckpoint, at: { blockNumber: bigint; txId: string }): Promise<void> | void;
  /** Stops following (the promise then resolves). */
  signal?: AbortSignal;
}

/** Parses an event payload from the chain (length- and type-checked, never trusted blindly). */
export function parseCheckpointEvent(payload: Uint8Array): LedgerCheckpoint {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch (cause) {
    throw new FabricLedgerError("FABRIC_BAD_RESPONSE", "checkpoint event is not JSON", null, { cause });
  }
  const c = value as Partial<Record<keyof LedgerCheckpoint, unknown>> | null;
  if (
    !c ||
    typeof c.treeSize !== "number" ||
    !Number.isSafeInteger(c.treeSize) ||
    c.treeSize < 1 ||
    typeof c.rootHash !== "string" ||
    !/^[0-9a-f]{64}$/.test(c.rootHash) ||
    typeof c.txId !== "string" ||
    c.txId.length === 0 ||
    c.txId.length > 128 ||
    typeof c.time !== "string" ||
    Number.isNaN(Date.parse(c.time))
  ) {
    throw new FabricLedgerError("FABRIC_BAD_RESPONSE", "checkpoint event has the wrong shape", null);
  }
  return { treeSize: c.treeSize, rootHash: c.rootHash, txId: c.txId, time: c.time };
}

export async function watchCheckpoints(network: Network, chaincode: string, opts: WatchCheckpointsOptions): Promise<void> {
  const checkpointer = await checkpointers.file(opts.checkpointFile);
  const events = await network.getChaincodeEvents(chaincode, {
    checkpoint: checkpointer,
    startBlock: opts.startBlock ?? 0n,
  });
  const stop = () => events.close();
  if (opts.signal?.aborted) stop();
  opts.signal?.addEventListener("abort", stop, { once: true });
  try {
    for await (const event of events) {
      if (event.eventName === CHECKPOINT_EVENT) {
        await opts.onCheckpoint(parseCheckpointEvent(event.payload), {
          blockNumber: event.blockNumber,
          txId: event.transactionId,
        });
      }
      await checkpointer.checkpointChaincodeEvent(event);
      if (opts.signal?.aborted) break;
    }
  } catch (err) {
    if (!opts.signal?.aborted) throw err; // closing the stream on abort ends it with an error
  } finally {
    opts.signal?.removeEventListener("abort", stop);
    events.close();
  }
}
