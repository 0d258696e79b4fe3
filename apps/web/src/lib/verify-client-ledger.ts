/**
 * The verifier's {@link LedgerView} over the relay's read-only ledger endpoints
 * (GET {relay}/ledger/…, session cookie), so the browser checks a bundle against the
 * chain's records rather than Cairn's database. The relay looks keys up by user id
 * (it alone holds the secret that turns an id into its on-chain userRef), so the view
 * maps each userRef to the user id the bundle's `keys` line names; a bundle that pairs
 * an id with someone else's userRef gets that id's record, whose userRef differs, and
 * the verifier reports `substituted-key`.
 */
import type { LedgerView } from "@cairn/audit";

type KeysRecord = Awaited<ReturnType<LedgerView["getKeys"]>>;

export class LedgerViewError extends Error {
  override readonly name = "LedgerViewError";
  readonly code = "LEDGER_UNAVAILABLE";
}

export interface RelayLedgerView extends LedgerView {
  /** Tells the view which user id a userRef stands for (from the bundle's keys lines). */
  learnUser(userRef: string, userId: string): void;
}

/** @param fetchImpl defaults to the global fetch (with the session cookie) */
export function relayLedgerView(relayUrl: string, fetchImpl: typeof fetch = (input, init) => fetch(input, init)): RelayLedgerView {
  const base = relayUrl.replace(/\/$/, "");
  const users = new Map<string, string>();

  async function get<T>(path: string): Promise<T | null> {
    let res: Response;
    try {
      res = await fetchImpl(`${base}${path}`, { credentials: "include", cache: "no-store" });
    } catch (err) {
      throw new LedgerViewError(`the ledger view cannot be reached (${(err as Error).message})`);
    }
    if (res.status === 404) return null;
    if (!res.ok) throw new LedgerViewError(`the ledger view answered ${res.status} for ${path}`);
    return (await res.json()) as T;
  }

  return {
    learnUser(userRef, userId) {
      users.set(userRef, userId);
    },
    async getKeys(userRef) {
      const userId = users.get(userRef);
      if (userId === undefined) return null;
      return get<NonNullable<KeysRecord>>(`/ledger/users/${encodeURIComponent(userId)}/keys`);
    },
    async getCheckpoint(treeSize) {
      return get(`/ledger/checkpoints/${treeSize}`);
    },
    async getLeaf(index) {
      return get(`/ledger/leaves/${index}`);
    },
  };
}
