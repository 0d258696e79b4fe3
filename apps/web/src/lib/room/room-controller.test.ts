/**
 * The room controller against in-memory stand-ins for the web API, crypto worker and
 * relay (the browser tests run it against the real ones): what a member sees as
 * history loads, shares arrive, checkpoints come and sends succeed or fail.
 */
import type { KeysChangedEvent, MembersAddedEvent, MembersRemovedEvent, RoomView, SendMessageAck, StoredMessage, UserKeys } from "@cairn/protocol";
import { describe, expect, it } from "vitest";
import type { DecryptResult } from "../../worker/api";
import type { ContactStatus } from "../../worker/contacts";
import { RoomController, type RoomDeps } from "./room-controller";

const ALICE = "11111111-1111-4111-8111-111111111111";
const BOB = "22222222-2222-4222-8222-222222222222";
const CAROL = "66666666-6666-4666-8666-666666666666";
const ROOM = "33333333-3333-4333-8333-333333333333";
const room: RoomView = { id: ROOM, name: "ops", createdAt: "2026-01-01T00:00:00.000Z", members: [], createdBy: ALICE };
const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

function message(roomSeq: number, sender = BOB): StoredMessage {
  return {
    roomId: ROOM,
    roomSeq,
    leafIndex: roomSeq - 1,
    serverTime: new Date(Date.UTC(2026, 0, 1, 0, 0, roomSeq)).toISOString(),
    senderUserId: sender,
    senderUsername: sender === BOB ? "bob" : "alice",
    envelope: { version: 1, roomId: ROOM, senderDeviceId: "d", sessionId: "", index: roomSeq, prevHash: "", nonce: "", ciphertext: `c${roomSeq}`, signature: "" },
    anchoredTreeSize: null,
  };
}

type Listener<T> = (v: T) => void;

interface WorldOptions {
  decrypt?: (m: StoredMessage) => DecryptResult;
  send?: () => Promise<SendMessageAck>;
  /** Whether the server still answers GET /api/rooms/:id for this user. */
  member?: () => boolean;
  leave?: () => Promise<{ ok: true }>;
  /** Answers GET /api/rooms/:id/keys (default: at once, no users). */
  roomKeys?: () => Promise<{ users: UserKeys[] }>;
  addMember?: RoomDeps["api"]["addMember"];
  checkLedger?: RoomDeps["checkLedger"];
  setRoomMembers?: RoomDeps["crypto"]["setRoomMembers"];
  noteLedgerIdentities?: RoomDeps["crypto"]["noteLedgerIdentities"];
  audit?: RoomDeps["audit"];
}

function world(history: StoredMessage[], opts: WorldOptions = {}) {
  const listeners = {
    message: new Set<Listener<StoredMessage>>(),
    shares: new Set<Listener<number>>(),
    checkpoint: new Set<Listener<{ treeSize: number }>>(),
    status: new Set<Listener<boolean>>(),
    removed: new Set<Listener<MembersRemovedEvent>>(),
    added: new Set<Listener<MembersAddedEvent>>(),
    keys: new Set<Listener<KeysChangedEvent>>(),
  };
  const on = <T>(set: Set<Listener<T>>) => (l: Listener<T>) => {
    set.add(l);
    return () => set.delete(l);
  };
  const keyRequests: string[] = [];
  let signed = 0;
  const roomRequests: string[] = [];
  const deps: RoomDeps = {
    self: { id: ALICE, username: "alice" },
    api: {
      room: (id) => (roomRequests.push(id), id === ROOM && (opts.member?.() ?? true) ? Promise.resolve({ room }) : Promise.reject(coded("ROOM_NOT_FOUND"))),
      roomKeys: (id) => {
        keyRequests.push(id);
        return (opts.roomKeys ? opts.roomKeys() : Promise.resolve({ users: [] as UserKeys[] })).then((k) => ({ ...k, events: [] }));
      },
      messages: (_id, before) => Promise.resolve({ messages: history.filter((m) => before === undefined || m.roomSeq < before) }),
      userKeys: (username) => Promise.resolve({ user: { userId: BOB, username, identityPublicKey: "k", devices: [] } }),
      addMember: opts.addMember ?? (() => Promise.resolve({ room })),
      removeMember: (_id, userId) => Promise.resolve({ room: { ...room, members: room.members.filter((m) => m.userId !== userId) } }),
      leaveRoom: opts.leave ?? (() => Promise.resolve({ ok: true as const })),
    },
    crypto: {
      setRoomMembers:
        opts.setRoomMembers ?? (() => Promise.resolve({ trusted: 0, rejected: [], contacts: [], membership: { unverified: [], problem: null, timeline: [] } })),
      noteLedgerIdentities: opts.noteLedgerIdentities ?? (() => Promise.resolve([])),
      signMembership: (_room, kind) => Promise.resolve({ body: `${kind}-${++signed}`, signature: "" }),
      decrypt: (m) => Promise.resolve(opts.decrypt ? opts.decrypt(m) : { kind: "text", body: `text ${m.roomSeq}` }),
    },
    relay: {
      connected: true,
      subscribe: () => undefined,
      send: opts.send ?? (() => Promise.resolve({ roomSeq: history.length + 1, leafIndex: history.length, serverTime: "2026-01-01T00:01:00.000Z" })),
      onMessage: on(listeners.message),
      onSharesOpened: on(listeners.shares),
      onCheckpoint: on(listeners.checkpoint),
      onStatus: on(listeners.status),
      onMembersRemoved: on(listeners.removed),
      onMembersAdded: on(listeners.added),
      onKeysChanged: on(listeners.keys),
    },
    checkLedger: opts.checkLedger ?? (() => Promise.resolve({ identity: "match", devices: {}, identityOnChain: null })),
    ...(opts.audit ? { audit: opts.audit } : {}),
  };
  return { deps, listeners, keyRequests, roomRequests };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await settle();
  expect(done()).toBe(true);
}

