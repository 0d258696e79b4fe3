import { openDB, type IDBPDatabase } from "idb";
import { STORES, type KeyValueStore, type StoreName } from "./store";

const DB_NAME = "cairn-keystore";
// 2: the "backup" store (local copy of the key backup).
const DB_VERSION = 2;

/** The browser's {@link KeyValueStore}: one IndexedDB database, one object store per name. */
export function idbStore(): KeyValueStore {
  let dbp: Promise<IDBPDatabase> | undefined;
  const open = () =>
    (dbp ??= openDB(DB_NAME, DB_VERSION, {
      upgrade(db) {
        for (const name of STORES) if (!db.objectStoreNames.contains(name)) db.createObjectStore(name);
      },
    }));
  return {
    async get<T>(store: StoreName, key: string) {
      return (await (await open()).get(store, key)) as T | undefined;
    },
    async put(store, key, value) {
      await (await open()).put(store, value, key);
    },
    async delete(store, key) {
      await (await open()).delete(store, key);
    },
  };
}
