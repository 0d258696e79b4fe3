/**
 * Errors of the Fabric ledger. A chaincode rejection keeps the contract's stable code
 * (e.g. BAD_SIGNATURE, OUT_OF_ORDER) so callers can tell "the peer said no" from
 * "the network did not answer".
 */
import { parseChaincodeError, type ChaincodeErrorCode } from "@cairn/chaincode";

export type FabricLedgerErrorCode =
  | "FABRIC_CHAINCODE_REJECTED"
  | "FABRIC_UNAVAILABLE"
  | "FABRIC_TX_INVALID"
  | "FABRIC_COMMIT_UNKNOWN"
  | "FABRIC_BAD_RESPONSE"
  | "FABRIC_CONFIG";

export class FabricLedgerError extends Error {
  override readonly name = "FabricLedgerError";
  constructor(
    readonly code: FabricLedgerErrorCode,
    message: string,
    /** The chaincode's own error code when the contract rejected the call. */
    readonly chaincodeCode: ChaincodeErrorCode | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface DetailedError {
  message?: unknown;
  details?: { message?: unknown }[];
}

/** The chaincode's error inside a gateway error's message or endorser details, if any. */
export function chaincodeErrorOf(err: unknown): { code: ChaincodeErrorCode; detail: string } | null {
  if (typeof err !== "object" || err === null) return null;
  const e = err as DetailedError;
  const texts = [e.message, ...(e.details ?? []).map((d) => d.message)].filter((t): t is string => typeof t === "string");
  for (const text of texts) {
    const found = parseChaincodeError(text);
    if (found) return found;
  }
  return null;
}
