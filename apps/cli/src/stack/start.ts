/**
 * `cairn start`: brings up Cairn on one machine — PostgreSQL (embedded unless
 * DATABASE_URL is set), migrations, the relay with its ledger worker, and the web
 * app — then prints the URL to open. Ctrl-C stops everything it started.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { migrate } from "@cairn/db/admin";
import { up as fabricUp } from "../fabric/network";
import { postgresDataDir, REPO_ROOT } from "./paths";
import { openStackDatabase } from "./postgres";
import { startChild, waitForHttp, type Child } from "./processes";
import { loadOrCreateSecret } from "./secret";

export interface StartOptions {
  webPort: number;
  relayPort: number;
  pgPort: number;
  dataDir: string;
  fresh: boolean;
  quiet: boolean;
  ledger: "embedded" | "fabric";
  databaseUrl: string | undefined;
}

/** What a running stack writes to `<dataDir>/stack.json` for tests and tools. */
export interface StackInfo {
  webUrl: string;
  relayUrl: string;
  databaseUrl: string;
  relayLog: string;
  webLog: string;
  pid: number;
}

export async function startStack(opts: StartOptions): Promise<void> {
  const started = Date.now();
  const dataDir = path.resolve(opts.dataDir);
  const pgDir = postgresDataDir(dataDir);
  if (opts.fresh) {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(pgDir, { recursive: true, force: true });
  }
  mkdirSync(dataDir, { recursive: true });
  const say = (line: string) => process.stdout.write(`${line}\n`);

  const webBuild = path.join(REPO_ROOT, "apps/web/.next/BUILD_ID");
  if (!existsSync(webBuild)) {
    throw new Error("the web app is not built: run `pnpm --filter @cairn/web build` (the start script does)");
  }

  const db = await openStackDatabase({
    externalUrl: opts.databaseUrl,
    dataDir: pgDir,
    port: opts.pgPort,
    password: loadOrCreateSecret(path.join(dataDir, "postgres-password")),
    log: () => {},
  });
  say(`database    ${db.embedded ? `embedded PostgreSQL on 127.0.0.1:${opts.pgPort} (${pgDir})` : "external (DATABASE_URL)"}`);
  const migration = await migrate(db.url);
  say(`migrations  ${migration.applied.length} applied, ${migration.alreadyApplied.length} already in place`);

  const secret = loadOrCreateSecret(path.join(dataDir, "server-secret"));
  // On Fabric, bring up (or reuse) the native network; it outlives this process
  // (`pnpm fabric:down` stops it), as a real network would.
  const fabric = opts.ledger === "fabric" ? await fabricUp() : null;
  const webUrl = `http://localhost:${opts.webPort}`;
  const relayUrl = `http://localhost:${opts.relayPort}`;
  const relayLog = path.join(dataDir, "relay.log");
  const webLog = path.join(dataDir, "web.log");
  const baseEnv = { ...process.env, DATABASE_URL: db.url, NODE_ENV: "production" };
  const children: Child[] = [];

  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const child of children.reverse()) await child.stop();
    await db.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void stopAll(0));
  process.on("SIGTERM", () => void stopAll(0));

  try {
    const relay = startChild({
      name: "relay",
      command: process.execPath,
      args: ["--import", "tsx", path.join(REPO_ROOT, "apps/relay/src/main.ts")],
      cwd: path.join(REPO_ROOT, "apps/relay"),
      env: {
        ...baseEnv,
        CAIRN_RELAY_PORT: String(opts.relayPort),
        CAIRN_RELAY_HOST: "127.0.0.1",
        CAIRN_WEB_ORIGINS: `${webUrl},http://127.0.0.1:${opts.webPort}`,
        CAIRN_SERVER_SECRET: secret,
        CAIRN_LEDGER: opts.ledger,
        ...(fabric ? { CAIRN_FABRIC_NETWORK: fabric.networkJson } : {}),
      },
      logFile: relayLog,
      echo: !opts.quiet,
    });
    children.push(relay);
    await waitForHttp(`http://127.0.0.1:${opts.relayPort}/socket.io/?EIO=4&transport=polling`, 60_000, relay);

    // Written before the web app starts: whoever waits for the web URL (the browser
    // tests) can rely on it being there once the page answers.
    const info: StackInfo = { webUrl, relayUrl, databaseUrl: db.url, relayLog, webLog, pid: process.pid };
    writeFileSync(path.join(dataDir, "stack.json"), JSON.stringify(info, null, 2), { mode: 0o600 });
    const next = path.join(REPO_ROOT, "apps/web/node_modules/next/dist/bin/next");
    const web = startChild({
      name: "web",
      command: process.execPath,
      args: [next, "start", "-p", String(opts.webPort), "-H", "127.0.0.1"],
      cwd: path.join(REPO_ROOT, "apps/web"),
      env: { ...baseEnv, CAIRN_RELAY_URL: relayUrl, CAIRN_SERVER_SECRET: secret },
      logFile: webLog,
      echo: !opts.quiet,
    });
    children.push(web);
    await waitForHttp(`http://127.0.0.1:${opts.webPort}/`, 120_000, web);

    say(`relay       ${relayUrl}  (log: ${relayLog})`);
    say(`ledger      ${fabric ? `Fabric network (${fabric.networkJson})` : "embedded (in PostgreSQL)"}`);
    say(`ready in    ${((Date.now() - started) / 1000).toFixed(1)} s`);
    say("");
    say(`Cairn is running at ${webUrl}  — open it in your browser. Ctrl-C stops it.`);
    const code = await Promise.race(children.map((c) => c.exited.then((x) => ({ c, x }))));
    say(`${code.c.name} exited (${String(code.x)}); stopping`);
    await stopAll(1);
  } catch (err) {
    process.stderr.write(`cairn start failed: ${err instanceof Error ? err.message : String(err)}\n`);
    await stopAll(1);
  }
}
