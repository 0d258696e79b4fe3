/**
 * Removal from a room in the crypto engine (issue 9): once a member is gone from the
 * room's member keys, the next message starts a new sender-key session that is shared
 * with the remaining members' devices only; the removed member cannot read it even when
 * handed every share, and still reads what they had before. This is what the room
 * controller relies on when it refreshes member keys before each send.
 */
import { chainFor } from "./test-fixtures";
import type { StoredMessage, UserKeys } from "@cairn/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import type { EncryptResult } from "./api";
import { CryptoEngine } from "./engine";
import { memoryStore } from "./store";

const ROOM = "5e0c3a8e-2f4d-4a6b-9c1e-0d2f3a4b5c6d";

interface Person {
  engine: CryptoEngine;
  id: string;
  username: string;
  keys: UserKeys;
}

async function signUp(username: string, id: string): Promise<Person> {
  const engine = new CryptoEngine(memoryStore());
  const body = await engine.prepareSignup(username, `${username} correct horse battery`);
  await engine.completeSignup({ id, username, identityPublicKey: body.identityPublicKey });
  const keys: UserKeys = {
    userId: id,
    username,
    identityPublicKey: body.identityPublicKey,
    devices: [{ ...body.device, createdAt: new Date(0).toISOString(), revokedAt: null, registeredOnLedger: true }],
  };
  return { engine, id, username, keys };
}

let seq = 0;
function stored(from: Person, sent: EncryptResult): StoredMessage {
  seq += 1;
  return {
    roomId: ROOM,
    roomSeq: seq,
    leafIndex: seq - 1,
    serverTime: new Date().toISOString(),
    senderUserId: from.id,
    senderUsername: from.username,
    envelope: sent.envelope,
    anchoredTreeSize: null,
  };
}

const deviceOf = (p: Person) => p.keys.devices[0]?.deviceId;

describe("removing a member", () => {
  let alice: Person;
  let bob: Person;
  let carol: Person;

  beforeAll(async () => {
    alice = await signUp("alice", "11111111-1111-4111-8111-111111111111");
    bob = await signUp("bob", "22222222-2222-4222-8222-222222222222");
    carol = await signUp("carol", "33333333-3333-4333-8333-333333333333");
    for (const p of [alice, bob, carol]) await p.engine.setRoomMembers(ROOM, [alice.keys, bob.keys, carol.keys], chainFor(ROOM, [alice.keys, bob.keys, carol.keys]));
  });

  it("rotates the session, shares it with the remaining devices only, and the removed member cannot read it", async () => {
    const before = await alice.engine.encrypt(ROOM, "before the removal");
    expect(before.shares.map((s) => s.recipientDeviceId).sort()).toEqual([deviceOf(bob), deviceOf(carol)].sort());
    const m1 = stored(alice, before);
    const offered = before.shares.map((share, i) => ({ id: `b${i}`, share }));
    await carol.engine.openShares(offered, false);
    await bob.engine.openShares(offered, false);
    expect(await carol.engine.decrypt(m1)).toEqual({ kind: "text", body: "before the removal" });

    // The server no longer lists carol: that is what alice's client sees before sending.
    await alice.engine.setRoomMembers(ROOM, [alice.keys, bob.keys], chainFor(ROOM, [alice.keys, bob.keys]));
    const after = await alice.engine.encrypt(ROOM, "after the removal");
    expect(after.envelope.sessionId).not.toBe(before.envelope.sessionId);
    expect(after.shares.map((s) => s.recipientDeviceId)).toEqual([deviceOf(bob)]);
    const m2 = stored(alice, after);

    // Even handed bob's share (sealed to bob's device), carol has no key for the new session.
    await carol.engine.openShares(after.shares.map((share, i) => ({ id: `a${i}`, share })), true);
    expect(await carol.engine.decrypt(m2)).toEqual({ kind: "waiting" });
    // What she had stays hers.
    expect(await carol.engine.decrypt(m1)).toEqual({ kind: "text", body: "before the removal" });

    await bob.engine.openShares(after.shares.map((share, i) => ({ id: `a${i}`, share })), false);
    expect(await bob.engine.decrypt(m2)).toEqual({ kind: "text", body: "after the removal" });

    // The next message keeps the new session and shares nothing more.
    const again = await alice.engine.encrypt(ROOM, "and again");
    expect(again.envelope.sessionId).toBe(after.envelope.sessionId);
    expect(again.shares).toEqual([]);
  });

  it("the other remaining member rotates too before their next message", async () => {
    const first = await bob.engine.encrypt(ROOM, "bob, carol still listed");
    expect(first.shares.map((s) => s.recipientDeviceId).sort()).toEqual([deviceOf(alice), deviceOf(carol)].sort());
    await bob.engine.setRoomMembers(ROOM, [alice.keys, bob.keys], chainFor(ROOM, [alice.keys, bob.keys]));
    const next = await bob.engine.encrypt(ROOM, "bob, carol gone");
    expect(next.envelope.sessionId).not.toBe(first.envelope.sessionId);
    expect(next.shares.map((s) => s.recipientDeviceId)).toEqual([deviceOf(alice)]);
  });
});
