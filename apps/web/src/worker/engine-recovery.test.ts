/**
 * The engine's issue-3 flows with real crypto and in-memory stores: key backup and
 * restore on a new device (reading history the old device had already read), backup
 * merging, contact key pinning / change blocking / verification, and device
 * revocation (rotation, refusing the revoked device's later messages).
 */
import { chainFor } from "./test-fixtures";
import { ready } from "@cairn/crypto";
import type { StoredMessage, UserKeys } from "@cairn/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import type { AccountInfo, EncryptResult, SealedBackup } from "./api";
import { CryptoEngine } from "./engine";
import { memoryStore, type KeyValueStore } from "./store";

const ROOM = "5d1c3a8e-2f4d-4a6b-9c1e-0d2f3a4b5c6d";

interface Person {
  engine: CryptoEngine;
  store: KeyValueStore;
  account: AccountInfo;
  keys: UserKeys;
  salt: string;
  words: string;
  server: { backup: SealedBackup | null };
}

const passphrase = (name: string) => `${name} correct horse battery`;

async function signUp(username: string, userId: string): Promise<Person> {
  const store = memoryStore();
  const engine = new CryptoEngine(store);
  const body = await engine.prepareSignup(username, passphrase(username));
  const words = await engine.pendingRecoveryWords();
  const account = { id: userId, username, identityPublicKey: body.identityPublicKey };
  await engine.completeSignup(account);
  const keys: UserKeys = {
    userId,
    username,
    identityPublicKey: body.identityPublicKey,
    devices: [{ ...body.device, createdAt: new Date(0).toISOString(), revokedAt: null, registeredOnLedger: true }],
  };
  const person = { engine, store, account, keys, salt: body.salt, words, server: { backup: null } };
  await sync(person, engine);
  return person;
}

/** What lib/backup-sync.ts does against the server: PUT with version = stored + 1, merge on conflict. */
async function sync(p: Person, engine: CryptoEngine): Promise<void> {
  for (;;) {
    const up = await engine.backupToUpload();
    if (!up) return;
    const stored = p.server.backup;
    if ((stored?.version ?? 0) + 1 !== up.version) {
      await engine.backupConflict(stored as SealedBackup);
      continue;
    }
    p.server.backup = { ciphertext: up.ciphertext, version: up.version };
    await engine.backupUploaded(up.version, up.generation);
  }
}

let seq = 0;
function stored(from: Person, sent: EncryptResult, time = new Date()): StoredMessage {
  seq += 1;
  return {
    roomId: sent.envelope.roomId,
    roomSeq: seq,
    leafIndex: seq - 1,
    serverTime: time.toISOString(),
    senderUserId: from.account.id,
    senderUsername: from.account.username,
    envelope: sent.envelope,
    anchoredTreeSize: null,
  };
}

async function deliver(to: CryptoEngine, sent: EncryptResult): Promise<void> {
  await to.openShares(sent.shares.map((share, i) => ({ id: `s${seq}-${i}`, share })), false);
}

