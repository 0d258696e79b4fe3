/**
 * A ChaincodeStub over the LedgerState table. Reads see committed state only (a
 * transaction never reads its own writes, as on Fabric); writes are buffered and
 * applied by the caller when the transaction succeeds. Range reads use byte order
 * (COLLATE "C"), as Fabric's state databases do.
 */
import type { CairnStub, StateIterator, StateKV } from "@cairn/chaincode";
import type { Tx, PrismaClient } from "@cairn/db";
import { LedgerError } from "../errors";

type Db = Tx | PrismaClient;

const PAGE = 100;

async function unavailable<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    throw new LedgerError("UNAVAILABLE", `embedded ledger: ${what} failed`, { cause });
  }
}

export class PgStub implements CairnStub {
  /** Buffered writes: value bytes, or null for a delete. */
  readonly writes = new Map<string, Uint8Array | null>();

  constructor(
    private readonly db: Db,
    private readonly txId: string,
    private readonly timestamp: Date,
  ) {}

  async getState(key: string): Promise<Uint8Array> {
    const row = await unavailable("getState", () => this.db.ledgerState.findUnique({ where: { key } }));
    return row ? new Uint8Array(row.value) : new Uint8Array(0);
  }

  putState(key: string, value: Uint8Array): Promise<void> {
    if (typeof key !== "string" || key.length === 0) throw new TypeError("state key must be a non-empty string");
    this.writes.set(key, new Uint8Array(value));
    return Promise.resolve();
  }

  deleteState(key: string): Promise<void> {
    this.writes.set(key, null);
    return Promise.resolve();
  }

  getStateByRange(startKey: string, endKey: string): Promise<StateIterator> {
    const db = this.db;
    let buffer: StateKV[] = [];
    let after: string | null = null;
    let exhausted = false;
    const fetchPage = async () => {
      const rows = await unavailable("getStateByRange", () =>
        after === null
          ? db.$queryRaw<{ key: string; value: Uint8Array }[]>`
              SELECT "key", "value" FROM "LedgerState"
              WHERE "key" COLLATE "C" >= ${startKey} AND "key" COLLATE "C" < ${endKey}
              ORDER BY "key" COLLATE "C" LIMIT ${PAGE}`
          : db.$queryRaw<{ key: string; value: Uint8Array }[]>`
              SELECT "key", "value" FROM "LedgerState"
              WHERE "key" COLLATE "C" > ${after} AND "key" COLLATE "C" < ${endKey}
              ORDER BY "key" COLLATE "C" LIMIT ${PAGE}`,
      );
      buffer = rows.map((r) => ({ key: r.key, value: new Uint8Array(r.value) }));
      after = rows[rows.length - 1]?.key ?? after;
      if (rows.length < PAGE) exhausted = true;
    };
    return Promise.resolve({
      next: async () => {
        if (buffer.length === 0 && !exhausted) await fetchPage();
        const value = buffer.shift();
        return value ? { value, done: false } : { done: true };
      },
      close: () => Promise.resolve(),
    });
  }

  getTxID(): string {
    return this.txId;
  }

  getDateTimestamp(): Date {
    return new Date(this.timestamp);
  }

  /**
   * The embedded ledger has no event service: its readers poll (the relay's worker
   * records every checkpoint it appends). The event is kept on the stub for tests
   * and dropped with it; it is not part of the block log.
   */
  event: { name: string; payload: Uint8Array } | null = null;
  setEvent(name: string, payload: Uint8Array): void {
    this.event = { name, payload };
  }
}
