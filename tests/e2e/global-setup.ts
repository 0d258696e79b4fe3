/**
 * Runs after the stack is up: hands its database URL and relay log path to the
 * tests (workers inherit these variables).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export default function globalSetup(): void {
  const dataDir =
    process.env.CAIRN_E2E_DATA_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../.data/e2e-3100");
  const info = JSON.parse(readFileSync(path.join(dataDir, "stack.json"), "utf8")) as {
    databaseUrl: string;
    relayLog: string;
    webLog: string;
  };
  process.env.CAIRN_E2E_DATABASE_URL = info.databaseUrl;
  process.env.CAIRN_E2E_RELAY_LOG = info.relayLog;
  process.env.CAIRN_E2E_WEB_LOG = info.webLog;
}