describe("RoomController", () => {
  it("has anchored lines' proofs checked in one batch, against the newest checkpoint, and shows each verdict", async () => {
    const asked: { leaves: number[]; treeSize: number }[] = [];
    const anchored = (seq: number) => ({ ...message(seq), anchoredTreeSize: 10 });
    const { deps, listeners } = world([anchored(1), anchored(2), message(3)], {
      audit: {
        leafHash: (m) => new Uint8Array([m.roomSeq]),
        verify: (items, treeSize) => {
          asked.push({ leaves: items.map((i) => i.leafIndex), treeSize });
          const verdicts = new Map(items.map((i) => [i.leafIndex, i.leafIndex === 1 ? "failed" : "verified"] as const));
          return Promise.resolve({ verdicts, treeSize, witnessed: { count: 1, of: 2 } });
        },
      },
    });
    const c = new RoomController(ROOM, deps);
    await c.open();
    await until(() => c.getSnapshot().lines.filter((l) => l.audit).length === 2);
    expect(asked).toEqual([{ leaves: [0, 1], treeSize: 10 }]);
    expect(c.getSnapshot().lines.map((l) => l.audit?.verdict ?? null)).toEqual(["verified", "failed", null]);
    // A new checkpoint covers message 3; message 1's checkpoint lacked a witness's cosignature
    // (1 of 2), so it is checked again at the newer one. The failed message 2 is not.
    for (const l of listeners.checkpoint) l({ treeSize: 12 });
    await until(() => c.getSnapshot().lines[2]?.audit !== undefined);
    expect(asked[1]).toEqual({ leaves: [0, 2], treeSize: 12 });
    c.close();
  });

  it("compares every member with the ledger, a few at a time, and shows the worker's verdict on each", async () => {
    const users: UserKeys[] = Array.from({ length: 251 }, (_, i) => ({ userId: `u${i}`, username: `user${i}`, identityPublicKey: `k${i}`, devices: [] }));
    const status = (u: UserKeys, onLedger: string | null = null): ContactStatus => ({
      userId: u.userId,
      username: u.username,
      identityPublicKey: u.identityPublicKey,
      verified: false,
      changed: false,
      newIdentityPublicKey: null,
      ledgerIdentityPublicKey: onLedger,
    });
    let inFlight = 0;
    let most = 0;
    const told: { userId: string; identityPublicKey: string | null }[] = [];
    const { deps } = world([], {
      roomKeys: () => Promise.resolve({ users }),
      setRoomMembers: (_r, us) => Promise.resolve({ trusted: 0, rejected: [], contacts: us.map((u) => status(u)), membership: { unverified: [], problem: null, timeline: [] } }),
      checkLedger: async (u) => {
        most = Math.max(most, ++inFlight);
        await settle();
        inFlight--;
        // The chain holds another key for user250: a substituted key.
        return { identity: u.userId === "u250" ? "differs" : "match", devices: {}, identityOnChain: u.userId === "u250" ? "other" : u.identityPublicKey };
      },
      noteLedgerIdentities: (records) => {
        told.push(...records);
        return Promise.resolve([status(users[250] as UserKeys, "other")]);
      },
    });
    const c = new RoomController(ROOM, deps);
    await c.open();
    await until(() => Object.keys(c.getSnapshot().ledger).length === 251);
    expect(most).toBeLessThanOrEqual(6);
    expect(most).toBeGreaterThan(1);
    expect(told).toHaveLength(251);
    expect(told.find((r) => r.userId === "u250")?.identityPublicKey).toBe("other");
    const contacts = c.getSnapshot().contacts;
    expect(contacts).toHaveLength(251);
    expect(contacts.filter((s) => s.ledgerIdentityPublicKey !== null).map((s) => s.username)).toEqual(["user250"]);
  });

  it("adds a member with a signed event, re-reading the chain and signing again when it moved meanwhile", async () => {
    const sent: string[] = [];
    const { deps, keyRequests } = world([], {
      addMember: (_id, _name, event) => {
        sent.push(event.body);
        return sent.length === 1 ? Promise.reject(coded("MEMBERSHIP_STALE")) : Promise.resolve({ room });
      },
    });
    const c = new RoomController(ROOM, deps);
    await c.open();
    const before = keyRequests.length;
    await c.addMember(" Bob ");
    expect(sent).toEqual(["add-1", "add-2"]);
    // Once to re-verify the chain before signing again, once after the addition.
    expect(keyRequests.length - before).toBe(2);
  });

  it("shows the decrypted history in room order and offers earlier messages when there are some", async () => {
    const { deps } = world([message(3), message(2)]);
    const c = new RoomController(ROOM, deps);
    await c.open();
    const s = c.getSnapshot();
    expect(s.ready).toBe(true);
    expect(s.room?.name).toBe("ops");
    expect(s.lines.map((l) => [l.roomSeq, l.text])).toEqual([[2, "text 2"], [3, "text 3"]]);
    expect(s.hasEarlier).toBe(true);
  });

  it("says so when the room does not exist or the user is not a member", async () => {
    const c = new RoomController("44444444-4444-4444-8444-444444444444", world([]).deps);
    await c.open();
    expect(c.getSnapshot().error).toBe("No such room, or you are not a member of it.");
    expect(c.getSnapshot().ready).toBe(false);
  });

  it("shows a message that waited for its session share once shares arrive", async () => {
    let shared = false;
    const { deps, listeners } = world([message(1)], { decrypt: (m) => (shared ? { kind: "text", body: `text ${m.roomSeq}` } : { kind: "waiting" }) });
    const c = new RoomController(ROOM, deps);
    await c.open();
    expect(c.getSnapshot().lines[0]?.state).toBe("waiting");
    shared = true;
    listeners.shares.forEach((l) => l(1));
    await settle();
    expect(c.getSnapshot().lines[0]).toMatchObject({ state: "text", text: "text 1" });
  });

  it("marks messages anchored when a checkpoint covering them arrives, and only those", async () => {
    const { deps, listeners } = world([message(1), message(2), message(3)]);
    const c = new RoomController(ROOM, deps);
    await c.open();
    listeners.checkpoint.forEach((l) => l({ treeSize: 2 }));
    expect(c.getSnapshot().lines.map((l) => l.anchoredTreeSize)).toEqual([2, 2, null]);
  });

  it("adds live messages of this room only", async () => {
    const { deps, listeners } = world([message(1)]);
    const c = new RoomController(ROOM, deps);
    await c.open();
    listeners.message.forEach((l) => l({ ...message(2), roomId: "55555555-5555-4555-8555-555555555555" }));
    listeners.message.forEach((l) => l(message(3)));
    await settle();
    expect(c.getSnapshot().lines.map((l) => l.roomSeq)).toEqual([1, 3]);
  });

  it("makes no key request for a send and shows the stored message once acked", async () => {
    const { deps, keyRequests } = world([message(1)]);
    const c = new RoomController(ROOM, deps);
    await c.open();
    const before = keyRequests.length;
    await c.send("hello");
    expect(keyRequests.length).toBe(before);
    expect(c.getSnapshot().lines.at(-1)).toMatchObject({ roomSeq: 2, state: "text", text: "hello", mine: true });
  });

  it("keeps a refused message on screen as not sent, with the relay's reason", async () => {
    const { deps } = world([], { send: () => Promise.reject(new Error("You are not a member of this room.")) });
    const c = new RoomController(ROOM, deps);
    await c.open();
    await c.send("hello");
    expect(c.getSnapshot().lines).toEqual([expect.objectContaining({ roomSeq: null, state: "send-failed", note: "You are not a member of this room." })]);
  });

  it("stops following the relay once closed", async () => {
    const { deps, listeners } = world([]);
    const c = new RoomController(ROOM, deps);
    await c.open();
    c.close();
    expect(listeners.message.size + listeners.shares.size + listeners.checkpoint.size + listeners.status.size + listeners.removed.size + listeners.added.size + listeners.keys.size).toBe(0);
  });
});

