/**
 * Typed ledger errors: the chaincode's own codes (a contract said no) plus
 * UNAVAILABLE (the ledger could not be reached) and INTERNAL.
 */
import { parseChaincodeError, type ChaincodeErrorCode } from "@cairn/chaincode";
import type { ErrorCode } from "@cairn/protocol";

export type LedgerErrorCode = ChaincodeErrorCode | "UNAVAILABLE" | "INTERNAL";

const TO_CAIRN: Record<LedgerErrorCode, ErrorCode> = {
  INVALID_ARGUMENT: "VALIDATION_FAILED",
  BAD_SIGNATURE: "BAD_SIGNATURE",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  OUT_OF_ORDER: "CONFLICT",
  POLICY_VIOLATION: "VALIDATION_FAILED",
  UNAVAILABLE: "LEDGER_UNAVAILABLE",
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

  /** The client-facing error code (@cairn/protocol ERROR_CODES) for this ledger error. */
  get cairnCode(): ErrorCode {
    return TO_CAIRN[this.code];
  }
}

/** Maps anything a contract call threw to a LedgerError (chaincode codes kept). */
export function toLedgerError(err: unknown): LedgerError {
  if (err instanceof LedgerError) return err;
  const text = err instanceof Error ? err.message : String(err);
  const parsed = parseChaincodeError(text);
  if (parsed) return new LedgerError(parsed.code, parsed.detail, { cause: err });
  return new LedgerError("INTERNAL", text, { cause: err });
}
