/**
 * Moving one account's local records to a new keystore key (a passphrase change).
 *
 * Every secret the worker stores is wrapped under the keystore key (store.ts), so a new
 * passphrase means re-wrapping all of them: the account's key pairs, its outbound and
 * inbound sessions, the plaintext cache and the local backup copy, and a new unlock
 * record. {@link rewrapAccount} does all of it in ONE transaction (store-tx.ts): a
 * crash, a closed tab or a record that throws leaves every record under the old key.
 *
 * The server switches passphrase between the two local steps, so a crash can fall
 * between them. The intent record covers that gap: before the server is asked, the
 * key the records are wrapped under now is stored wrapped under the NEW keystore key
 * ({@link saveRekeyIntent}). Whichever passphrase the server then holds opens the keys:
 * the old one directly (the intent is stale and dropped at log-in), the new one
 * through the intent ({@link openRekeyIntent}), after which the log-in re-wraps.
 */
import { unwrapSecret, wrapSecret } from "@cairn/crypto";
import { accountContext, sealUnlock, UNLOCK_KEY, type AccountRecord } from "./keyring";
import type { KeyValueStore, StoreName } from "./store";
import { transactionsOf, type StoreTransaction } from "./store-tx";

export interface Who {
  userId: string;
  username: string;
}

interface RekeyIntent {
  userId: string;
  /** The key the records are wrapped under, wrapped under the new keystore key. */
  previousKey: Uint8Array;
}

/** Usernames never contain ":", so this key never names an account record. */
const intentKey = (username: string) => `rekey:${username}`;
const intentContext = (userId: string) => `cairn/rekey/v1:${userId}`;

/** Before the server is asked: lets `nextKey` (the new passphrase's) open what `currentKey` wraps. */
export async function saveRekeyIntent(
  store: KeyValueStore,
  who: Who,
  currentKey: Uint8Array,
  nextKey: Uint8Array,
): Promise<void> {
  const intent: RekeyIntent = {
    userId: who.userId,
    previousKey: wrapSecret(nextKey, currentKey, intentContext(who.userId)),
  };
  await store.put("accounts", intentKey(who.username), intent);
}

/** The key the records are still wrapped under, when an interrupted change to `key` left an intent; else null. */
export async function openRekeyIntent(
  store: KeyValueStore,
  who: Who,
  key: Uint8Array,
): Promise<Uint8Array | null> {
  const intent = await store.get<RekeyIntent>("accounts", intentKey(who.username));
  if (!intent || intent.userId !== who.userId) return null;
  try {
    return unwrapSecret(key, intent.previousKey, intentContext(who.userId));
  } catch {
    return null;
  }
}

/** Forgets an intent (the server refused the change, or a log-in showed it stale). */
export async function dropRekeyIntent(store: KeyValueStore, username: string): Promise<void> {
  await store.delete("accounts", intentKey(username));
}

type Rewrap = (wrapped: unknown, context: string) => Uint8Array | undefined;
type Step = (tx: StoreTransaction, who: Who, rewrap: Rewrap, unlock: unknown) => Promise<number>;

/**
 * How each store's records of one account move to the new key. A Record over every
 * StoreName: a store added to store.ts does not compile until it says how it re-wraps.
 */
const PLAN: Record<StoreName, Step> = {
  async accounts(tx, who, rewrap) {
    const record = await tx.get<AccountRecord>("accounts", who.username);
    const wrapped =
      record?.userId === who.userId
        ? rewrap(record.wrapped, accountContext(who.userId))
        : undefined;
    if (!record || !wrapped) throw new Error("the account's keys do not open with the current key");
    await tx.put("accounts", who.username, { ...record, wrapped } satisfies AccountRecord);
    await tx.delete("accounts", intentKey(who.username));
    return 1;
  },
  async unlock(tx, _who, _rewrap, unlock) {
    await tx.put("unlock", UNLOCK_KEY, unlock);
    return 1;
  },
  outbound: (tx, who, rewrap) =>
    tx.rewrite("outbound", `${who.userId}|`, (k, v) => rewrap(v, `cairn/outbound/v1:${k}`)),
  inbound: (tx, who, rewrap) =>
    tx.rewrite("inbound", `${who.userId}|`, (k, v) => rewrap(v, `cairn/inbound/v1:${k}`)),
  plaintexts: (tx, who, rewrap) =>
    tx.rewrite("plaintexts", `${who.userId}|`, (k, v) => rewrap(v, `cairn/plaintext/v1:${k}`)),
  async backup(tx, who, rewrap) {
    const wrapped = rewrap(
      await tx.get("backup", who.userId),
      `cairn/local-backup/v1:${who.userId}`,
    );
    if (!wrapped) return 0;
    await tx.put("backup", who.userId, wrapped);
    return 1;
  },
};

/**
 * Re-wraps every record of `who` from `from` to `to`, installs an unlock record for
 * `to` and drops the intent, in one transaction. A record that does not open with
 * `from` (it could not be read before either) is left as it is.
 * @returns how many records each store re-wrapped
 * @throws when the account record itself does not open with `from` (nothing changes)
 */
export async function rewrapAccount(
  store: KeyValueStore,
  who: Who,
  from: Uint8Array,
  to: Uint8Array,
): Promise<Record<StoreName, number>> {
  // WebCrypto is asynchronous: seal the unlock record before the transaction opens.
  const unlock = await sealUnlock(who, to);
  const rewrap: Rewrap = (wrapped, context) => {
    if (!(wrapped instanceof Uint8Array)) return undefined;
    let plain: Uint8Array;
    try {
      plain = unwrapSecret(from, wrapped, context);
    } catch {
      return undefined;
    }
    try {
      return wrapSecret(to, plain, context);
    } finally {
      plain.fill(0);
    }
  };
  const counts = {} as Record<StoreName, number>;
  await transactionsOf(store).transaction(async (tx) => {
    for (const [name, step] of Object.entries(PLAN) as [StoreName, Step][])
      counts[name] = await step(tx, who, rewrap, unlock);
  });
  return counts;
}
