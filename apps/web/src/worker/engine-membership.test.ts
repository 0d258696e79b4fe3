/**
 * Membership the server cannot fake (issue 9), in the crypto engine: members are those
 * the room's signed chain vouches for. A user the server lists without a member's
 * signed addition gets no session share and is reported unverified; an addition signed
 * by a non-member is refused; a chain that rewrites what this client saw is a fork and
 * nobody gets keys until it is resolved.
 */
import { type RoomEventView, type UserKeys, type WireMembershipEvent } from "@cairn/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { CryptoEngine } from "./engine";
import { signUp, type Person } from "./test-fixtures";

const ROOM = "7a0c3a8e-2f4d-4a6b-9c1e-0d2f3a4b5c6d";

let alice: Person;
let bob: Person;
let carol: Person;
let mallory: Person;
let eve: Person;

/** What the server does with a signed event: stores it at the next seq. */
function stored(events: RoomEventView[], e: WireMembershipEvent): RoomEventView[] {
  return [...events, { ...e, seq: events.length, leafIndex: 100 + events.length, createdAt: new Date().toISOString() }];
}

const sharedWith = (shares: { recipientDeviceId: string }[], p: Person) =>
  shares.some((s) => p.keys.devices.some((d) => d.deviceId === s.recipientDeviceId));

beforeAll(async () => {
  alice = await signUp("alice", "11111111-1111-4111-8111-111111111111");
  bob = await signUp("bob", "22222222-2222-4222-8222-222222222222");
  carol = await signUp("carol", "33333333-3333-4333-8333-333333333333");
  mallory = await signUp("mallory", "44444444-4444-4444-8444-444444444444");
  eve = await signUp("eve", "55555555-5555-4555-8555-555555555555");
});

describe("membership events in the engine", () => {
  let events: RoomEventView[] = [];

  it("a room created with a signed event: its members get keys, a listed ghost does not", async () => {
    events = stored([], await alice.engine.signMembership(ROOM, "create", [bob.keys]));
    const bobView = await bob.engine.setRoomMembers(ROOM, [alice.keys, bob.keys], events);
    expect(bobView.membership).toMatchObject({ unverified: [], problem: null });
    expect(bobView.membership.timeline).toEqual([
      expect.objectContaining({ seq: 0, kind: "create", actor: "alice", targets: ["alice", "bob"] }),
    ]);

    // The server lists mallory as a member too (a row inserted behind the API).
    const verdict = await alice.engine.setRoomMembers(ROOM, [alice.keys, bob.keys, mallory.keys], events);
    expect(verdict.membership.unverified).toEqual(["mallory"]);
    const sent = await alice.engine.encrypt(ROOM, "for members only");
    expect(sharedWith(sent.shares, bob)).toBe(true);
    expect(sharedWith(sent.shares, mallory)).toBe(false);
  });

  it("a member's signed addition vouches for the new member; the next message reaches them", async () => {
    events = stored(events, await alice.engine.signMembership(ROOM, "add", [carol.keys]));
    const verdict = await alice.engine.setRoomMembers(ROOM, [alice.keys, bob.keys, carol.keys], events);
    expect(verdict.membership.unverified).toEqual([]);
    expect(verdict.membership.timeline.at(-1)).toMatchObject({ kind: "add", actor: "alice", targets: ["carol"] });
    const sent = await alice.engine.encrypt(ROOM, "welcome carol");
    expect(sharedWith(sent.shares, carol)).toBe(true);
  });

  it("an addition signed by someone who is not a member is refused, and they get nothing", async () => {
    // mallory's browser has seen the chain and signs an addition of hers: a valid signature, not a member's.
    await mallory.engine.setRoomMembers(ROOM, [alice.keys, mallory.keys], events);
    const forged = stored(events, await mallory.engine.signMembership(ROOM, "add", [eve.keys]));
    const verdict = await bob.engine.setRoomMembers(ROOM, [alice.keys, bob.keys, carol.keys, eve.keys], forged);
    expect(verdict.membership.problem).toMatchObject({ seq: 2, code: "NOT_A_MEMBER" });
    expect(verdict.membership.unverified).toEqual(["eve"]);
    const sent = await bob.engine.encrypt(ROOM, "still private");
    expect(sharedWith(sent.shares, eve)).toBe(false);
  });

  it("leave and remove: signed by the leaver and the creator, the chain drops them", async () => {
    await carol.engine.setRoomMembers(ROOM, [alice.keys, bob.keys, carol.keys], events);
    events = stored(events, await carol.engine.signMembership(ROOM, "leave", []));
    await alice.engine.setRoomMembers(ROOM, [alice.keys, bob.keys], events);
    events = stored(events, await alice.engine.signMembership(ROOM, "remove", [bob.keys]));
    // The server still lists bob and carol: the chain says they are out, so no keys.
    const verdict = await alice.engine.setRoomMembers(ROOM, [alice.keys, bob.keys, carol.keys], events);
    expect(verdict.membership.unverified.sort()).toEqual(["bob", "carol"]);
    expect(verdict.membership.timeline.slice(-2)).toEqual([
      expect.objectContaining({ kind: "leave", actor: "carol", targets: ["carol"] }),
      expect.objectContaining({ kind: "remove", actor: "alice", targets: ["bob"] }),
    ]);
    const sent = await alice.engine.encrypt(ROOM, "alone");
    expect(sent.shares).toEqual([]);
  });

  it("a fork: another history than the one this client verified vouches for nobody", async () => {
    const lists: UserKeys[] = [alice.keys, bob.keys];
    // bob, who last saw only the create event, signs another event 1: a valid chain, another history.
    const alt = stored(events.slice(0, 1), await bob.engine.signMembership(ROOM, "add", [mallory.keys]));
    const forked = await alice.engine.setRoomMembers(ROOM, [...lists, mallory.keys], alt);
    expect(forked.membership.problem?.code).toBe("FORK");
    expect(forked.trusted).toBe(0);
    const shortened = await alice.engine.setRoomMembers(ROOM, lists, events.slice(0, 2));
    expect(shortened.membership.problem?.code).toBe("FORK");
    await expect(alice.engine.encrypt(ROOM, "to nobody")).resolves.toMatchObject({ shares: [] });
    // The honest chain still verifies against the head this client pinned.
    const honest = await alice.engine.setRoomMembers(ROOM, lists, events);
    expect(honest.membership.problem).toBeNull();
  });

  it("the head it verified outlives the tab (it is kept in the key backup): after a reload, a shortened chain is still a fork", async () => {
    const lists: UserKeys[] = [alice.keys, bob.keys];
    const reloaded = new CryptoEngine(alice.store);
    await reloaded.resume(alice.account.id);
    const shortened = await reloaded.setRoomMembers(ROOM, lists, events.slice(0, 2));
    expect(shortened.membership.problem?.code).toBe("FORK");
    expect(shortened.trusted).toBe(0);
    const honest = await reloaded.setRoomMembers(ROOM, lists, events);
    expect(honest.membership.problem).toBeNull();
  });
});
