/**
 * Worker test fixtures: people signed up with a real {@link CryptoEngine} over an
 * in-memory store with transactions, their public keys as the server would serve
 * them, and envelopes turned into stored messages (room sequence numbers in order).
 */
import { membershipEventHash } from "@cairn/audit";
import { generateIdentity, signMembershipEvent, type SigningKeyPair } from "@cairn/crypto";
import { fromBase64Url, MEMBERSHIP_GENESIS, toBase64Url, type RoomEventView, type StoredMessage, type UserKeys } from "@cairn/protocol";
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

/**
 * The membership chains a server would serve in these tests: per room, a founder key
 * (a member nobody lists) creates the chain and adds each user the first time a test
 * lists them, so every listed user is vouched for and a chain only ever grows.
 */
const chains = new Map<string, { founder: SigningKeyPair; events: RoomEventView[]; members: Set<string> }>();

export function chainFor(roomId: string, users: UserKeys[]): RoomEventView[] {
  let chain = chains.get(roomId);
  const fresh = users.map((u) => u.identityPublicKey).filter((k) => !chain?.members.has(k));
  const unique = [...new Set(fresh)];
  if (!chain || unique.length > 0) {
    const founder = chain?.founder ?? generateIdentity();
    const last = chain?.events.at(-1);
    const seq = last ? last.seq + 1 : 0;
    const targets = unique.map(fromBase64Url);
    const event = signMembershipEvent(founder, {
      roomId,
      seq,
      kind: last ? "add" : "create",
      targets: last ? targets : [founder.publicKey, ...targets],
      prevHash: last ? membershipEventHash({ body: fromBase64Url(last.body), signature: fromBase64Url(last.signature) }) : MEMBERSHIP_GENESIS,
      timeMs: 1_764_000_000_000 + seq,
    });
    chain ??= { founder, events: [], members: new Set() };
    chain.events.push({ seq, body: toBase64Url(event.body), signature: toBase64Url(event.signature), leafIndex: seq, createdAt: new Date(0).toISOString() });
    for (const k of unique) chain.members.add(k);
    chains.set(roomId, chain);
  }
  return [...chain.events];
}
