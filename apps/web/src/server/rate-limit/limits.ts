import "server-only";
/**
 * The web app's rate limits (docs/rate-limits.md), each a RateLimiterPostgres in the
 * shared table, configured by env.ts. Over a limit: CairnError RATE_LIMITED with
 * `retryAfterMs`, which http.ts answers as 429 with a Retry-After header.
 */
import { CairnError } from "@cairn/protocol";
import { RateLimiterRes, type RateLimiterPostgres } from "rate-limiter-flexible";
import { env, type Env } from "../../env";
import { db } from "../db";
import { clientIp } from "./client-ip";
import { postgresLimiter, type RateSpec, type RawSql } from "@cairn/db/rate-limit";

export type WebLimit = "loginUsername" | "loginIp" | "signupIp" | "signupCheckIp" | "paramsIp";

const SETTINGS: Record<WebLimit, keyof Env> = {
  loginUsername: "CAIRN_RATE_LOGIN_USERNAME",
  loginIp: "CAIRN_RATE_LOGIN_IP",
  signupIp: "CAIRN_RATE_SIGNUP_IP",
  signupCheckIp: "CAIRN_RATE_SIGNUP_CHECK_IP",
  paramsIp: "CAIRN_RATE_PARAMS_IP",
};

export interface RateLimits {
  /**
   * Takes `points` from `key`'s budget under `limit` (a no-op for a limit set "off").
   * @throws CairnError RATE_LIMITED with retryAfterMs when the budget is spent
   */
  take(limit: WebLimit, key: string, points?: number): Promise<void>;
  /** Gives `points` back (a log-in that succeeded does not count against its username). */
  refund(limit: WebLimit, key: string, points?: number): Promise<void>;
}

/** The error of a spent budget; the message says when to retry, in whole seconds. */
export function rateLimited(msBeforeNext: number): CairnError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new CairnError("RATE_LIMITED", `Too many attempts. Try again in ${seconds} s.`, {
    retryAfterMs: Math.max(1, msBeforeNext),
  });
}

/** Limits over `sql` with `specs` (null: off). */
export function createRateLimits(sql: RawSql, specs: Record<WebLimit, RateSpec | null>): RateLimits {
  const limiters = new Map<WebLimit, RateLimiterPostgres>();
  let first = true;
  for (const [name, spec] of Object.entries(specs) as [WebLimit, RateSpec | null][]) {
    if (!spec) continue;
    // One limiter clears the shared table's expired rows (every 5 minutes).
    limiters.set(name, postgresLimiter(sql, `web:${name}`, spec, { clearExpired: first }));
    first = false;
  }
  return {
    async take(limit, key, points = 1) {
      const limiter = limiters.get(limit);
      if (!limiter) return;
      try {
        await limiter.consume(key, points);
      } catch (err) {
        if (err instanceof RateLimiterRes) throw rateLimited(err.msBeforeNext);
        throw err;
      }
    },
    async refund(limit, key, points = 1) {
      const limiter = limiters.get(limit);
      if (!limiter) return;
      await limiter.reward(key, points);
    },
  };
}

const holder = globalThis as typeof globalThis & { __cairnRateLimits?: RateLimits };

/** The app's limits, configured by env.ts (kept on globalThis so dev reloads reuse them). */
export function rateLimits(): RateLimits {
  if (!holder.__cairnRateLimits) {
    const e = env();
    const specs = Object.fromEntries(
      Object.entries(SETTINGS).map(([name, setting]) => [name, e[setting] as RateSpec | null]),
    ) as Record<WebLimit, RateSpec | null>;
    holder.__cairnRateLimits = createRateLimits(db(), specs);
  }
  return holder.__cairnRateLimits;
}

/** The per-IP key of a request (client-ip.ts), with the configured number of trusted proxies. */
export function requestIp(req: Request): string {
  return clientIp(req, env().CAIRN_TRUSTED_PROXIES);
}
