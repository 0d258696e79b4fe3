/**
 * Following the chain's checkpoints as they are committed: the Audit contract emits
 * each new checkpoint as a chaincode event (CHECKPOINT_EVENT), and fabric-gateway's
 * file checkpointer remembers the last event handled, so a restarted follower
 * resumes exactly after it — no event lost, none handled twice.
 */
import { checkpointers, type Network } from "@hyperledger/fabric-gateway";
import { CHECKPOINT_EVENT } from "@cairn/chaincode";
import { LedgerCheckpoint } from "@cairn/protocol";
import { LedgerError } from "../errors";

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

/** Parses an event payload from the chain with the shared checkpoint schema (never trusted blindly). */
export function parseCheckpointEvent(payload: Uint8Array): LedgerCheckpoint {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch (cause) {
    throw new LedgerError("BAD_RESPONSE", "checkpoint event is not JSON", { cause });
  }
  const parsed = LedgerCheckpoint.safeParse(value);
  if (!parsed.success) throw new LedgerError("BAD_RESPONSE", "checkpoint event has the wrong shape");
  return parsed.data;
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
