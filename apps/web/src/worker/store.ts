/**
 * Where the crypto worker keeps its state: a small key-value interface, backed by
 * IndexedDB in browsers (idb-store.ts) and by a Map in tests. Every private key and
 * session in it is wrapped (XChaCha20-Poly1305 under the keystore key) except the
 * unlock record, whose AES-GCM key is a non-extractable WebCrypto key.
 */
export const STORES = ["accounts", "unlock", "outbound", "inbound", "plaintexts", "backup"] as const;
export type StoreName = (typeof STORES)[number];

export interface KeyValueStore {
  get<T>(store: StoreName, key: string): Promise<T | undefined>;
  put(store: StoreName, key: string, value: unknown): Promise<void>;
  delete(store: StoreName, key: string): Promise<void>;
}

/** An in-memory store (tests; and a fallback when IndexedDB is unavailable). */
export function memoryStore(): KeyValueStore {
  const maps = new Map<StoreName, Map<string, unknown>>(STORES.map((s) => [s, new Map()]));
  const of = (s: StoreName) => maps.get(s) as Map<string, unknown>;
  return {
    get: <T>(s: StoreName, k: string) => Promise.resolve(of(s).get(k) as T | undefined),
    put: (s, k, v) => {
      of(s).set(k, v);
      return Promise.resolve();
    },
    delete: (s, k) => {
      of(s).delete(k);
      return Promise.resolve();
    },
  };
}
