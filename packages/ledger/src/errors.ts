/**
 * The one error type of every Ledger (embedded and Fabric alike), with a stable code:
 *
 * | code              | meaning                                                       | retry? |
 * | ----------------- | ------------------------------------------------------------- | ------ |
 * | INVALID_ARGUMENT  | the contract refused the arguments                            | no     |
 * | BAD_SIGNATURE     | the contract found a signature that does not verify          | no     |
 * | FORBIDDEN         | the caller's identity may not do this                         | no     |
 * | NOT_FOUND         | the record the call refers to does not exist                  | no     |
 * | CONFLICT          | the call contradicts what the chain already holds             | no     |
 * | OUT_OF_ORDER      | an audit batch does not start at the chain's tree size        | no     |
 * | POLICY_VIOLATION  | an on-chain policy forbids it (e.g. too many devices)         | no     |
 * | UNAVAILABLE       | the ledger could not be reached, or gave up after retries     | yes    |
 * | COMMIT_UNKNOWN    | submitted, but whether it committed could not be learned      | yes    |
 * | TX_INVALID        | committed as invalid by the network (e.g. endorsement failed) | yes    |
 * | BAD_RESPONSE      | the ledger answered something that is not a valid record      | yes    |
 * | CONFIG            | the network description or identity is unusable               | no     |
 * | INTERNAL          | a bug (in the contract or in this client)                     | no     |
 *
 * The first seven are the chaincode's own codes: the contract judged the request
 * itself ({@link LedgerError.refused}); retrying the same request cannot succeed.
 * Every error keeps what it was mapped from as its `cause`.
 */
import { CHAINCODE_ERROR_CODES, parseChaincodeError, type ChaincodeErrorCode } from "@cairn/chaincode";
import type { ErrorCode } from "@cairn/protocol";

export const LEDGER_ERROR_CODES = [
  ...CHAINCODE_ERROR_CODES,
  "UNAVAILABLE",
  "COMMIT_UNKNOWN",
  "TX_INVALID",
  "BAD_RESPONSE",
  "CONFIG",
  "INTERNAL",
] as const;
export type LedgerErrorCode = (typeof LEDGER_ERROR_CODES)[number];

const REFUSALS: ReadonlySet<LedgerErrorCode> = new Set<LedgerErrorCode>(CHAINCODE_ERROR_CODES);
const RETRYABLE: ReadonlySet<LedgerErrorCode> = new Set<LedgerErrorCode>(["UNAVAILABLE", "COMMIT_UNKNOWN", "TX_INVALID", "BAD_RESPONSE"]);

const TO_CAIRN: Record<LedgerErrorCode, ErrorCode> = {
  INVALID_ARGUMENT: "VALIDATION_FAILED",
  BAD_SIGNATURE: "BAD_SIGNATURE",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  OUT_OF_ORDER: "CONFLICT",
  POLICY_VIOLATION: "VALIDATION_FAILED",
  UNAVAILABLE: "LEDGER_UNAVAILABLE",
  COMMIT_UNKNOWN: "LEDGER_UNAVAILABLE",
  TX_INVALID: "LEDGER_UNAVAILABLE",
  BAD_RESPONSE: "LEDGER_UNAVAILABLE",
  CONFIG: "INTERNAL",
  INTERNAL: "INTERNAL",
};

export class LedgerError extends Error {
  override readonly name = "LedgerError";
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True when the contract itself said no: the same request will be refused again. */
  get refused(): boolean {
    return REFUSALS.has(this.code);
  }

  /** True when the same request may succeed later (the ledger was unreachable or unsure). */
  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }

  /** The client-facing error code (@cairn/protocol ERROR_CODES) for this ledger error. */
  get cairnCode(): ErrorCode {
    return TO_CAIRN[this.code];
  }
}

/** The chaincode refusal inside an error's text, or inside a gateway error's endorser details. */
export function chaincodeErrorOf(err: unknown): { code: ChaincodeErrorCode; detail: string } | null {
  if (typeof err !== "object" || err === null) return typeof err === "string" ? parseChaincodeError(err) : null;
  const e = err as { message?: unknown; details?: { message?: unknown }[] };
  const details = Array.isArray(e.details) ? e.details.map((d) => d.message) : [];
  for (const text of [e.message, ...details]) {
    if (typeof text !== "string") continue;
    const found = parseChaincodeError(text);
    if (found) return found;
  }
  return null;
}

/** Maps anything a contract call threw to a LedgerError: a chaincode refusal keeps its code, the rest is INTERNAL. */
export function toLedgerError(err: unknown, context?: string): LedgerError {
  if (err instanceof LedgerError) return err;
  const refusal = chaincodeErrorOf(err);
  const prefix = context ? `${context}: ` : "";
  if (refusal) return new LedgerError(refusal.code, `${prefix}${refusal.detail}`, { cause: err });
  return new LedgerError("INTERNAL", `${prefix}${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
