/**
 * Passphrase change in the worker, with real keys, sessions and messages in a store
 * with transactions: every local record moves to the new keystore key in one
 * transaction; the old passphrase no longer opens anything; a change the server
 * refused, or one interrupted at any step, leaves the keys readable with whichever
 * passphrase the server holds.
 */
import { ready } from "@cairn/crypto";
import type { StoredMessage } from "@cairn/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { CryptoEngine } from "./engine";
import { loadKeys } from "./keyring";
import { SessionStore } from "./session-store";
import type { StoreTransaction } from "./store-tx";
import { deliverShares, roomLog, signUp, type Person, chainFor } from "./test-fixtures";

const ROOM = "5d1c8a3e-7f2b-4c6d-9e0a-1b2c3d4e5f60";
const NEW_PASSPHRASE = "a brand new passphrase";

/** Logs in on `person`'s browser with a fresh engine (a reload, then the log-in form). */
async function logIn(person: Person, passphrase: string, salt: string): Promise<CryptoEngine> {
  const engine = new CryptoEngine(person.store);
  await engine.prepareLogin(passphrase, salt);
  await engine.completeLogin(person.account);
  return engine;
}

async function keystoreKeyOf(passphrase: string, salt: string): Promise<Uint8Array> {
  const { deriveAccountSecrets } = await import("@cairn/crypto");
  const { fromBase64Url } = await import("@cairn/protocol");
  return deriveAccountSecrets(passphrase, fromBase64Url(salt)).keystoreKey;
}

