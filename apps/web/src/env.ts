import "server-only";
import { z } from "zod";

/** The web app's environment, parsed once; nothing else reads process.env. */
const EnvSchema = z.object({
  DATABASE_URL: z.string().min(1, "DATABASE_URL is required"),
  /** Where browsers reach the Socket.IO relay, e.g. http://localhost:3001. */
  CAIRN_RELAY_URL: z.url().default("http://localhost:3001"),
  /** "true" behind HTTPS: the session cookie gets the Secure attribute. */
  CAIRN_COOKIE_SECURE: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  /**
   * Optional: the relay's server secret (64+ lowercase hex, the same value). With it the
   * admin export computes on-chain pseudonyms HMAC(secret, userId) itself, so senders
   * not yet on the ledger do not block an export; without it the relay is asked.
   */
  CAIRN_SERVER_SECRET: z
    .string()
    .regex(/^[0-9a-f]{64,}$/, "64+ lowercase hex characters")
    .optional(),
});
export type Env = z.infer<typeof EnvSchema>;

let cached: Env | undefined;

/** @throws Error naming each missing or malformed variable */
export function env(): Env {
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid environment: ${detail}`);
  }
  cached = parsed.data;
  return cached;
}
