/**
 * Browser end-to-end tests: the real stack (embedded PostgreSQL, relay with the
 * embedded ledger, the built web app) started by `cairn start` on its own ports
 * and data directory, driven in Debian's Chromium (Playwright cannot download
 * browsers on our machines: ENVIRONMENT.md).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");
/** Ports can move (CAIRN_E2E_WEB_PORT) so two runs on one machine do not collide. */
const WEB_PORT = Number(process.env.CAIRN_E2E_WEB_PORT ?? 3100);
const PG_PORT = Number(process.env.CAIRN_E2E_PG_PORT ?? 54339);
/** Each port gets its own data directory: `--fresh` must not wipe another run's. */
const E2E_DATA_DIR = path.join(repoRoot, `.data/e2e-${WEB_PORT}`);
process.env.CAIRN_E2E_DATA_DIR = E2E_DATA_DIR;
/**
 * CAIRN_E2E_LEDGER=fabric runs the same flows with the relay anchoring on a real
 * native Fabric network (started by `cairn start --ledger fabric`, stopped after).
 */
const LEDGER = process.env.CAIRN_E2E_LEDGER === "fabric" ? "fabric" : "embedded";
const FABRIC_DIR = path.join(repoRoot, ".data/e2e-fabric");

export default defineConfig({
  testDir: here,
  testMatch: "*.spec.ts",
  timeout: 120_000,
  expect: { timeout: 30_000 },
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  globalSetup: path.join(here, "global-setup.ts"),
  globalTeardown: path.join(here, "global-teardown.ts"),
  use: {
    baseURL: `http://localhost:${WEB_PORT}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CAIRN_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: [
      "node --import tsx apps/cli/src/index.ts start",
      `--web-port ${WEB_PORT} --relay-port ${WEB_PORT + 1} --pg-port ${PG_PORT}`,
      `--data-dir ${E2E_DATA_DIR} --fresh --quiet --ledger ${LEDGER}`,
    ].join(" "),
    env: {
      ...(process.env as Record<string, string>),
      CAIRN_FABRIC_DIR: FABRIC_DIR,
      // Every spec signs up from 127.0.0.1: per-IP sign-up and log-in limits sized for
      // one person would refuse the suite (the limits themselves have their own tests).
      CAIRN_RATE_SIGNUP_IP: "1000/600",
      CAIRN_RATE_SIGNUP_CHECK_IP: "1000/600",
      CAIRN_RATE_LOGIN_IP: "1000/60",
      CAIRN_RATE_PARAMS_IP: "1000/60",
      CAIRN_FABRIC_PORT_OFFSET: process.env.CAIRN_FABRIC_PORT_OFFSET ?? "400",
    },
    cwd: repoRoot,
    url: `http://127.0.0.1:${WEB_PORT}/`,
    timeout: LEDGER === "fabric" ? 900_000 : 180_000,
    reuseExistingServer: false,
    gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
    stdout: "pipe",
    stderr: "pipe",
  },
});
