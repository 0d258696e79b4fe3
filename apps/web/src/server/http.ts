import "server-only";
import { CairnError, MAX_EVENT_BYTES, httpStatusOf, toErrorBody } from "@cairn/protocol";
import { NextResponse } from "next/server";
import type { z } from "zod";

/** A JSON response with no caching: every API answer is per user. */
export function json(data: unknown, status = 200): NextResponse {
  return NextResponse.json(data, { status, headers: { "Cache-Control": "no-store" } });
}

/**
 * The one error mapper: CairnError -> its status and code; anything else -> 500 INTERNAL.
 * RATE_LIMITED with `retryAfterMs` also gets `Retry-After` (whole seconds, at least 1).
 */
export function errorResponse(err: unknown): NextResponse {
  if (!(err instanceof CairnError)) console.error("[web] unhandled error", err);
  const body = toErrorBody(err);
  const res = json(body, httpStatusOf(body.error.code));
  const ms = body.error.retryAfterMs;
  if (ms !== undefined) res.headers.set("Retry-After", String(Math.max(1, Math.ceil(ms / 1000))));
  return res;
}

/**
 * Refuses a state-changing request whose Origin is another site (defence in depth
 * next to the SameSite=Strict cookie). Requests without Origin (curl, same-origin
 * GETs) pass.
 * @throws CairnError FORBIDDEN
 */
export function checkOrigin(req: Request): void {
  if (req.method === "GET" || req.method === "HEAD") return;
  const origin = req.headers.get("origin");
  if (origin === null) return;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new CairnError("FORBIDDEN", "Cross-site request refused.");
  }
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host") ?? new URL(req.url).host;
  if (originHost !== host) throw new CairnError("FORBIDDEN", "Cross-site request refused.");
}

/** Wraps a route handler: checks the Origin of writes, and maps every thrown error with {@link errorResponse}. */
export function route<A extends unknown[]>(
  fn: (...args: A) => Promise<Response>,
): (...args: A) => Promise<Response> {
  return async (...args: A) => {
    try {
      if (args[0] instanceof Request) checkOrigin(args[0]);
      return await fn(...args);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

function validationError(error: z.ZodError): CairnError {
  const first = error.issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join(".")}: ` : "";
  return new CairnError("VALIDATION_FAILED", `${where}${first?.message ?? "invalid input"}`);
}

/** Parses `value` with `schema`. @throws CairnError VALIDATION_FAILED */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

/**
 * Reads a JSON body of at most `maxBytes` ({@link MAX_EVENT_BYTES} unless a route
 * needs more, e.g. the key backup) and parses it with `schema`; an empty body is
 * `opts.emptyIs` when given (routes whose body is optional).
 * @throws CairnError PAYLOAD_TOO_LARGE over the limit, VALIDATION_FAILED on bad JSON or shape
 */
export async function readBody<S extends z.ZodType>(
  req: Request,
  schema: S,
  maxBytes: number = MAX_EVENT_BYTES,
  opts: { emptyIs?: unknown } = {},
): Promise<z.output<S>> {
  const tooLarge = `Request body is over ${maxBytes >= 1024 * 1024 ? `${maxBytes / (1024 * 1024)} MiB` : `${maxBytes / 1024} KiB`}.`;
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new CairnError("PAYLOAD_TOO_LARGE", tooLarge);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    const reader = req.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw new CairnError("PAYLOAD_TOO_LARGE", tooLarge);
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  let data: unknown;
  if (size === 0 && opts.emptyIs !== undefined) return parseWith(schema, opts.emptyIs);
  try {
    data = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new CairnError("VALIDATION_FAILED", "Request body must be JSON.");
  }
  return parseWith(schema, data);
}

/** Parses a URL's query string (each key once) with `schema`. @throws CairnError VALIDATION_FAILED */
export function readQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  return parseWith(schema, Object.fromEntries(new URL(req.url).searchParams));
}