describe("passphrase change", () => {
  let alice: Person;
  let bob: Person;
  let history: StoredMessage[];

  beforeAll(async () => {
    await ready();
    alice = await signUp("alice", "a1111111-1111-4111-8111-111111111111");
    bob = await signUp("bob", "b2222222-2222-4222-8222-222222222222");
    for (const p of [alice, bob]) await p.engine.setRoomMembers(ROOM, [alice.keys, bob.keys], chainFor(ROOM, [alice.keys, bob.keys]));
    const stored = roomLog(ROOM);
    const fromAlice = await alice.engine.encrypt(ROOM, "from alice");
    const fromBob = await bob.engine.encrypt(ROOM, "from bob");
    await deliverShares(alice, fromBob);
    history = [stored(alice, fromAlice), stored(bob, fromBob)];
    // Alice's browser now holds keys, an outbound and two inbound sessions, plaintexts and a backup.
    for (const m of history) expect((await alice.engine.decrypt(m)).kind).toBe("text");
  });

  it("re-wraps every local key: the new passphrase unlocks them, the old one no longer does", async () => {
    const change = await alice.engine.preparePassphraseChange(
      alice.passphrase,
      NEW_PASSPHRASE,
      alice.salt,
    );
    expect(change.newSalt).not.toBe(alice.salt);
    expect(change.currentAuthSecret).not.toBe(change.newAuthSecret);
    // (the server switches here)
    await alice.engine.finishPassphraseChange(true);

    // The running engine goes on under the new key: same outbound session, no new shares.
    const next = await alice.engine.encrypt(ROOM, "after the change");
    expect(next.envelope.sessionId).toBe(history[0]?.envelope.sessionId);
    expect(next.shares).toEqual([]);

    // A reload resumes (the unlock record holds the new key) and reads the history.
    const reloaded = new CryptoEngine(alice.store);
    expect(await reloaded.resume(alice.account.id)).toEqual({
      deviceId: alice.keys.devices[0]?.deviceId,
    });
    for (const m of history) expect((await reloaded.decrypt(m)).kind).toBe("text");
    await reloaded.lock();

    // Log-in with the new passphrase and salt: keys, cached plaintexts and sessions open.
    const fresh = await logIn(alice, NEW_PASSPHRASE, change.newSalt);
    expect(await fresh.decrypt(history[1] as StoredMessage)).toEqual({
      kind: "text",
      body: "from bob",
    });
    await fresh.setRoomMembers(ROOM, [alice.keys, bob.keys], chainFor(ROOM, [alice.keys, bob.keys]));
    expect((await fresh.encrypt(ROOM, "still the same session")).envelope.sessionId).toBe(
      history[0]?.envelope.sessionId,
    );
    expect((await fresh.backupStatus()).enabled).toBe(true);

    // The old passphrase opens nothing any more: not the keys, not a session, not a plaintext.
    const oldKey = await keystoreKeyOf(alice.passphrase, alice.salt);
    const old = new CryptoEngine(alice.store);
    await old.prepareLogin(alice.passphrase, alice.salt);
    await expect(old.completeLogin(alice.account)).rejects.toMatchObject({
      code: "KEYSTORE_MISMATCH",
    });
    await expect(loadKeys(alice.store, alice.account, oldKey)).rejects.toMatchObject({
      code: "KEYSTORE_MISMATCH",
    });
    const oldSessions = new SessionStore(alice.store, alice.account.id, oldKey);
    await expect(oldSessions.loadOutbound(ROOM)).rejects.toThrow();
    await expect(oldSessions.loadText(ROOM, 2)).rejects.toThrow();

    alice.salt = change.newSalt;
    alice.passphrase = NEW_PASSPHRASE;
    alice.engine = fresh;
  });

  it("a change the server refused leaves the current passphrase as it was", async () => {
    await alice.engine.preparePassphraseChange(alice.passphrase, "refused passphrase", alice.salt);
    expect(await alice.store.get("accounts", "rekey:alice")).toBeDefined();
    await alice.engine.finishPassphraseChange(false);
    expect(await alice.store.get("accounts", "rekey:alice")).toBeUndefined();
    alice.engine = await logIn(alice, alice.passphrase, alice.salt);
    await expect(alice.engine.finishPassphraseChange(true)).rejects.toMatchObject({
      code: "NO_PENDING_ACCOUNT",
    });
  });

  it("a tab that dies after the server switched: the new passphrase opens the keys and re-wraps them", async () => {
    const change = await alice.engine.preparePassphraseChange(
      alice.passphrase,
      "switched then crashed",
      alice.salt,
    );
    // The server took the change; the tab died before finishPassphraseChange.
    const engine = await logIn(alice, "switched then crashed", change.newSalt);
    expect(await engine.decrypt(history[1] as StoredMessage)).toEqual({
      kind: "text",
      body: "from bob",
    });
    expect(await alice.store.get("accounts", "rekey:alice")).toBeUndefined();
    // Re-wrapped at that log-in: the previous passphrase's key opens nothing now.
    const oldKey = await keystoreKeyOf(alice.passphrase, alice.salt);
    await expect(loadKeys(alice.store, alice.account, oldKey)).rejects.toMatchObject({
      code: "KEYSTORE_MISMATCH",
    });
    await logIn(alice, "switched then crashed", change.newSalt);
    alice.passphrase = "switched then crashed";
    alice.salt = change.newSalt;
    alice.engine = engine;
  });

  it("a tab that dies before the server switched: the current passphrase still opens the keys, the intent is dropped", async () => {
    const change = await alice.engine.preparePassphraseChange(
      alice.passphrase,
      "never reached the server",
      alice.salt,
    );
    alice.engine = await logIn(alice, alice.passphrase, alice.salt);
    expect(await alice.store.get("accounts", "rekey:alice")).toBeUndefined();
    // With the intent gone the unsent passphrase opens nothing.
    const never = new CryptoEngine(alice.store);
    await never.prepareLogin("never reached the server", change.newSalt);
    await expect(never.completeLogin(alice.account)).rejects.toMatchObject({
      code: "KEYSTORE_MISMATCH",
    });
  });

  it("a crash inside the re-wrap rolls every record back, and the next log-in finishes the move", async () => {
    const store = alice.store;
    let writes = 0;
    const crash = () => {
      writes += 1;
      if (writes > 3) throw new Error("tab closed");
    };
    // The same store, whose transaction dies after its third write.
    const faulty = {
      ...store,
      transaction: (body: (tx: StoreTransaction) => Promise<void>) =>
        store.transaction((tx) =>
          body({
            ...tx,
            put: (s, k, v) => (crash(), tx.put(s, k, v)),
            rewrite: (s, prefix, map) => tx.rewrite(s, prefix, (k, v) => (crash(), map(k, v))),
          }),
        ),
    };
    const engine = new CryptoEngine(faulty);
    await engine.prepareLogin(alice.passphrase, alice.salt);
    await engine.completeLogin(alice.account);
    const change = await engine.preparePassphraseChange(
      alice.passphrase,
      "crash while rewrapping",
      alice.salt,
    );
    await expect(engine.finishPassphraseChange(true)).rejects.toThrow("tab closed");
    expect(writes).toBeGreaterThan(3);

    // Nothing moved: the current passphrase's key opens the keys and the plaintexts directly...
    const oldKey = await keystoreKeyOf(alice.passphrase, alice.salt);
    await expect(loadKeys(store, alice.account, oldKey)).resolves.toMatchObject({
      userId: alice.account.id,
    });
    expect(await new SessionStore(store, alice.account.id, oldKey).loadText(ROOM, 2)).toBe(
      "from bob",
    );
    // ...and the server did switch, so the new passphrase logs in through the intent and finishes the move.
    const after = await logIn(alice, "crash while rewrapping", change.newSalt);
    expect(await after.decrypt(history[1] as StoredMessage)).toEqual({
      kind: "text",
      body: "from bob",
    });
    await expect(loadKeys(store, alice.account, oldKey)).rejects.toMatchObject({
      code: "KEYSTORE_MISMATCH",
    });
    alice.passphrase = "crash while rewrapping";
    alice.salt = change.newSalt;
    alice.engine = after;
  });

  it("leaves another account's records on the same browser alone", async () => {
    const carol = await signUp("carol", "c3333333-3333-4333-8333-333333333333", alice.store);
    const change = await carol.engine.preparePassphraseChange(
      carol.passphrase,
      "carol's new passphrase",
      carol.salt,
    );
    await carol.engine.finishPassphraseChange(true);
    await logIn(carol, "carol's new passphrase", change.newSalt);
    const aliceAgain = await logIn(alice, alice.passphrase, alice.salt);
    expect(await aliceAgain.decrypt(history[0] as StoredMessage)).toEqual({
      kind: "text",
      body: "from alice",
    });
  });

  it("checks its input", async () => {
    const { engine, passphrase, salt } = alice;
    const refused = async (current: string, next: string, s: string, code: string) =>
      expect(engine.preparePassphraseChange(current, next, s)).rejects.toMatchObject({ code });
    await refused(passphrase, "short", salt, "BAD_INPUT");
    await refused(passphrase, passphrase, salt, "BAD_INPUT");
    await refused("", NEW_PASSPHRASE, salt, "BAD_INPUT");
    await refused(passphrase, NEW_PASSPHRASE, "not a salt", "BAD_INPUT");
    await refused(passphrase, NEW_PASSPHRASE, "AAAA", "BAD_INPUT");
    await expect(
      new CryptoEngine(alice.store).preparePassphraseChange(passphrase, NEW_PASSPHRASE, salt),
    ).rejects.toMatchObject({
      code: "LOCKED",
    });
    expect(await alice.store.get("accounts", "rekey:alice")).toBeUndefined();
  });
});
