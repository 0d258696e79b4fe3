/**
 * Worker test fixtures: people signed up with a real {@link CryptoEngine} over an
 * in-memory store with transactions, their public keys as the server would serve
 * them, and envelopes turned into stored messages (room sequence numbers in order).
 */
import type { StoredMessage, UserKeys } from "@cairn/protocol";
import type { AccountInfo, EncryptResult } from "./api";
import { CryptoEngine } from "./engine";
import { memoryTransactionalStore } from "./store-tx";
import type { KeyValueStore } from "./store";
import type { TransactionalStore } from "./store-tx";

export interface Person {
  engine: CryptoEngine;
  store: KeyValueStore & TransactionalStore;
  account: AccountInfo;
  keys: UserKeys;
  passphrase: string;
  salt: string;
}

/** Signs `username` up on a new browser, or on `store` (another account's browser). */
export async function signUp(
  username: string,
  userId: string,
  store: KeyValueStore & TransactionalStore = memoryTransactionalStore(),
): Promise<Person> {
  const engine = new CryptoEngine(store);
  const passphrase = `${username} correct horse battery`;
  const body = await engine.prepareSignup(username, passphrase);
  const account = { id: userId, username, identityPublicKey: body.identityPublicKey };
  await engine.completeSignup(account);
  const keys: UserKeys = {
    userId,
    username,
    identityPublicKey: body.identityPublicKey,
    devices: [
      {
        ...body.device,
        createdAt: new Date(0).toISOString(),
        revokedAt: null,
        registeredOnLedger: true,
      },
    ],
  };
  return { engine, store, account, keys, passphrase, salt: body.salt };
}

/** Stored messages of one room, numbered as the relay numbers them. */
export function roomLog(roomId: string): (from: Person, sent: EncryptResult) => StoredMessage {
  let seq = 0;
  return (from, sent) => {
    seq += 1;
    return {
      roomId,
      roomSeq: seq,
      leafIndex: seq - 1,
      serverTime: new Date().toISOString(),
      senderUserId: from.account.id,
      senderUsername: from.account.username,
      envelope: sent.envelope,
      anchoredTreeSize: null,
    };
  };
}

/** Hands `sent`'s shares to `to` as the relay delivers them. */
export async function deliverShares(to: Person, sent: EncryptResult): Promise<void> {
  const mine = sent.shares.filter((s) =>
    to.keys.devices.some((d) => d.deviceId === s.recipientDeviceId),
  );
  await to.engine.openShares(
    mine.map((share, i) => ({ id: `${share.recipientDeviceId}-${i}`, share })),
    false,
  );
}
