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
import { ledgerViewClient } from "@cairn/protocol";

export interface RelayLedgerView extends LedgerView {
  /** Tells the view which user id a userRef stands for (from the bundle's keys lines). */
  learnUser(userRef: string, userId: string): void;
}

/**
 * Every read throws CairnError LEDGER_UNAVAILABLE when the view cannot be read or answers an invalid record.
 * @param fetchImpl defaults to the global fetch (with the session cookie)
 */
export function relayLedgerView(relayUrl: string, fetchImpl?: typeof fetch): RelayLedgerView {
  const view = ledgerViewClient(relayUrl, { fetch: fetchImpl, init: { credentials: "include" } });
  const users = new Map<string, string>();
  return {
    learnUser(userRef, userId) {
      users.set(userRef, userId);
    },
    async getKeys(userRef) {
      const userId = users.get(userRef);
      return userId === undefined ? null : view.read("keys", userId);
    },
    getCheckpoint: (treeSize) => view.read("checkpoint", treeSize),
    getLeaf: (index) => view.read("leaf", index),
    getRoomHead: (roomRef, treeSize) => view.read("roomHead", roomRef, treeSize),
  };
}