describe("key backup and restore", () => {
  let alice: Person;
  let bob: Person;
  const history: StoredMessage[] = [];

  beforeAll(async () => {
    await ready();
    alice = await signUp("alice", "11111111-1111-4111-8111-111111111111");
    bob = await signUp("bob", "22222222-2222-4222-8222-222222222222");
    for (const p of [alice, bob]) await p.engine.setRoomMembers(ROOM, [alice.keys, bob.keys], chainFor(ROOM, [alice.keys, bob.keys]));
    const a1 = await alice.engine.encrypt(ROOM, "one from alice");
    await deliver(bob.engine, a1);
    history.push(stored(alice, a1));
    const b1 = await bob.engine.encrypt(ROOM, "one from bob");
    await deliver(alice.engine, b1);
    history.push(stored(bob, b1));
    const a2 = await alice.engine.encrypt(ROOM, "two from alice");
    history.push(stored(alice, a2));
    // Alice's device reads everything: its chain keys move past these messages.
    for (const m of history) expect((await alice.engine.decrypt(m)).kind).toBe("text");
    await sync(alice, alice.engine);
  });

  it("keeps the backup dirty until uploaded, then clean", async () => {
    expect(await alice.engine.backupStatus()).toMatchObject({ enabled: true, dirty: false });
    expect(alice.words.split(" ")).toHaveLength(17);
    expect(alice.server.backup?.version).toBeGreaterThanOrEqual(2);
  });

  it("restores on a new device from the words and reads the full history", async () => {
    const phone = new CryptoEngine(memoryStore());
    await phone.prepareLogin(passphrase("alice"), alice.salt);
    await expect(phone.completeLogin(alice.account)).rejects.toMatchObject({ code: "NO_LOCAL_KEYS" });
    await expect(phone.prepareRestore("babab ".repeat(17).trim(), alice.server.backup as SealedBackup)).rejects.toMatchObject({
      code: "BAD_RECOVERY_KEY",
    });
    const reg = await phone.prepareRestore(alice.words, alice.server.backup as SealedBackup);
    expect(reg.deviceId).not.toBe(alice.keys.devices[0]?.deviceId);
    const { verifyDeviceCertificate } = await import("@cairn/crypto");
    const { fromBase64Url } = await import("@cairn/protocol");
    expect(
      verifyDeviceCertificate(fromBase64Url(alice.keys.identityPublicKey), {
        deviceId: reg.deviceId,
        signingPublicKey: fromBase64Url(reg.signingPublicKey),
        agreementPublicKey: fromBase64Url(reg.agreementPublicKey),
        signature: fromBase64Url(reg.signature),
      }),
    ).toBe(true);
    expect(await phone.completeRestore()).toEqual({ deviceId: reg.deviceId });

    await phone.setRoomMembers(ROOM, [alice.keys, bob.keys], chainFor(ROOM, [alice.keys, bob.keys]));
    const bodies = [];
    for (const m of history) {
      const r = await phone.decrypt(m);
      bodies.push(r.kind === "text" ? r.body : r.kind);
    }
    expect(bodies).toEqual(["one from alice", "one from bob", "two from alice"]);
    // The restored device's backup is in sync, and it can keep it updated.
    expect(await phone.backupStatus()).toEqual({ enabled: true, version: alice.server.backup?.version, dirty: false });
  });

  it("refuses a backup of another identity", async () => {
    const phone = new CryptoEngine(memoryStore());
    await phone.prepareLogin(passphrase("alice"), alice.salt);
    await expect(phone.completeLogin(alice.account)).rejects.toMatchObject({ code: "NO_LOCAL_KEYS" });
    await expect(phone.prepareRestore(bob.words, bob.server.backup as SealedBackup)).rejects.toMatchObject({
      code: "BACKUP_MISMATCH",
    });
  });

  it("merges another device's upload on conflict and reads that device's sessions", async () => {
    const phone = new CryptoEngine(memoryStore());
    await phone.prepareLogin(passphrase("alice"), alice.salt);
    await phone.completeLogin(alice.account).catch(() => undefined);
    const reg = await phone.prepareRestore(alice.words, alice.server.backup as SealedBackup);
    await phone.completeRestore();
    const withPhone: UserKeys = {
      ...alice.keys,
      devices: [...alice.keys.devices, { ...reg, createdAt: new Date(0).toISOString(), revokedAt: null, registeredOnLedger: false }],
    };
    await phone.setRoomMembers(ROOM, [withPhone, bob.keys], chainFor(ROOM, [withPhone, bob.keys]));
    // The phone sends (a new session, in its backup), the laptop learns a new contact pin meanwhile.
    const p1 = await phone.encrypt(ROOM, "from the phone");
    const m = stored(alice, { ...p1 });
    const carol: UserKeys = { ...bob.keys, userId: "33333333-3333-4333-8333-333333333333", username: "carol" };
    await alice.engine.setRoomMembers("6d1c3a8e-2f4d-4a6b-9c1e-0d2f3a4b5c6d", [alice.keys, carol], chainFor("6d1c3a8e-2f4d-4a6b-9c1e-0d2f3a4b5c6d", [alice.keys, carol]));
    await sync(alice, phone);
    await sync(alice, alice.engine); // conflict: merges the phone's upload
    expect(await alice.engine.backupStatus()).toMatchObject({ dirty: false, version: alice.server.backup?.version });
    // The laptop can now read the phone's message without any share (the phone's session came in the backup).
    await alice.engine.setRoomMembers(ROOM, [withPhone, bob.keys], chainFor(ROOM, [withPhone, bob.keys]));
    expect(await alice.engine.decrypt(m)).toMatchObject({ kind: "text", body: "from the phone" });
  });
});

