/** The relay's environment, parsed once; nothing else reads process.env. */
import { z } from "zod";
import { rateSpec } from "@cairn/db/rate-limit";
import { RELAY_ID } from "@cairn/protocol";

const Env = z.object({
  DATABASE_URL: z.string().min(1),
  CAIRN_RELAY_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  CAIRN_RELAY_HOST: z.string().default("127.0.0.1"),
  /** Origins of the web app (comma-separated), allowed to open credentialed connections. */
  CAIRN_WEB_ORIGINS: z
    .string()
    .default("http://localhost:3000")
    .transform((v) => v.split(",").map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.url()).min(1)),
  /**
   * Let Socket.IO handshakes without an Origin header through ("true"/"false"). Browsers
   * always send one, so only non-browser clients need this; every present Origin must
   * still be one of CAIRN_WEB_ORIGINS.
   */
  CAIRN_RELAY_ALLOW_NO_ORIGIN: z.stringbool().default(false),
  /**
   * How this relay shares rooms with other relay processes: "none" (one relay) or
   * "postgres" (the Socket.IO PostgreSQL adapter over DATABASE_URL; adapter.ts).
   */
  CAIRN_RELAY_ADAPTER: z.enum(["none", "postgres"]).default("none"),
  /**
   * This relay's name among several (letters, digits, "-"): it prefixes the Engine.IO
   * session ids it issues, so a balancer can send a long-polling session's requests to
   * the relay that holds it (`cairn start --relays`), and names its checkpoint-event
   * position file on Fabric. Empty for a single relay.
   */
  CAIRN_RELAY_ID: z.union([z.literal(""), z.string().regex(RELAY_ID, "letters, digits and - (at most 32)")]).default(""),
  /** How long SIGTERM/SIGINT waits for in-flight acks before closing connections. */
  CAIRN_RELAY_SHUTDOWN_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  /** Key of the keyed hashes that stand for users on chain (hex, ≥ 32 bytes). */
  CAIRN_SERVER_SECRET: z.string().regex(/^[0-9a-f]{64,}$/, "64+ hex characters"),
  CAIRN_LEDGER: z.enum(["embedded", "fabric"]).default("embedded"),
  /** Witnesses (`cairn witness` URLs, comma-separated) every checkpoint is sent to for cosigning; none by default. */
  CAIRN_WITNESSES: z
    .string()
    .default("")
    .transform((s) => s.split(",").map((u) => u.trim()).filter((u) => u.length > 0))
    .pipe(z.array(z.url()).max(16)),
  /** The log's origin line in its signed checkpoints (default: named after the log's key). */
  CAIRN_LOG_ORIGIN: z.string().min(1).max(255).regex(/^[^\s+]+$/, "no spaces").optional(),
  /** network.json of the Fabric network (written by `pnpm fabric:up`). */
  CAIRN_FABRIC_NETWORK: z.string().default(".data/fabric/network.json"),
  CAIRN_ANCHOR_INTERVAL_MS: z.coerce.number().int().min(10).default(250),
  CAIRN_ANCHOR_MAX_BATCH: z.coerce.number().int().min(1).max(20_000).default(5_000),
  CAIRN_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  // Rate limits per event kind ("POINTS/SECONDS" per key, or "off"): per socket in this
  // process's memory, per user in PostgreSQL (shared by every relay). docs/rate-limits.md.
  CAIRN_RATE_MESSAGE_SOCKET: rateSpec("20/1"),
  CAIRN_RATE_MESSAGE_USER: rateSpec("30/1"),
  CAIRN_RATE_SHARES_SOCKET: rateSpec("20/10"),
  CAIRN_RATE_SHARES_USER: rateSpec("40/10"),
  /** Session shares (not events) a user may fan out. */
  CAIRN_RATE_SHARE_COUNT_USER: rateSpec("1000/60"),
  CAIRN_RATE_SUBSCRIBE_SOCKET: rateSpec("100/10"),
  CAIRN_RATE_SUBSCRIBE_USER: rateSpec("200/10"),
  CAIRN_RATE_SHARES_ACK_SOCKET: rateSpec("60/10"),
  CAIRN_RATE_SHARES_ACK_USER: rateSpec("120/10"),
});
export type RelayEnv = z.infer<typeof Env>;

export function parseEnv(source: NodeJS.ProcessEnv = process.env): RelayEnv {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`relay configuration invalid: ${problems}`);
  }
  return parsed.data;
}
