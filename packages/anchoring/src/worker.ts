/**
 * The ledger worker: exactly one leader among all relay processes (a PostgreSQL
 * advisory lock held on a dedicated connection) submits queued key registrations and
 * anchors audit batches. Batches go up one after another, each as large as what is
 * pending, so throughput grows with load while latency stays near one commit. The
 * outbox round never holds anchoring back: a refused registration is skipped, an
 * unreachable ledger only ends the outbox round. A failed anchor round backs off and
 * resumes from the chain's own tree size.
 */
import pg from "pg";
import { publishServerEvent, type PrismaClient } from "@cairn/db";
import type { Ledger, LedgerCheckpoint } from "@cairn/ledger";
import { errorFields, type Logger } from "@cairn/log";
import { anchorRound, syncFromChain } from "./anchor";
import { outboxRound } from "./outbox";
import { roomRef } from "./user-ref";
import { witnessCheckpoint, type LogSigner } from "./witnessing";

/** Arbitrary constant naming the leader lock. */
export const LEADER_LOCK_ID = 72_707_370;
const OUTBOX_MAX_BACKOFF_MS = 30_000;

export interface LedgerWorkerOptions {
  prisma: PrismaClient;
  ledger: Ledger;
  databaseUrl: string;
  serverSecret: string;
  log: Logger;
  intervalMs: number;
  maxBatch: number;
  onCheckpoint?: (checkpoint: LedgerCheckpoint) => void;
  /** Witness URLs (`cairn witness`) each new checkpoint is sent to, signed by `logSigner`; none by default. */
  witnesses?: readonly string[];
  logSigner?: LogSigner;
}

export interface LedgerWorker {
  /** Asks for a round soon (a message was stored). */
  wake(): void;
  isLeader(): boolean;
  stop(): Promise<void>;
}

export function startLedgerWorker(opts: LedgerWorkerOptions): LedgerWorker {
  const { prisma, ledger, log } = opts;
  let stopped = false;
  let leader = false;
  let wakeUp: (() => void) | null = null;
  let lockClient: pg.Client | null = null;
  /** Checkpoints go to the witnesses in order, one after another, never holding up anchoring. */
  let witnessing: Promise<unknown> = Promise.resolve();
  const witnesses = opts.witnesses ?? [];

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });

  async function acquire(): Promise<void> {
    while (!stopped && !leader) {
      try {
        lockClient ??= await connect();
        const { rows } = await lockClient.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [
          LEADER_LOCK_ID,
        ]);
        leader = rows[0]?.ok === true;
        if (leader) log.info("ledger worker is leader", { ledger: ledger.kind });
      } catch (err) {
        log.warn("leader lock unavailable", errorFields(err));
        await lockClient?.end().catch(() => undefined);
        lockClient = null;
      }
      if (!leader) await sleep(2_000);
    }
  }

  async function connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: opts.databaseUrl });
    client.on("error", (err) => {
      // Losing the connection loses the lock: step down and compete again.
      log.warn("leader connection lost", errorFields(err));
      leader = false;
      lockClient = null;
    });
    await client.connect();
    return client;
  }

  async function loop(): Promise<void> {
    let backoff = opts.intervalMs;
    let chainSize: number | null = null;
    // The outbox backs off on its own clock, so a registration the ledger cannot take
    // right now costs the anchor rounds nothing while it waits.
    let outboxBackoff = opts.intervalMs;
    let outboxNextAt = 0;
    while (!stopped) {
      await acquire();
      if (stopped) break;
      if (Date.now() >= outboxNextAt) {
        const outbox = await outboxRound(prisma, ledger, opts.serverSecret, log).catch((err: unknown) => {
          log.warn("key registration round failed", errorFields(err)); // the database, not the ledger
          return null;
        });
        if (outbox && !outbox.stoppedBy) {
          outboxBackoff = opts.intervalMs;
        } else {
          outboxNextAt = Date.now() + outboxBackoff;
          outboxBackoff = Math.min(outboxBackoff * 2, OUTBOX_MAX_BACKOFF_MS);
        }
      }
      try {
        const from: number = chainSize ?? (await syncFromChain(prisma, ledger));
        chainSize = from;
        const round = await anchorRound(prisma, ledger, from, opts.maxBatch, (roomId) => roomRef(opts.serverSecret, roomId));
        backoff = opts.intervalMs;
        if (round.checkpoint) {
          chainSize = round.checkpoint.treeSize;
          log.info("anchored", { appended: round.appended, treeSize: chainSize, txId: round.checkpoint.txId });
          await publishServerEvent(prisma, { type: "checkpoint", treeSize: chainSize });
          opts.onCheckpoint?.(round.checkpoint);
          const cp = round.checkpoint;
          if (witnesses.length > 0 && opts.logSigner) {
            const signer = opts.logSigner;
            witnessing = witnessing.then(() => witnessCheckpoint(prisma, cp, signer, witnesses, log)).catch(() => undefined);
          }
          continue; // more may be pending: go again without waiting
        }
      } catch (err) {
        chainSize = null; // re-read the chain's own state after any failure
        log.warn("ledger round failed; retrying", { ...errorFields(err), backoffMs: backoff });
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 5_000);
        continue;
      }
      await sleep(opts.intervalMs);
    }
  }

  const running = loop();

  return {
    wake: () => wakeUp?.(),
    isLeader: () => leader,
    stop: async () => {
      stopped = true;
      wakeUp?.();
      await running;
      await witnessing;
      if (lockClient) {
        await lockClient.query("SELECT pg_advisory_unlock($1)", [LEADER_LOCK_ID]).catch(() => undefined);
        await lockClient.end().catch(() => undefined);
      }
    },
  };
}
