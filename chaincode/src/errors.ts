/**
 * Chaincode errors. Fabric passes only the message string back to the client, so the
 * stable code travels in the message: "CAIRN_E_<CODE>: <text>". The ledger clients
 * (embedded and Fabric) recover it with {@link parseChaincodeError}.
 */
export const CHAINCODE_ERROR_CODES = [
  "INVALID_ARGUMENT",
  "BAD_SIGNATURE",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "OUT_OF_ORDER",
  "POLICY_VIOLATION",
] as const;
export type ChaincodeErrorCode = (typeof CHAINCODE_ERROR_CODES)[number];

const PREFIX = "CAIRN_E_";

export class ChaincodeError extends Error {
  override readonly name = "ChaincodeError";
  constructor(
    readonly code: ChaincodeErrorCode,
    detail: string,
  ) {
    super(`${PREFIX}${code}: ${detail}`);
  }
}

const PATTERN = new RegExp(`${PREFIX}(${CHAINCODE_ERROR_CODES.join("|")}): ([^\\n]*)`);

/**
 * Finds a chaincode error code inside any error text (Fabric wraps the chaincode's
 * message in its own, e.g. "chaincode response 500, CAIRN_E_OUT_OF_ORDER: ...").
 */
export function parseChaincodeError(text: string): { code: ChaincodeErrorCode; detail: string } | null {
  if (typeof text !== "string") return null;
  const match = PATTERN.exec(text);
  if (!match) return null;
  return { code: match[1] as ChaincodeErrorCode, detail: match[2] ?? "" };
}
