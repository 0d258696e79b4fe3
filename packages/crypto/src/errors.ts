/** The stable codes of {@link CryptoError}; callers switch on these, never on messages. */
export const CRYPTO_ERROR_CODES = [
  "BAD_SIGNATURE",
  "DECRYPT_FAILED",
  "REPLAY",
  "SESSION_MISMATCH",
  "INDEX_TOO_OLD",
  "TOO_FAR_AHEAD",
  "UNWRAP_FAILED",
  "BAD_INPUT",
] as const;
export type CryptoErrorCode = (typeof CRYPTO_ERROR_CODES)[number];

/**
 * A rejection by the protocol: the input was well-typed but is not authentic, not
 * for this session, already seen, or otherwise unusable. Programming errors (wrong
 * types, wrong key lengths) are TypeError / RangeError instead.
 */
export class CryptoError extends Error {
  override readonly name = "CryptoError";
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
