/** Stable error codes shared by REST responses, socket acks and the CLI. */
export const ERROR_CODES = [
  "VALIDATION_FAILED",
  "PAYLOAD_TOO_LARGE",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "USER_NOT_FOUND",
  "ROOM_NOT_FOUND",
  "NOT_A_MEMBER",
  "USERNAME_TAKEN",
  "INVALID_CREDENTIALS",
  "DEVICE_UNKNOWN",
  "DEVICE_REVOKED",
  "BAD_SIGNATURE",
  "CONFLICT",
  "RATE_LIMITED",
  "LEDGER_UNAVAILABLE",
  "INTERNAL",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error a client may see: a stable code and a human message, never a stack. */
export class CairnError extends Error {
  override readonly name: string = "CairnError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const HTTP_STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  ROOM_NOT_FOUND: 404,
  NOT_A_MEMBER: 403,
  USERNAME_TAKEN: 409,
  INVALID_CREDENTIALS: 401,
  DEVICE_UNKNOWN: 403,
  DEVICE_REVOKED: 403,
  BAD_SIGNATURE: 400,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  LEDGER_UNAVAILABLE: 503,
  INTERNAL: 500,
};

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}

/** The body of every error response and error ack. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** Maps anything thrown to what a client may see: unknown errors become INTERNAL. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof CairnError) return { error: { code: err.code, message: err.message } };
  return { error: { code: "INTERNAL", message: "Something went wrong on the server." } };
}
