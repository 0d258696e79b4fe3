import "server-only";
import { z } from "zod";
import { rateSpec } from "@cairn/db/rate-limit";

/** A duration like "30d", "14d", "12h", "90m" or "45s", in milliseconds. */
function duration(fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const m = /^([1-9][0-9]{0,6})(s|m|h|d)$/.exec(text.trim());
      if (!m) {
        ctx.addIssue({ code: "custom", message: 'a duration such as "30d", "12h", "90m" or "45s"' });
        return z.NEVER;
      }
      const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "s" | "m" | "h" | "d"];
      return Number(m[1]) * unit;
    });
}

/** The web app's environment, parsed once; nothing else reads process.env. */
const EnvSchema = z.object({
  DATABASE_URL: z.string().min(1, "DATABASE_URL is required"),
  /** Where browsers reach the Socket.IO relay, e.g. http://localhost:3001. */
  CAIRN_RELAY_URL: z.url().default("http://localhost:3001"),
  /**
   * Witnesses' cosignature verifier keys (as `cairn witness` prints them), comma-separated:
   * browsers then show which checkpoints they cosigned. The operator's word: the UI says so.
   */
  CAIRN_WITNESS_KEYS: z
    .string()
    .default("")
    .transform((s) => s.split(",").map((k) => k.trim()).filter((k) => k.length > 0))
    .pipe(z.array(z.string().max(300)).max(16)),
  /**
   * The address users open, e.g. https://chat.example.org (behind a TLS proxy). When it
   * is https: the session cookie is Secure, responses carry HSTS and the CSP upgrades
   * insecure requests.
   */
  CAIRN_PUBLIC_URL: z.url({ protocol: /^https?$/ }).default("http://localhost:3000"),
  /** Overrides the session cookie's Secure attribute; unset: Secure when CAIRN_PUBLIC_URL is https. */
  CAIRN_COOKIE_SECURE: z
    .enum(["true", "false", "1", "0"])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === "true" || v === "1")),
  /** Set by Next.js; development relaxes the CSP for React's dev tooling (eval, inline styles). */
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  /**
   * Optional: the relay's server secret (64+ lowercase hex, the same value). With it the
   * admin export computes on-chain pseudonyms HMAC(secret, userId) itself, so senders
   * not yet on the ledger do not block an export; without it the relay is asked.
   */
  CAIRN_SERVER_SECRET: z
    .string()
    .regex(/^[0-9a-f]{64,}$/, "64+ lowercase hex characters")
    .optional(),
  // Rate limits ("POINTS/SECONDS" per key, or "off"), shared across processes in PostgreSQL (docs/rate-limits.md).
  /** Log-in attempts per username (failed ones; a success gives its point back). */
  CAIRN_RATE_LOGIN_USERNAME: rateSpec("10/60"),
  /** Log-in attempts per client IP. */
  CAIRN_RATE_LOGIN_IP: rateSpec("30/60"),
  /** Sign-ups per client IP. */
  CAIRN_RATE_SIGNUP_IP: rateSpec("5/600"),
  /** "Is this username taken?" checks (the sign-up form's) per client IP. */
  CAIRN_RATE_SIGNUP_CHECK_IP: rateSpec("30/600"),
  /** /api/auth/params look-ups per client IP. */
  CAIRN_RATE_PARAMS_IP: rateSpec("60/60"),
  /** Reverse proxies in front that append to X-Forwarded-For (the client is the entry this far from the right). */
  CAIRN_TRUSTED_PROXIES: z.coerce.number().int().min(0).max(10).default(0),
  /** Worker threads verifying Argon2id hashes (64 MiB each while busy); default: cores − 1, 1–4. */
  CAIRN_AUTH_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  /** Log-ins and sign-ups waiting for a worker beyond which new ones are refused (RATE_LIMITED). */
  CAIRN_AUTH_QUEUE: z.coerce.number().int().min(0).max(10_000).default(32),
  /** A session's absolute lifetime, however often it is used (packages/db/src/sessions.ts). */
  CAIRN_SESSION_MAX_AGE: duration("30d"),
  /** A session unused this long ends (its last use is recorded at most once a minute). */
  CAIRN_SESSION_IDLE: duration("14d"),
});
export type Env = z.infer<typeof EnvSchema>;

/** Whether the public URL users open is https (Secure cookies, HSTS). */
export function servedOverHttps(e: Env): boolean {
  return new URL(e.CAIRN_PUBLIC_URL).protocol === "https:";
}

/** The session cookie's Secure attribute: CAIRN_COOKIE_SECURE if set, else whether the public URL is https. */
export function sessionCookieSecure(e: Env): boolean {
  return e.CAIRN_COOKIE_SECURE ?? servedOverHttps(e);
}

/** How long sessions last, from {@link Env}. */
export function sessionPolicy(e: Env): { maxAgeMs: number; idleMs: number } {
  return { maxAgeMs: e.CAIRN_SESSION_MAX_AGE, idleMs: e.CAIRN_SESSION_IDLE };
}

let cached: Env | undefined;

/** Parses `source` (tests pass their own). @throws Error naming each missing or malformed variable */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid environment: ${detail}`);
  }
  return parsed.data;
}

/** The process's environment, parsed once. @throws Error naming each missing or malformed variable */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