describe("contacts: pinning, key changes, verification", () => {
  let alice: Person;
  let bob: Person;
  const ROOM2 = "8d1c3a8e-2f4d-4a6b-9c1e-0d2f3a4b5c6d";

  beforeAll(async () => {
    await ready();
    alice = await signUp("alice", "11111111-1111-4111-8111-111111111111");
    bob = await signUp("bob", "22222222-2222-4222-8222-222222222222");
  });

  it("pins on first sight, blocks sending after a key change until accepted", async () => {
    const first = await alice.engine.setRoomMembers(ROOM2, [alice.keys, bob.keys], chainFor(ROOM2, [alice.keys, bob.keys]));
    expect(first.contacts).toEqual([
      expect.objectContaining({ username: "bob", verified: false, changed: false, identityPublicKey: bob.keys.identityPublicKey }),
    ]);
    await alice.engine.encrypt(ROOM2, "fine");

    const mallory = await signUp("mallory", "44444444-4444-4444-8444-444444444444");
    const swapped: UserKeys = { ...bob.keys, identityPublicKey: mallory.keys.identityPublicKey };
    const after = await alice.engine.setRoomMembers(ROOM2, [alice.keys, swapped], chainFor(ROOM2, [alice.keys, swapped]));
    expect(after.contacts[0]).toMatchObject({ changed: true, newIdentityPublicKey: mallory.keys.identityPublicKey });
    // Bob's devices are still checked against the pinned key (they verify under it).
    expect(after.rejected).toEqual([]);
    await expect(alice.engine.encrypt(ROOM2, "blocked")).rejects.toMatchObject({ code: "KEY_CHANGED" });

    const status = await alice.engine.acceptIdentityKey(bob.account.id, mallory.keys.identityPublicKey);
    expect(status).toMatchObject({ changed: false, verified: false, identityPublicKey: mallory.keys.identityPublicKey });
    const again = await alice.engine.setRoomMembers(ROOM2, [alice.keys, swapped], chainFor(ROOM2, [alice.keys, swapped]));
    // Bob's device certificates do not verify under the accepted key: never shared with.
    expect(again.rejected).toEqual([bob.keys.devices[0]?.deviceId]);
    const sent = await alice.engine.encrypt(ROOM2, "now allowed");
    expect(sent.shares).toEqual([]);
  });

  it("shows the same 60-digit safety number on both sides and remembers verification", async () => {
    const carol = await signUp("carol", "55555555-5555-4555-8555-555555555555");
    await alice.engine.setRoomMembers(ROOM2, [alice.keys, carol.keys], chainFor(ROOM2, [alice.keys, carol.keys]));
    await carol.engine.setRoomMembers(ROOM2, [alice.keys, carol.keys], chainFor(ROOM2, [alice.keys, carol.keys]));
    const a = await alice.engine.safetyNumber(carol.account.id);
    const c = await carol.engine.safetyNumber(alice.account.id);
    expect(a.digits).toMatch(/^\d{60}$/);
    expect(a.digits).toBe(c.digits);
    expect(a.groups).toHaveLength(12);
    const verified = await alice.engine.setContactVerified(carol.account.id, carol.keys.identityPublicKey, true);
    expect(verified.verified).toBe(true);
    // A later reload keeps it (wrapped in the local backup record).
    const reloaded = new CryptoEngine(alice.store);
    await reloaded.resume(alice.account.id);
    const seen = await reloaded.setRoomMembers(ROOM2, [alice.keys, carol.keys], chainFor(ROOM2, [alice.keys, carol.keys]));
    expect(seen.contacts.find((x) => x.userId === carol.account.id)).toMatchObject({ verified: true, changed: false });
  });

  it("blocks sending in every room shared with a contact whose pinned key the ledger contradicts, until the user decides", async () => {
    const dave = await signUp("dave", "66666666-6666-4666-8666-666666666666");
    const ROOM3 = "9e2d4b9f-3a5e-4b7c-8d2f-1e3a4b5c6d7e";
    for (const room of [ROOM2, ROOM3]) {
      await alice.engine.setRoomMembers(room, [alice.keys, dave.keys], chainFor(room, [alice.keys, dave.keys]));
    }
    const other = await signUp("eve", "77777777-7777-4777-8777-777777777777");
    const [status] = await alice.engine.noteLedgerIdentities([
      { userId: dave.account.id, identityPublicKey: other.keys.identityPublicKey },
      { userId: "88888888-8888-4888-8888-888888888888", identityPublicKey: "never-seen" },
    ]);
    expect(status).toMatchObject({ username: "dave", changed: false, ledgerIdentityPublicKey: other.keys.identityPublicKey });
    for (const room of [ROOM2, ROOM3]) {
      await expect(alice.engine.encrypt(room, "blocked")).rejects.toMatchObject({ code: "LEDGER_MISMATCH" });
    }
    await expect(alice.engine.signMembership(ROOM3, "remove", [dave.keys])).rejects.toMatchObject({ code: "LEDGER_MISMATCH" });

    const kept = await alice.engine.keepKeyAgainstLedger(dave.account.id, other.keys.identityPublicKey);
    expect(kept.ledgerIdentityPublicKey).toBeNull();
    await alice.engine.encrypt(ROOM3, "sent after review");
    // The decision is in the backup: a reload that reads the same ledger record stays unblocked.
    const reloaded = new CryptoEngine(alice.store);
    await reloaded.resume(alice.account.id);
    await reloaded.setRoomMembers(ROOM2, [alice.keys, dave.keys], chainFor(ROOM2, [alice.keys, dave.keys]));
    const [again] = await reloaded.noteLedgerIdentities([{ userId: dave.account.id, identityPublicKey: other.keys.identityPublicKey }]);
    expect(again?.ledgerIdentityPublicKey).toBeNull();
    await reloaded.encrypt(ROOM2, "still fine");
  });
});

