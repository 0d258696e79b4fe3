/**
 * Submitting a transaction with retries that follow the gateway's error types:
 * - EndorseError / SubmitError: nothing reached the ledger, or the orderer refused it:
 *   retry with a NEW proposal (new transaction id), unless the chaincode itself said no.
 * - CommitStatusError: the transaction may still commit; poll the SAME transaction's
 *   status again, never resubmit blindly.
 * - committed but invalid with MVCC_READ_CONFLICT / PHANTOM_READ_CONFLICT: a concurrent
 *   writer won; a new proposal reads the new state.
 * Every call carries a deadline. Cairn's transactions are idempotent (a replayed batch
 * or registration is a no-op), so a retry after an ambiguous failure is safe.
 */
import type { Contract, Status } from "@hyperledger/fabric-gateway";
import { CommitStatusError, EndorseError, GatewayError, StatusCode } from "@hyperledger/fabric-gateway";
import type { FabricRetryPolicy, FabricTimeouts } from "./config";
import { chaincodeErrorOf, LedgerError, toLedgerError } from "../errors";

export interface SubmitResult {
  result: Uint8Array;
  txId: string;
}

const RETRYABLE_STATUS = new Set<number>([StatusCode.MVCC_READ_CONFLICT, StatusCode.PHANTOM_READ_CONFLICT]);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const deadline = (ms: number) => ({ deadline: Date.now() + ms });

function backoff(policy: FabricRetryPolicy, attempt: number): number {
  const base = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), 2_000);
  return base / 2 + Math.random() * (base / 2);
}

/** Turns a refusal by the contract into a LedgerError with the contract's code; other errors pass through as null. */
export function rejection(err: unknown, name: string): LedgerError | null {
  const cc = chaincodeErrorOf(err);
  if (!cc) return null;
  return new LedgerError(cc.code, `${name}: ${cc.detail}`, { cause: err });
}

async function pollStatus(
  commit: { getStatus(o?: object): Promise<Status> },
  name: string,
  txId: string,
  timeouts: FabricTimeouts,
  policy: FabricRetryPolicy,
): Promise<Status> {
  for (let poll = 0; ; poll++) {
    try {
      return await commit.getStatus(deadline(timeouts.commitStatusMs));
    } catch (err) {
      if (!(err instanceof CommitStatusError) || poll >= policy.maxStatusPolls) {
        throw new LedgerError("COMMIT_UNKNOWN", `${name}: commit status of ${txId} unknown after ${poll + 1} polls`, {
          cause: err,
        });
      }
      await sleep(backoff(policy, poll + 1));
    }
  }
}

/**
 * Endorses, submits and waits for the commit of `name(args)`.
 * @throws {LedgerError} with the contract's code when it refuses, TX_INVALID when the
 *   transaction commits invalid for a non-retryable reason, COMMIT_UNKNOWN when its status
 *   cannot be learned, UNAVAILABLE after the last attempt.
 */
export async function submitWithRetry(
  contract: Contract,
  name: string,
  args: string[],
  timeouts: FabricTimeouts,
  policy: FabricRetryPolicy,
): Promise<SubmitResult> {
  let lastError: unknown = null;
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    if (attempt > 1) await sleep(backoff(policy, attempt - 1));
    let submitted;
    try {
      const proposal = contract.newProposal(name, { arguments: args });
      const tx = await proposal.endorse(deadline(timeouts.endorseMs));
      submitted = await tx.submit(deadline(timeouts.submitMs));
    } catch (err) {
      const rejected = rejection(err, name);
      if (rejected) throw rejected;
      if (err instanceof EndorseError || err instanceof GatewayError) {
        lastError = err; // endorse or submit failed: nothing committed, a new proposal is safe
        continue;
      }
      throw toLedgerError(err, name);
    }
    const txId = submitted.getTransactionId();
    const status = await pollStatus(submitted, name, txId, timeouts, policy);
    if (status.successful) return { result: submitted.getResult(), txId };
    if (RETRYABLE_STATUS.has(status.code)) {
      lastError = new LedgerError("TX_INVALID", `${name}: ${txId} invalid with status ${status.code}`);
      continue;
    }
    throw new LedgerError("TX_INVALID", `${name}: transaction ${txId} committed invalid (status ${status.code})`);
  }
  throw new LedgerError("UNAVAILABLE", `${name}: failed after ${policy.maxAttempts} attempts`, { cause: lastError });
}

/**
 * Evaluates a read-only transaction on the gateway's peer, retrying only transport failures.
 * @throws {LedgerError} with the contract's code when it refuses, or UNAVAILABLE.
 */
export async function evaluateWithRetry(
  contract: Contract,
  name: string,
  args: string[],
  timeouts: FabricTimeouts,
  policy: FabricRetryPolicy,
): Promise<Uint8Array> {
  let lastError: unknown = null;
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    if (attempt > 1) await sleep(backoff(policy, attempt - 1));
    try {
      return await contract.evaluate(name, { arguments: args }); // deadline: the gateway's evaluateOptions
    } catch (err) {
      const rejected = rejection(err, name);
      if (rejected) throw rejected;
      if (!(err instanceof GatewayError)) throw toLedgerError(err, name);
      lastError = err;
    }
  }
  throw new LedgerError("UNAVAILABLE", `${name}: failed after ${policy.maxAttempts} attempts`, { cause: lastError });
}
