/**
 * What `npm start` (`cairn start`) leaves in its data directory for the other
 * commands: `stack.json` (database URL, ledger, Fabric network file) and
 * `server-secret`. `cairn export`, `cairn verify` and `cairn checkpoint` read them, so
 * they work in a second terminal with no environment variables; the environment
 * still overrides (resolveSettings).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { CliEnv } from "../env";
import { readSecret } from "./secret";

const StackFile = z.object({
  databaseUrl: z.string().min(1).optional(),
  ledger: z.enum(["embedded", "fabric"]).optional(),
  fabricNetwork: z.string().min(1).optional(),
});

export interface StackSettings {
  databaseUrl?: string;
  serverSecret?: string;
  ledger?: "embedded" | "fabric";
  networkFile?: string;
}

/**
 * The settings a (running or stopped) stack wrote under `dataDir`; empty when none.
 * @throws Error when stack.json or server-secret exists but is malformed
 */
export function readStackSettings(dataDir: string): StackSettings {
  const out: StackSettings = {};
  const stackJson = path.join(dataDir, "stack.json");
  if (existsSync(stackJson)) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(stackJson, "utf8"));
    } catch (err) {
      throw new Error(`${stackJson} is not JSON: ${(err as Error).message}`, { cause: err });
    }
    const parsed = StackFile.safeParse(json);
    if (!parsed.success)
      throw new Error(
        `${stackJson} is malformed: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      );
    if (parsed.data.databaseUrl) out.databaseUrl = parsed.data.databaseUrl;
    if (parsed.data.ledger) out.ledger = parsed.data.ledger;
    if (parsed.data.fabricNetwork) out.networkFile = parsed.data.fabricNetwork;
  }
  const secret = readSecret(path.join(dataDir, "server-secret"));
  if (secret) out.serverSecret = secret;
  return out;
}

export interface ResolvedSettings {
  databaseUrl?: string;
  serverSecret?: string;
  ledger: "embedded" | "fabric";
  networkFile: string;
}

/**
 * Command-line flags, then the environment, then what the stack wrote, then defaults.
 * The stack's files are read only when something is still missing.
 */
export function resolveSettings(
  flags: { ledger?: "embedded" | "fabric"; network?: string },
  env: CliEnv,
  stack: () => StackSettings,
  defaultNetworkFile: () => string,
): ResolvedSettings {
  const needStack =
    !env.DATABASE_URL ||
    !env.CAIRN_SERVER_SECRET ||
    (!flags.ledger && !env.CAIRN_LEDGER) ||
    (!flags.network && !env.CAIRN_FABRIC_NETWORK);
  const s = needStack ? stack() : {};
  return {
    databaseUrl: env.DATABASE_URL ?? s.databaseUrl,
    serverSecret: env.CAIRN_SERVER_SECRET ?? s.serverSecret,
    ledger: flags.ledger ?? env.CAIRN_LEDGER ?? s.ledger ?? "embedded",
    networkFile: flags.network ?? env.CAIRN_FABRIC_NETWORK ?? s.networkFile ?? defaultNetworkFile(),
  };
}
