import { envelopeFromWire, type UserKeys } from "@cairn/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { CryptoEngine } from "./engine";
import { memoryStore } from "./store";
import { roomLog, signUp, type Person, chainFor } from "./test-fixtures";

const ROOM = "7b0c3a8e-2f4d-4a6b-9c1e-0d2f3a4b5c6d";

const stored = roomLog(ROOM);

describe("CryptoEngine", () => {
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    alice = await signUp("alice", "11111111-1111-4111-8111-111111111111");
    bob = await signUp("bob", "22222222-2222-4222-8222-222222222222");
    for (const p of [alice, bob]) await p.engine.setRoomMembers(ROOM, [alice.keys, bob.keys], chainFor(ROOM, [alice.keys, bob.keys]));
  });

  it("encrypts for the room and the other member decrypts once the share is opened", async () => {
    const sent = await alice.engine.encrypt(ROOM, "hello bob");
    expect(sent.shares.map((s) => s.recipientDeviceId)).toEqual([bob.keys.devices[0]?.deviceId]);
    expect(JSON.stringify(sent.envelope)).not.toContain("hello bob");
    const msg = stored(alice, sent);

    expect(await bob.engine.decrypt(msg)).toEqual({ kind: "waiting" });
    const result = await bob.engine.openShares(
      sent.shares.map((share, i) => ({ id: String(i), share })),
      false,
    );
    expect(result).toEqual({ done: ["0"], needKeysFor: [], opened: 1 });
    expect(await bob.engine.decrypt(msg)).toEqual({ kind: "text", body: "hello bob" });
    // The sender reads its own message through its inbound copy.
    expect(await alice.engine.decrypt(msg)).toEqual({ kind: "text", body: "hello bob" });
    // Reading it again (history after a reload) comes from the plaintext cache.
    expect(await bob.engine.decrypt(msg)).toEqual({ kind: "text", body: "hello bob" });
  });

  it("shares a session only once and chains prevHash to the last envelope seen", async () => {
    const first = await bob.engine.encrypt(ROOM, "hi alice");
    await alice.engine.openShares(first.shares.map((share, i) => ({ id: `b${i}`, share })), false);
    const m1 = stored(bob, first);
    expect(await alice.engine.decrypt(m1)).toEqual({ kind: "text", body: "hi alice" });
    expect(await bob.engine.decrypt(m1)).toEqual({ kind: "text", body: "hi alice" });

    const second = await bob.engine.encrypt(ROOM, "again");
    expect(second.shares).toEqual([]);
    const { envelopeHash, ready } = await import("@cairn/crypto");
    await ready();
    expect(envelopeFromWire(second.envelope).prevHash).toEqual(envelopeHash(envelopeFromWire(first.envelope)));
    expect(await alice.engine.decrypt(stored(bob, second))).toEqual({ kind: "text", body: "again" });
  });

  it("rotates the session when a member leaves", async () => {
    const before = await alice.engine.encrypt(ROOM, "before");
    await alice.engine.setRoomMembers(ROOM, [alice.keys], chainFor(ROOM, [alice.keys]));
    const after = await alice.engine.encrypt(ROOM, "after");
    expect(after.envelope.sessionId).not.toBe(before.envelope.sessionId);
    expect(after.shares).toEqual([]);
    await alice.engine.setRoomMembers(ROOM, [alice.keys, bob.keys], chainFor(ROOM, [alice.keys, bob.keys]));
  });

  it("reports an unknown sending device and rejects a forged certificate", async () => {
    const eve = await signUp("eve", "33333333-3333-4333-8333-333333333333");
    await eve.engine.setRoomMembers(ROOM, [eve.keys, bob.keys], chainFor(ROOM, [eve.keys, bob.keys]));
    const sent = await eve.engine.encrypt(ROOM, "sneaky");
    expect(await bob.engine.decrypt(stored(eve, sent))).toEqual({ kind: "unknown-device" });

    const forged: UserKeys = { ...eve.keys, identityPublicKey: alice.keys.identityPublicKey };
    const verdict = await bob.engine.setRoomMembers(ROOM, [alice.keys, bob.keys, forged], chainFor(ROOM, [alice.keys, bob.keys, forged]));
    expect(verdict.rejected).toEqual([eve.keys.devices[0]?.deviceId]);
    await bob.engine.setRoomMembers(ROOM, [alice.keys, bob.keys], chainFor(ROOM, [alice.keys, bob.keys]));
  });

  it("resumes after a reload without the passphrase, and not after lock()", async () => {
    const reloaded = new CryptoEngine(alice.store);
    expect(await reloaded.resume(alice.account.id)).toEqual({ deviceId: alice.keys.devices[0]?.deviceId });
    await reloaded.lock();
    expect(await new CryptoEngine(alice.store).resume(alice.account.id)).toBeNull();
  });

  it("logs in with the passphrase on the same browser, refuses a browser without keys", async () => {
    const ok = new CryptoEngine(alice.store);
    await ok.prepareLogin("alice correct horse battery", alice.salt);
    expect(await ok.completeLogin(alice.account)).toEqual({ deviceId: alice.keys.devices[0]?.deviceId });

    const again = new CryptoEngine(alice.store);
    const salt = "AAAAAAAAAAAAAAAAAAAAAA";
    await again.prepareLogin("alice correct horse battery", salt);
    // A different salt gives a different keystore key: the stored keys do not open.
    await expect(again.completeLogin(alice.account)).rejects.toMatchObject({ code: "KEYSTORE_MISMATCH" });

    const fresh = new CryptoEngine(memoryStore());
    await fresh.prepareLogin("alice correct horse battery", salt);
    await expect(fresh.completeLogin(alice.account)).rejects.toMatchObject({ code: "NO_LOCAL_KEYS" });
  });

  it("refuses to encrypt while locked or with an empty message", async () => {
    const locked = new CryptoEngine(memoryStore());
    await expect(locked.encrypt(ROOM, "x")).rejects.toMatchObject({ code: "LOCKED" });
    await expect(bob.engine.encrypt(ROOM, "   ")).rejects.toMatchObject({ code: "BAD_INPUT" });
  });
});
