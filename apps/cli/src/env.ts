/** The CLI's environment, parsed once. */
import { z } from "zod";

const Env = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  /** Unset: what the running stack wrote (stack.json), else embedded. */
  CAIRN_LEDGER: z.enum(["embedded", "fabric"]).optional(),
  /** Hex secret of HMAC(serverSecret, userId) userRefs (the relay's CAIRN_SERVER_SECRET); `cairn export` needs it (default: <data dir>/server-secret). */
  CAIRN_SERVER_SECRET: z.string().regex(/^[0-9a-f]{64,}$/i, "hex, at least 32 bytes").optional(),
  /** network.json of the Fabric network for `--ledger fabric` (default: <CAIRN_FABRIC_DIR>/network.json). */
  CAIRN_FABRIC_NETWORK: z.string().min(1).optional(),
});
export type CliEnv = z.infer<typeof Env>;

export function cliEnv(source: NodeJS.ProcessEnv = process.env): CliEnv {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    throw new Error(`invalid environment: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}
