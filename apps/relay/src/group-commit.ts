/**
 * The relay's write path: envelopes that arrive while a group is being committed
 * wait and go together in the next one (group commit, docs/relay-operations.md).
 * At low load a group is whatever arrived in the same turn of the event loop, so a
 * lone message waits for nothing; under load groups grow up to `maxBatch`, and the
 * database does one commit per group instead of one per message.
 *
 * Admission control: at most `maxQueued` envelopes wait or are being stored in this
 * process, and none waits to start longer than `maxWaitMs`. Beyond either, `store`
 * refuses at once with OVERLOADED (retryable, nothing stored): overload never becomes
 * a queue whose every entry is late, and what is admitted is acked in bounded time.
 */
import { CairnError } from "@cairn/protocol";
import { MAX_BATCH, storeEnvelopeBatch, type BatchEnvelope, type BatchOutcome, type StoredInBatch } from "@cairn/db";
import type pg from "pg";

export interface GroupCommitOptions {
  /** Envelopes per statement (≤ MAX_BATCH of @cairn/db). */
  maxBatch?: number;
  /** Envelopes waiting or in a statement, beyond which `store` answers OVERLOADED. */
  maxQueued?: number;
  /** Refuse while the oldest waiting envelope has waited this long (a full queue's delay bound). */
  maxWaitMs?: number;
  /**
   * Groups in the database at once (default 2: while one commits, the next is sent and
   * planned; the log head still serialises their commits). BENCHMARKS.md "## relay".
   */
  concurrency?: number;
  /** Stores one group; tests may wrap it (default: storeEnvelopeBatch on `pool`). */
  storeBatch?: (items: BatchEnvelope[]) => Promise<BatchOutcome[]>;
}

export interface GroupCommit {
  /**
   * Resolves once the envelope's row, room sequence number and audit leaf are
   * committed (or were before: a resend).
   * @throws CairnError OVERLOADED when the queue is full; UNAVAILABLE when the
   *   database cannot be reached; the envelope's own refusal (NOT_A_MEMBER, CONFLICT…)
   */
  store(item: BatchEnvelope): Promise<StoredInBatch>;
  /** Throws what `store` would refuse with under overload, before any work is spent on an envelope. */
  admit(): void;
  /** Envelopes waiting or in a statement. */
  queued(): number;
}

/** Largest sender-key index the Envelope table stores (a PostgreSQL int4). */
const MAX_STORED_INDEX = 0x7fff_ffff;
/** How long an OVERLOADED or UNAVAILABLE sender is asked to wait before resending. */
const OVERLOADED_RETRY_MS = 250;
const UNAVAILABLE_RETRY_MS = 1_000;

interface Waiter {
  item: BatchEnvelope;
  since: number;
  resolve: (stored: StoredInBatch) => void;
  reject: (err: unknown) => void;
}

export function createGroupCommit(pool: pg.Pool, opts: GroupCommitOptions = {}): GroupCommit {
  const maxBatch = Math.min(opts.maxBatch ?? 256, MAX_BATCH);
  const maxQueued = opts.maxQueued ?? 4 * maxBatch;
  const maxWaitMs = opts.maxWaitMs ?? 200;
  const concurrency = opts.concurrency ?? 2;
  const storeBatch = opts.storeBatch ?? ((items: BatchEnvelope[]) => storeEnvelopeBatch(pool, items));
  let waiting: Waiter[] = [];
  let inStatements = 0;
  let running = 0;
  let scheduled = false;

  const schedule = () => {
    if (scheduled || running >= concurrency || waiting.length === 0) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      while (running < concurrency && waiting.length > 0) void runGroup(takeGroup());
    });
  };

  /** The next group: up to maxBatch waiters, at most one per clientMsgId and per envelope identity. */
  const takeGroup = (): Waiter[] => {
    const group: Waiter[] = [];
    const later: Waiter[] = [];
    const keys = new Set<string>();
    for (const w of waiting) {
      const e = w.item.envelope;
      const byId = `${e.senderDeviceId}\n${w.item.clientMsgId}`;
      const byIdentity = `${e.senderDeviceId}\n${Buffer.from(e.sessionId).toString("base64")}\n${e.index}`;
      if (group.length >= maxBatch || keys.has(byId) || keys.has(byIdentity)) {
        later.push(w);
        continue;
      }
      keys.add(byId).add(byIdentity);
      group.push(w);
    }
    // A duplicate waits for the next group, where the database answers it as a resend.
    waiting = later;
    return group;
  };

  const runGroup = async (group: Waiter[]): Promise<void> => {
    running += 1;
    inStatements += group.length;
    try {
      await settle(group);
    } finally {
      inStatements -= group.length;
      running -= 1;
      schedule();
    }
  };

  /** Stores a group; a group that fails on one envelope's data is split until that one fails alone. */
  const settle = async (group: Waiter[]): Promise<void> => {
    let results: BatchOutcome[];
    try {
      results = await storeBatch(group.map((w) => w.item));
    } catch (err) {
      if (group.length > 1 && isDataError(err)) {
        const half = Math.ceil(group.length / 2);
        await settle(group.slice(0, half));
        await settle(group.slice(half));
        return;
      }
      const refusal = toRefusal(err);
      for (const w of group) w.reject(refusal);
      return;
    }
    group.forEach((w, i) => {
      const r = results[i];
      if (r?.ok) w.resolve(r.stored);
      else w.reject(r?.error ?? new CairnError("INTERNAL", "No outcome for this envelope."));
    });
  };

  const admit = () => {
    const oldest = waiting[0];
    if (waiting.length + inStatements >= maxQueued || (oldest && performance.now() - oldest.since > maxWaitMs)) {
      throw new CairnError("OVERLOADED", "The relay is at capacity; resend shortly.", { retryAfterMs: OVERLOADED_RETRY_MS });
    }
  };

  return {
    admit,
    store(item) {
      if (item.envelope.index > MAX_STORED_INDEX) {
        return Promise.reject(new CairnError("VALIDATION_FAILED", `Envelope indices above ${MAX_STORED_INDEX} are not stored.`));
      }
      return new Promise<StoredInBatch>((resolve, reject) => {
        admit(); // a throw here rejects the promise
        waiting.push({ item, since: performance.now(), resolve, reject });
        schedule();
      });
    },
    queued: () => waiting.length + inStatements,
  };
}

function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Data exceptions (22…) and integrity violations (23…) that a rerun does not cure: one envelope's fault. */
function isDataError(err: unknown): boolean {
  const state = sqlState(err);
  return state !== undefined && (state.startsWith("22") || state.startsWith("23"));
}

/**
 * The database is down or restarting: SQLSTATE classes 08 (connection), 53 (resources)
 * and 57 (operator intervention, e.g. a shutdown), a socket error, or node-postgres
 * losing or failing to open its connection.
 */
function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && (/^(08|53|57)/.test(code) || /^E[A-Z]+$/.test(code))) return true;
  const message = err instanceof Error ? err.message : "";
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(message);
}

/** What the senders of a failed group hear: their own error, UNAVAILABLE (retry) or INTERNAL. */
function toRefusal(err: unknown): unknown {
  if (err instanceof CairnError) return err;
  if (isDataError(err)) return new CairnError("VALIDATION_FAILED", "The database refused this envelope.", { cause: err });
  if (isUnavailable(err)) {
    return new CairnError("UNAVAILABLE", "The message store is unreachable; resend shortly.", {
      cause: err,
      retryAfterMs: UNAVAILABLE_RETRY_MS,
    });
  }
  return err;
}