describe("RoomController: keys kept current from events (issue 13)", () => {
  const OTHER = "55555555-5555-4555-8555-555555555555";

  it("refreshes keys and the member list on members-added for its room, not for another", async () => {
    const { deps, listeners, keyRequests, roomRequests } = world([]);
    const c = new RoomController(ROOM, deps);
    await c.open();
    const keys = keyRequests.length;
    const rooms = roomRequests.length;
    listeners.added.forEach((l) => l({ roomId: OTHER, userIds: [BOB] }));
    await settle();
    expect([keyRequests.length, roomRequests.length]).toEqual([keys, rooms]);
    listeners.added.forEach((l) => l({ roomId: ROOM, userIds: [BOB] }));
    await settle();
    expect([keyRequests.length, roomRequests.length]).toEqual([keys + 1, rooms + 1]);
  });

  it("refreshes keys on keys-changed for its room, not for another", async () => {
    const { deps, listeners, keyRequests } = world([]);
    const c = new RoomController(ROOM, deps);
    await c.open();
    const keys = keyRequests.length;
    listeners.keys.forEach((l) => l({ roomId: OTHER, userIds: [BOB] }));
    await settle();
    expect(keyRequests.length).toBe(keys);
    listeners.keys.forEach((l) => l({ roomId: ROOM, userIds: [BOB] }));
    await settle();
    expect(keyRequests.length).toBe(keys + 1);
  });

  it("has a send made during a refresh wait for it", async () => {
    const answers: (() => void)[] = [];
    let hold = false;
    const order: string[] = [];
    const { deps, listeners } = world([], {
      roomKeys: () =>
        hold
          ? new Promise((resolve) => answers.push(() => (order.push("keys"), resolve({ users: [] }))))
          : Promise.resolve({ users: [] }),
      send: () => (order.push("send"), Promise.resolve({ roomSeq: 1, leafIndex: 0, serverTime: "2026-01-01T00:01:00.000Z" })),
    });
    const c = new RoomController(ROOM, deps);
    await c.open();
    hold = true;
    listeners.keys.forEach((l) => l({ roomId: ROOM, userIds: [BOB] }));
    await settle();
    const sent = c.send("hi");
    await settle();
    expect(order).toEqual([]);
    expect(answers).toHaveLength(1);
    answers[0]?.();
    await sent;
    expect(order).toEqual(["keys", "send"]);
  });

  it("refreshes keys after a reconnect", async () => {
    const { deps, listeners, keyRequests } = world([]);
    const c = new RoomController(ROOM, deps);
    await c.open();
    const keys = keyRequests.length;
    listeners.status.forEach((l) => l(false));
    await settle();
    expect(keyRequests.length).toBe(keys);
    listeners.status.forEach((l) => l(true));
    await settle();
    expect(keyRequests.length).toBe(keys + 1);
  });
});