describe("device revocation", () => {
  it("rotates before the next message, shares nothing with the revoked device and refuses its later messages", async () => {
    await ready();
    const alice = await signUp("alice", "11111111-1111-4111-8111-111111111111");
    const bob = await signUp("bob", "22222222-2222-4222-8222-222222222222");
    const ROOM3 = "9d1c3a8e-2f4d-4a6b-9c1e-0d2f3a4b5c6d";
    await alice.engine.setRoomMembers(ROOM3, [alice.keys, bob.keys], chainFor(ROOM3, [alice.keys, bob.keys]));
    await bob.engine.setRoomMembers(ROOM3, [alice.keys, bob.keys], chainFor(ROOM3, [alice.keys, bob.keys]));
    const before = await alice.engine.encrypt(ROOM3, "before");
    expect(before.shares).toHaveLength(1);
    const b1 = await bob.engine.encrypt(ROOM3, "bob before");
    await deliver(alice.engine, b1);

    const revokedAt = new Date();
    const bobDevice = bob.keys.devices[0];
    if (!bobDevice) throw new Error("no device");
    const revoked: UserKeys = { ...bob.keys, devices: [{ ...bobDevice, revokedAt: revokedAt.toISOString() }] };
    await alice.engine.setRoomMembers(ROOM3, [alice.keys, revoked], chainFor(ROOM3, [alice.keys, revoked]));
    const after = await alice.engine.encrypt(ROOM3, "after");
    expect(after.envelope.sessionId).not.toBe(before.envelope.sessionId);
    expect(after.shares).toEqual([]);

    const early = stored(bob, b1, new Date(revokedAt.getTime() - 1000));
    expect(await alice.engine.decrypt(early)).toMatchObject({ kind: "text", body: "bob before" });
    const b2 = await bob.engine.encrypt(ROOM3, "bob after");
    expect(await alice.engine.decrypt(stored(bob, b2, new Date(revokedAt.getTime() + 1000)))).toMatchObject({
      kind: "failed",
      reason: "Sent by a revoked device.",
    });
  });
});

describe("transcript links", () => {
  it("chains a device's own unconfirmed messages, skips a refused one, and flags a rewritten predecessor", async () => {
    await ready();
    const { envelopeHash } = await import("@cairn/crypto");
    const { envelopeFromWire, toBase64Url } = await import("@cairn/protocol");
    const hashOf = (r: EncryptResult) => toBase64Url(envelopeHash(envelopeFromWire(r.envelope)));
    const alice = await signUp("alice", "11111111-1111-4111-8111-111111111111");
    const bob = await signUp("bob", "22222222-2222-4222-8222-222222222222");
    const ROOM4 = "ad1c3a8e-2f4d-4a6b-9c1e-0d2f3a4b5c6d";
    for (const p of [alice, bob]) await p.engine.setRoomMembers(ROOM4, [alice.keys, bob.keys], chainFor(ROOM4, [alice.keys, bob.keys]));
    seq = 0;
    const m1 = await alice.engine.encrypt(ROOM4, "one");
    const m2 = await alice.engine.encrypt(ROOM4, "two");
    expect(m2.envelope.prevHash).toBe(hashOf(m1));
    const refused = await alice.engine.encrypt(ROOM4, "refused");
    await alice.engine.messageFailed(ROOM4, refused.envelope);
    const m3 = await alice.engine.encrypt(ROOM4, "three");
    expect(m3.envelope.prevHash).toBe(hashOf(m2));

    await deliver(bob.engine, m1);
    const seen = [stored(alice, m1), stored(alice, m2), stored(alice, m3)];
    for (const m of seen) expect((await bob.engine.decrypt(m)).forks).toBeUndefined();
    // Bob answers after the three: his message names #3.
    const b1 = await bob.engine.encrypt(ROOM4, "reply");
    expect(b1.envelope.prevHash).toBe(hashOf(m3));

    // A relay that shows carol a history where #2 names an envelope she never saw.
    const carol = new CryptoEngine(bob.store);
    await carol.resume(bob.account.id);
    await carol.setRoomMembers(ROOM4, [alice.keys, bob.keys], chainFor(ROOM4, [alice.keys, bob.keys]));
    const forged = { ...seen[1], envelope: { ...m2.envelope, prevHash: hashOf(refused) } } as StoredMessage;
    expect((await carol.decrypt(seen[0] as StoredMessage)).forks).toBeUndefined();
    const r = await carol.decrypt(forged);
    expect(r.forks?.[0]?.reason).toMatch(/#2 follows a message this device was never shown/);
  });
});
