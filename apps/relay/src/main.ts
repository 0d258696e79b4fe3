/**
 * Relay process entry: migrations, ledger, Socket.IO server, ledger worker and the
 * server-event listener (server-events.ts; it reconnects after PostgreSQL restarts and
 * then re-reads revocations, memberships and the latest checkpoint).
 *
 * With CAIRN_RELAY_ADAPTER=postgres, rooms are shared with the other relay processes
 * on the same database (adapter.ts); the ledger worker's advisory lock keeps one
 * anchor leader among them.
 *
 * Shutdown (SIGTERM/SIGINT): new handshakes are refused, events already received get
 * their acks (up to CAIRN_RELAY_SHUTDOWN_MS), then sockets close, the ledger worker
 * stops, the database is closed and the process exits 0. An unhandled rejection or
 * uncaught exception is a programming error: it is logged and the process shuts down
 * the same way with exit code 1 (a supervisor restarts it; clients resend unacked
 * messages, which the relay stores once).
 */
import { createServer } from "node:http";
import path from "node:path";
import { followCheckpoints, logSigner, openLedger, startLedgerWorker } from "@cairn/anchoring";
import { createPrismaClient, sqlPool, subscribeServerEvents } from "@cairn/db";
import { migrate } from "@cairn/db/migrate";
import { createLogger, errorFields, type Logger } from "@cairn/log";
import { postgresAdapter } from "./adapter";
import { createRelay } from "./app";
import { parseEnv } from "./env";
import { createLedgerHttpHandler } from "./ledger-http";
import { createEventLimits, eventLimitSpecs } from "./rate-limit";
import { resyncAfterReconnect } from "./resync";
import { applyServerEvent } from "./server-events";
import { prefixSessionIds } from "./session-ids";

/** Replaced by the configured logger once the environment is parsed. */
let log: Logger = createLogger("info");
/** Set once the relay runs: stops it in order and exits with `code`. */
let shutdown: ((reason: string, code: number) => Promise<void>) | null = null;
/** A programming error happened: the process exits 1 whatever started the shutdown. */
let failed = false;

function fatal(what: string, err: unknown): void {
  failed = true;
  log.error(what, errorFields(err));
  if (shutdown) void shutdown(what, 1);
  else process.exit(1);
}
process.on("unhandledRejection", (reason) => fatal("unhandled rejection", reason));
process.on("uncaughtException", (err) => fatal("uncaught exception", err));
process.on("SIGINT", () => (shutdown ? void shutdown("SIGINT", 0) : process.exit(130)));
process.on("SIGTERM", () => (shutdown ? void shutdown("SIGTERM", 0) : process.exit(143)));

/** Runs one shutdown step; a failing step is logged and the next one still runs. */
async function step(name: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    log.warn("shutdown step failed", { step: name, ...errorFields(err) });
  }
}

async function main(): Promise<void> {
  const env = parseEnv();
  log = createLogger(env.CAIRN_LOG_LEVEL);
  await migrate(env.DATABASE_URL);
  const prisma = createPrismaClient(env.DATABASE_URL);
  const ledger = openLedger({ kind: env.CAIRN_LEDGER, as: "writer", prisma, networkFile: env.CAIRN_FABRIC_NETWORK });
  const http = createServer(
    createLedgerHttpHandler({
      prisma,
      ledger,
      serverSecret: env.CAIRN_SERVER_SECRET,
      corsOrigins: env.CAIRN_WEB_ORIGINS,
      log,
    }),
  );
  const signer = logSigner(env.CAIRN_SERVER_SECRET, env.CAIRN_LOG_ORIGIN);
  const worker = startLedgerWorker({
    prisma,
    ledger,
    databaseUrl: env.DATABASE_URL,
    serverSecret: env.CAIRN_SERVER_SECRET,
    log,
    witnesses: env.CAIRN_WITNESSES,
    logSigner: signer,
    intervalMs: env.CAIRN_ANCHOR_INTERVAL_MS,
    maxBatch: env.CAIRN_ANCHOR_MAX_BATCH,
  });
  // Several relays: rooms shared through PostgreSQL (adapter.ts); one relay needs none.
  const shared = env.CAIRN_RELAY_ADAPTER === "postgres" ? postgresAdapter(env.DATABASE_URL, log) : null;
  const relay = createRelay(http, {
    prisma,
    log,
    corsOrigins: env.CAIRN_WEB_ORIGINS,
    allowMissingOrigin: env.CAIRN_RELAY_ALLOW_NO_ORIGIN,
    limits: createEventLimits(sqlPool(prisma), eventLimitSpecs(env)),
    onStored: () => worker.wake(),
    ...(shared ? { adapter: shared.adapter } : {}),
  });
  prefixSessionIds(relay.io, env.CAIRN_RELAY_ID);
  const events = await subscribeServerEvents(
    env.DATABASE_URL,
    (event) => applyServerEvent(relay, prisma, log, event),
    {
      onError: (err) => log.warn("server events connection error", errorFields(err)),
      onDisconnect: () => log.warn("server events connection lost; reconnecting"),
      onReconnect: async ({ attempt }) => {
        log.info("server events reconnected", { attempt });
        await resyncAfterReconnect(relay, prisma, log);
      },
    },
  );
  const follower =
    "watchCheckpoints" in ledger
      ? followCheckpoints({
          prisma,
          ledger,
          // Beside the network's own files: a new network starts a new position.
          positionFile: path.join(path.dirname(path.resolve(env.CAIRN_FABRIC_NETWORK)), `relay-checkpoint-events${env.CAIRN_RELAY_ID ? `-${env.CAIRN_RELAY_ID}` : ""}.json`),
          log,
        })
      : null;

  let stopping = false;
  shutdown = async (reason, code) => {
    if (stopping) return;
    stopping = true;
    // Whatever hangs below, the process still ends.
    setTimeout(() => {
      log.error("relay shutdown timed out", { reason });
      process.exit(1);
    }, env.CAIRN_RELAY_SHUTDOWN_MS + 15_000).unref();
    log.info("relay stopping", { reason, inFlight: relay.inFlight() });
    const unfinished = await relay.drain(env.CAIRN_RELAY_SHUTDOWN_MS);
    if (unfinished > 0) log.warn("relay stopping with unacknowledged events", { unfinished });
    await step("sockets", () => relay.close());
    await step("adapter", async () => shared?.close());
    await step("ledger worker", () => worker.stop());
    await step("checkpoint follower", async () => follower?.stop());
    await step("server events", () => events.close());
    await step("ledger", () => ledger.close());
    await step("database", () => prisma.$disconnect());
    const exitCode = failed ? 1 : code;
    log.info("relay stopped", { reason, code: exitCode });
    process.exit(exitCode);
  };

  await new Promise<void>((resolve) => http.listen(env.CAIRN_RELAY_PORT, env.CAIRN_RELAY_HOST, resolve));
  const address = http.address();
  const port = typeof address === "object" && address ? address.port : env.CAIRN_RELAY_PORT;
  log.info("relay listening", {
    url: `http://${env.CAIRN_RELAY_HOST}:${port}`,
    ledger: ledger.kind,
    adapter: env.CAIRN_RELAY_ADAPTER,
    ...(env.CAIRN_RELAY_ID ? { relayId: env.CAIRN_RELAY_ID } : {}),
    // What a witness is started with (cairn witness --log-key …), and how many there are.
    logKey: signer.verifierKey,
    witnesses: env.CAIRN_WITNESSES.length,
  });
}

main().catch((err: unknown) => {
  log.error("relay failed to start", errorFields(err));
  process.stderr.write(`relay failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
