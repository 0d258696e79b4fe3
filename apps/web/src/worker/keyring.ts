/**
 * The account's private keys at rest: one record per username, the identity and
 * device key pairs wrapped under the keystore key (from the passphrase), plus the
 * "unlock" record that lets a reload resume without the passphrase for as long as the
 * login lasts: the keystore key encrypted under a non-extractable AES-GCM WebCrypto
 * key. Script can use that key but never read it; logout deletes the record.
 */
import { unwrapSecret, wrapSecret, type DeviceKeys, type SigningKeyPair } from "@cairn/crypto";
import { fromBase64Url, toBase64Url } from "@cairn/protocol";
import { EngineError } from "./api";
import type { KeyValueStore } from "./store";

export interface Keys {
  userId: string;
  username: string;
  identity: SigningKeyPair;
  device: DeviceKeys;
}

export interface AccountRecord {
  username: string;
  userId: string;
  identityPublicKey: string;
  deviceId: string;
  wrapped: Uint8Array;
}

export interface UnlockRecord {
  userId: string;
  username: string;
  key: CryptoKey;
  iv: Uint8Array<ArrayBuffer>;
  sealed: ArrayBuffer;
}

export const UNLOCK_KEY = "current";
/** The wrap context of an account record's keys. */
export const accountContext = (userId: string) => `cairn/keystore/v1:${userId}`;
const context = accountContext;
const b = toBase64Url;
const u = fromBase64Url;

function encodeKeys(k: Keys): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      identity: [b(k.identity.publicKey), b(k.identity.secretKey)],
      deviceId: k.device.deviceId,
      signing: [b(k.device.signing.publicKey), b(k.device.signing.secretKey)],
      agreement: [b(k.device.agreement.publicKey), b(k.device.agreement.secretKey)],
    }),
  );
}

function decodeKeys(userId: string, username: string, bytes: Uint8Array): Keys {
  const o = JSON.parse(new TextDecoder().decode(bytes)) as {
    identity: [string, string];
    deviceId: string;
    signing: [string, string];
    agreement: [string, string];
  };
  return {
    userId,
    username,
    identity: { publicKey: u(o.identity[0]), secretKey: u(o.identity[1]) },
    device: {
      deviceId: o.deviceId,
      signing: { publicKey: u(o.signing[0]), secretKey: u(o.signing[1]) },
      agreement: { publicKey: u(o.agreement[0]), secretKey: u(o.agreement[1]) },
    },
  };
}

/** Stores the account's keys wrapped under keystoreKey. */
export async function saveKeys(store: KeyValueStore, keys: Keys, keystoreKey: Uint8Array): Promise<void> {
  const record: AccountRecord = {
    username: keys.username,
    userId: keys.userId,
    identityPublicKey: b(keys.identity.publicKey),
    deviceId: keys.device.deviceId,
    wrapped: wrapSecret(keystoreKey, encodeKeys(keys), context(keys.userId)),
  };
  await store.put("accounts", keys.username, record);
}

/**
 * Unwraps the keys this browser holds for the account.
 * @throws EngineError NO_LOCAL_KEYS when this browser has none for it (or for an
 *   older account of the same name), KEYSTORE_MISMATCH when they do not open
 */
export async function loadKeys(
  store: KeyValueStore,
  account: { id: string; username: string; identityPublicKey: string },
  keystoreKey: Uint8Array,
): Promise<Keys> {
  const record = await store.get<AccountRecord>("accounts", account.username);
  if (!record || record.userId !== account.id || record.identityPublicKey !== account.identityPublicKey) {
    throw new EngineError(
      "NO_LOCAL_KEYS",
      "This browser has no keys for this account. Restore them with your recovery key.",
    );
  }
  try {
    return decodeKeys(record.userId, record.username, unwrapSecret(keystoreKey, record.wrapped, context(record.userId)));
  } catch {
    throw new EngineError("KEYSTORE_MISMATCH", "The keys stored in this browser do not open with this passphrase.");
  }
}

/** keystoreKey sealed under a fresh non-extractable AES-GCM key (the "unlock" record, not yet stored). */
export async function sealUnlock(who: { userId: string; username: string }, keystoreKey: Uint8Array): Promise<UnlockRecord> {
  const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, keystoreKey.slice());
  return { userId: who.userId, username: who.username, key, iv, sealed };
}

/** Remembers keystoreKey for this login, under a fresh non-extractable AES-GCM key. */
export async function saveUnlock(
  store: KeyValueStore,
  who: { userId: string; username: string },
  keystoreKey: Uint8Array,
): Promise<void> {
  await store.put("unlock", UNLOCK_KEY, await sealUnlock(who, keystoreKey));
}

/** The keystore key remembered for `userId`'s login, or null. */
export async function loadUnlock(
  store: KeyValueStore,
  userId: string,
): Promise<{ username: string; keystoreKey: Uint8Array } | null> {
  const record = await store.get<UnlockRecord>("unlock", UNLOCK_KEY);
  if (!record || record.userId !== userId) return null;
  try {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: record.iv }, record.key, record.sealed);
    return { username: record.username, keystoreKey: new Uint8Array(plain) };
  } catch {
    return null;
  }
}

/** Forgets the remembered keystore key (logout). */
export async function clearUnlock(store: KeyValueStore): Promise<void> {
  await store.delete("unlock", UNLOCK_KEY);
}

/** The public account record (to resume with the right identity key). */
export async function accountRecord(
  store: KeyValueStore,
  username: string,
): Promise<{ userId: string; identityPublicKey: string } | undefined> {
  return store.get<AccountRecord>("accounts", username);
}
