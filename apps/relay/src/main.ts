/**
 * Relay process entry: migrations, ledger, Socket.IO server, ledger worker and the
 * server-event listener. Stops cleanly on SIGINT/SIGTERM.
 */
import { createServer } from "node:http";
import path from "node:path";
import { followCheckpoints, openLedger, startLedgerWorker } from "@cairn/anchoring";
import { createPrismaClient, latestCheckpoint, subscribeServerEvents } from "@cairn/db";
import { migrate } from "@cairn/db/admin";
import { createLogger, errorFields } from "@cairn/log";
import { createRelay } from "./app";
import { parseEnv } from "./env";
import { createLedgerHttpHandler } from "./ledger-http";

async function main(): Promise<void> {
  const env = parseEnv();
  const log = createLogger(env.CAIRN_LOG_LEVEL);
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
  const worker = startLedgerWorker({
    prisma,
    ledger,
    databaseUrl: env.DATABASE_URL,
    serverSecret: env.CAIRN_SERVER_SECRET,
    log,
    intervalMs: env.CAIRN_ANCHOR_INTERVAL_MS,
    maxBatch: env.CAIRN_ANCHOR_MAX_BATCH,
  });
  const relay = createRelay(http, {
    prisma,
    log,
    corsOrigins: env.CAIRN_WEB_ORIGINS,
    onStored: () => worker.wake(),
  });
  const events = await subscribeServerEvents(
    env.DATABASE_URL,
    (event) => {
      if (event.type === "membership") relay.joinRoom(event.roomId, event.userIds);
      else if (event.type === "deviceRevoked") relay.dropDevice(event.deviceId);
      else
        void latestCheckpoint(prisma).then((cp) => {
          if (cp) relay.broadcastCheckpoint(cp);
        });
    },
    (err) => log.warn("server events connection error", errorFields(err)),
  );
  const follower =
    "watchCheckpoints" in ledger
      ? followCheckpoints({
          prisma,
          ledger,
          // Beside the network's own files: a new network starts a new position.
          positionFile: path.join(path.dirname(path.resolve(env.CAIRN_FABRIC_NETWORK)), "relay-checkpoint-events.json"),
          log,
        })
      : null;
  await new Promise<void>((resolve) => http.listen(env.CAIRN_RELAY_PORT, env.CAIRN_RELAY_HOST, resolve));
  const address = http.address();
  const port = typeof address === "object" && address ? address.port : env.CAIRN_RELAY_PORT;
  log.info("relay listening", { url: `http://${env.CAIRN_RELAY_HOST}:${port}`, ledger: ledger.kind });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("relay stopping", { signal });
    await relay.close();
    await worker.stop();
    await follower?.stop();
    await events.close().catch(() => undefined);
    await ledger.close();
    await prisma.$disconnect();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((err: unknown) => {
  process.stderr.write(`relay failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
