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
  "MEMBERSHIP_INVALID",
  "MEMBERSHIP_STALE",
  "RATE_LIMITED",
  "LEDGER_UNAVAILABLE",
  "OVERLOADED",
  "UNAVAILABLE",
  "INTERNAL",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * An error a client may see: a stable code and a human message, never a stack.
 * Retryable errors ({@link RETRYABLE_CODES}) may say when to retry (`retryAfterMs`,
 * rounded up to whole ms).
 */
export class CairnError extends Error {
  override readonly name: string = "CairnError";
  readonly retryAfterMs: number | undefined;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    const ms = options?.retryAfterMs;
    this.retryAfterMs = ms !== undefined && Number.isFinite(ms) ? Math.max(0, Math.ceil(ms)) : undefined;
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
  /** A membership event that breaks a chain rule (signature, member, target): docs/protocol.md. */
  MEMBERSHIP_INVALID: 400,
  /** The room's membership chain moved on since the event was signed: re-read it and sign again. */
  MEMBERSHIP_STALE: 409,
  RATE_LIMITED: 429,
  LEDGER_UNAVAILABLE: 503,
  OVERLOADED: 503,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/**
 * Codes after which the same request may succeed unchanged: a client backs off
 * (`retryAfterMs` when given) and resends it, idempotently. OVERLOADED: the relay
 * refused it at once because its bounded in-flight work is full; UNAVAILABLE: the
 * database could not be reached; nothing was stored in either case.
 */
export const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set(["RATE_LIMITED", "OVERLOADED", "UNAVAILABLE", "LEDGER_UNAVAILABLE"]);

/** True for a code (as any client receives it: a string) in {@link RETRYABLE_CODES}. */
export function isRetryable(code: string): boolean {
  return (RETRYABLE_CODES as ReadonlySet<string>).has(code);
}

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}

/** The body of every error response and error ack; `retryAfterMs` only on retryable codes. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; retryAfterMs?: number };
}

/** Maps anything thrown to what a client may see: unknown errors become INTERNAL. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof CairnError) {
    if (RETRYABLE_CODES.has(err.code) && err.retryAfterMs !== undefined) {
      return { error: { code: err.code, message: err.message, retryAfterMs: err.retryAfterMs } };
    }
    return { error: { code: err.code, message: err.message } };
  }
  return { error: { code: "INTERNAL", message: "Something went wrong on the server." } };
}
