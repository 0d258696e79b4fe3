/**
 * All-or-nothing writes across the worker's object stores, for re-wrapping every
 * local key record at once (a passphrase change, keyring.ts). {@link KeyValueStore}
 * has neither listing nor multi-store transactions; this module adds both beside it:
 * in browsers it opens the same IndexedDB database and runs one readwrite transaction
 * over every store (a throw, a crash or a closed tab rolls every write back); in tests,
 * a Map-backed store that stages writes and applies them only when the body returns.
 */
import { openDB } from "idb";
import { STORES, type KeyValueStore, type StoreName } from "./store";

export interface StoreTransaction {
  get<T>(store: StoreName, key: string): Promise<T | undefined>;
  put(store: StoreName, key: string, value: unknown): Promise<void>;
  delete(store: StoreName, key: string): Promise<void>;
  /**
   * Replaces every record of `store` whose key starts with `prefix` by `map(key, value)`
   * (a record `map` returns undefined for stays as it is). @returns how many it replaced
   */
  rewrite(
    store: StoreName,
    prefix: string,
    map: (key: string, value: unknown) => unknown,
  ): Promise<number>;
}

export interface TransactionalStore {
  /**
   * Runs `body` in one transaction over every store: all its writes land, or none do.
   * `body` may await only the transaction's own calls (IndexedDB commits a transaction
   * that waits on anything else).
   */
  transaction(body: (tx: StoreTransaction) => Promise<void>): Promise<void>;
}

const DB_NAME = "cairn-keystore";

/** The browser's transactions, on the database idb-store.ts opens (at whatever version it has). */
export function idbTransactions(): TransactionalStore {
  return {
    async transaction(body) {
      // No version: open what idb-store.ts created and upgraded (keys exist before any re-wrap).
      const db = await openDB(DB_NAME);
      try {
        const names = STORES.filter((s) => db.objectStoreNames.contains(s));
        const tx = db.transaction(names, "readwrite");
        const done = tx.done;
        try {
          await body({
            get: async <T>(s: StoreName, k: string) =>
              (await tx.objectStore(s).get(k)) as T | undefined,
            put: async (s, k, v) => {
              await tx.objectStore(s).put(v, k);
            },
            delete: async (s, k) => {
              await tx.objectStore(s).delete(k);
            },
            async rewrite(s, prefix, map) {
              let n = 0;
              let cursor = await tx
                .objectStore(s)
                .openCursor(IDBKeyRange.bound(prefix, `${prefix}\uffff`));
              while (cursor) {
                // Keys in a string range are strings.
                const next = map(cursor.key as string, cursor.value);
                if (next !== undefined) {
                  await cursor.update(next);
                  n += 1;
                }
                cursor = await cursor.continue();
              }
              return n;
            },
          });
        } catch (err) {
          tx.abort();
          await done.catch(() => undefined);
          throw err;
        }
        await done;
      } finally {
        db.close();
      }
    },
  };
}

/**
 * An in-memory {@link KeyValueStore} with transactions (tests): a transaction works
 * on copies of the maps and swaps them in only when its body returns.
 */
export function memoryTransactionalStore(): KeyValueStore & TransactionalStore {
  let maps = new Map<StoreName, Map<string, unknown>>(STORES.map((s) => [s, new Map()]));
  const of = (m: typeof maps, s: StoreName) => m.get(s) as Map<string, unknown>;
  return {
    get: <T>(s: StoreName, k: string) => Promise.resolve(of(maps, s).get(k) as T | undefined),
    put: (s, k, v) => {
      of(maps, s).set(k, v);
      return Promise.resolve();
    },
    delete: (s, k) => {
      of(maps, s).delete(k);
      return Promise.resolve();
    },
    async transaction(body) {
      const staged = new Map([...maps].map(([s, m]) => [s, new Map(m)]));
      await body({
        get: <T>(s: StoreName, k: string) => Promise.resolve(of(staged, s).get(k) as T | undefined),
        put: (s, k, v) => {
          of(staged, s).set(k, v);
          return Promise.resolve();
        },
        delete: (s, k) => {
          of(staged, s).delete(k);
          return Promise.resolve();
        },
        rewrite: (s, prefix, map) => {
          let n = 0;
          const m = of(staged, s);
          for (const [k, v] of [...m]) {
            if (!k.startsWith(prefix)) continue;
            const next = map(k, v);
            if (next === undefined) continue;
            m.set(k, next);
            n += 1;
          }
          return Promise.resolve(n);
        },
      });
      maps = staged;
    },
  };
}

/** `store`'s own transactions when it has them (tests), else the browser's IndexedDB ones. */
export function transactionsOf(store: KeyValueStore): TransactionalStore {
  const own = store as Partial<TransactionalStore>;
  if (typeof own.transaction === "function") return own as TransactionalStore;
  if (typeof indexedDB === "undefined")
    throw new Error("This store cannot re-wrap keys (no transactions).");
  return idbTransactions();
}