describe("RoomController: leaving and removal (issue 9)", () => {
  const withMembers: RoomView = {
    ...room,
    members: [
      { userId: ALICE, username: "alice" },
      { userId: BOB, username: "bob" },
      { userId: CAROL, username: "carol" },
    ],
  };

  it("shows that this user was removed when the relay says so, keeping the lines already shown", async () => {
    const { deps, listeners } = world([message(1)]);
    const c = new RoomController(ROOM, deps);
    await c.open();
    listeners.removed.forEach((l) =>
      l({ roomId: "55555555-5555-4555-8555-555555555555", userIds: [ALICE], reason: "removed" }),
    );
    await settle();
    expect(c.getSnapshot().removed).toBeNull();
    listeners.removed.forEach((l) => l({ roomId: ROOM, userIds: [ALICE], reason: "deactivated" }));
    await settle();
    expect(c.getSnapshot()).toMatchObject({ removed: "deactivated", ready: false });
    expect(c.getSnapshot().lines.map((l) => l.text)).toEqual(["text 1"]);
  });

  it("says why: left, removed by a room admin", async () => {
    for (const reason of ["left", "removed"] as const) {
      const { deps, listeners } = world([]);
      const c = new RoomController(ROOM, deps);
      await c.open();
      listeners.removed.forEach((l) => l({ roomId: ROOM, userIds: [BOB, ALICE], reason }));
      await settle();
      expect(c.getSnapshot().removed).toBe(reason);
    }
  });

  it("another member removed: drops them from the member list and refreshes the keys", async () => {
    const { deps, listeners, keyRequests } = world([]);
    deps.api.room = () => Promise.resolve({ room: withMembers });
    const c = new RoomController(ROOM, deps);
    await c.open();
    const before = keyRequests.length;
    listeners.removed.forEach((l) => l({ roomId: ROOM, userIds: [CAROL], reason: "removed" }));
    await settle();
    expect(c.getSnapshot().room?.members.map((m) => m.username)).toEqual(["alice", "bob"]);
    expect(c.getSnapshot().removed).toBeNull();
    expect(keyRequests.length).toBe(before + 1);
  });

  const carolKeys = { userId: CAROL, username: "carol", identityPublicKey: "k", devices: [] };

  it("removeMember shows the server's new member list and refreshes the keys", async () => {
    const { deps, keyRequests } = world([], { roomKeys: () => Promise.resolve({ users: [carolKeys] }) });
    deps.api.removeMember = () =>
      Promise.resolve({ room: { ...withMembers, members: withMembers.members.slice(0, 2) } });
    const c = new RoomController(ROOM, deps);
    await c.open();
    const before = keyRequests.length;
    await c.removeMember(CAROL);
    expect(c.getSnapshot().room?.members.map((m) => m.userId)).toEqual([ALICE, BOB]);
    expect(keyRequests.length).toBe(before + 1);
  });

  it("removeMember passes the server's refusal on and changes nothing", async () => {
    const { deps } = world([], { roomKeys: () => Promise.resolve({ users: [carolKeys] }) });
    deps.api.room = () => Promise.resolve({ room: withMembers });
    deps.api.removeMember = () =>
      Promise.reject(coded("FORBIDDEN", "Only the room's creator or an admin may remove members."));
    const c = new RoomController(ROOM, deps);
    await c.open();
    await expect(c.removeMember(CAROL)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(c.getSnapshot().room?.members).toHaveLength(3);
  });

  it("leave(): left; already out counts as left; any other refusal is thrown and changes nothing", async () => {
    const ok = new RoomController(ROOM, world([]).deps);
    await ok.open();
    await ok.leave();
    expect(ok.getSnapshot()).toMatchObject({ removed: "left", ready: false });

    const twice = new RoomController(
      ROOM,
      world([], { leave: () => Promise.reject(coded("ROOM_NOT_FOUND")) }).deps,
    );
    await twice.open();
    await twice.leave();
    expect(twice.getSnapshot().removed).toBe("left");

    const down = new RoomController(
      ROOM,
      world([], { leave: () => Promise.reject(coded("NETWORK")) }).deps,
    );
    await down.open();
    await expect(down.leave()).rejects.toMatchObject({ code: "NETWORK" });
    expect(down.getSnapshot()).toMatchObject({ removed: null, ready: true });
  });

  it("a send refused because the user was removed (event missed) shows the removal once the server confirms", async () => {
    let member = true;
    const { deps } = world([], {
      member: () => member,
      send: () => Promise.reject(coded("NOT_A_MEMBER", "You are not a member of this room.")),
    });
    const c = new RoomController(ROOM, deps);
    await c.open();
    member = false;
    await c.send("hello");
    expect(c.getSnapshot().removed).toBe("removed");
  });

  it("NOT_A_MEMBER for a stale share recipient, while the server still lists the room, is no removal", async () => {
    const { deps } = world([], {
      send: () =>
        Promise.reject(
          coded("NOT_A_MEMBER", "A recipient device does not belong to a room member."),
        ),
    });
    const c = new RoomController(ROOM, deps);
    await c.open();
    await c.send("hello");
    expect(c.getSnapshot().removed).toBeNull();
    expect(c.getSnapshot().lines.at(-1)).toMatchObject({ state: "send-failed" });
  });
});

