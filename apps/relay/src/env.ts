/** The relay's environment, parsed once; nothing else reads process.env. */
import { z } from "zod";

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
  /** Key of the keyed hashes that stand for users on chain (hex, ≥ 32 bytes). */
  CAIRN_SERVER_SECRET: z.string().regex(/^[0-9a-f]{64,}$/, "64+ hex characters"),
  CAIRN_LEDGER: z.enum(["embedded", "fabric"]).default("embedded"),
  /** network.json of the Fabric network (written by `pnpm fabric:up`). */
  CAIRN_FABRIC_NETWORK: z.string().default(".data/fabric/network.json"),
  CAIRN_ANCHOR_INTERVAL_MS: z.coerce.number().int().min(10).default(250),
  CAIRN_ANCHOR_MAX_BATCH: z.coerce.number().int().min(1).max(20_000).default(5_000),
  CAIRN_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
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
