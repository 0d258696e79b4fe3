/**
 * The rotation rule (docs/protocol.md, "Sending and rotation, as implemented"): an
 * outbound session carries at most 100 messages and lives at most 7 days. The 101st
 * message, and the first message 7 days after the session started, go out under a
 * new session that is shared with every current member device (not a revoked one),
 * and members read it. Time is the engine's clock, Date.now(), faked here.
 */
import {
  certifyDevice,
  generateDevice,
  generateIdentity,
  ready,
  ROTATE_AFTER_MESSAGES,
  ROTATE_AFTER_MS,
} from "@cairn/crypto";
import { toBase64Url, type UserKeys } from "@cairn/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { EncryptResult } from "./api";
import { deliverShares, roomLog, signUp, type Person, chainFor } from "./test-fixtures";

const ROOM = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b";
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

/** A member with two live devices and a revoked one, keys made outside any engine. */
function dave(): UserKeys {
  const identity = generateIdentity();
  const device = (revokedAt: string | null) => {
    const d = generateDevice();
    return {
      deviceId: d.deviceId,
      name: "dave's",
      signingPublicKey: toBase64Url(d.signing.publicKey),
      agreementPublicKey: toBase64Url(d.agreement.publicKey),
      signature: toBase64Url(certifyDevice(identity, d)),
      createdAt: new Date(0).toISOString(),
      revokedAt,
      registeredOnLedger: true,
    };
  };
  return {
    userId: "d4444444-4444-4444-8444-444444444444",
    username: "dave",
    identityPublicKey: toBase64Url(identity.publicKey),
    devices: [device(null), device(null), device(new Date(0).toISOString())],
  };
}

describe("session rotation", () => {
  let alice: Person;
  let bob: Person;
  let members: UserKeys[];
  let liveOthers: string[];

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(T0);
    await ready();
    alice = await signUp("alice", "a1111111-1111-4111-8111-111111111111");
    bob = await signUp("bob", "b2222222-2222-4222-8222-222222222222");
    const d = dave();
    members = [alice.keys, bob.keys, d];
    liveOthers = [bob.keys, d]
      .flatMap((u) => u.devices.filter((x) => !x.revokedAt).map((x) => x.deviceId))
      .sort();
    for (const p of [alice, bob]) await p.engine.setRoomMembers(ROOM, members, chainFor(ROOM, members));
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  const recipients = (sent: EncryptResult) => sent.shares.map((s) => s.recipientDeviceId).sort();

  it("starts a new session with the 101st message and shares it with every current member device", async () => {
    const stored = roomLog(ROOM);
    const first = await alice.engine.encrypt(ROOM, "message 1");
    expect(recipients(first)).toEqual(liveOthers);
    await deliverShares(bob, first);
    expect(await bob.engine.decrypt(stored(alice, first))).toEqual({
      kind: "text",
      body: "message 1",
    });
    let last = first;
    for (let i = 2; i <= ROTATE_AFTER_MESSAGES; i++) {
      last = await alice.engine.encrypt(ROOM, `message ${i}`);
      expect(last.envelope.sessionId).toBe(first.envelope.sessionId);
      expect(last.shares).toEqual([]);
      // Bob reads each in order under the first session.
      expect(await bob.engine.decrypt(stored(alice, last))).toEqual({
        kind: "text",
        body: `message ${i}`,
      });
    }
    expect(last.envelope.index).toBe(ROTATE_AFTER_MESSAGES - 1);

    const next = await alice.engine.encrypt(ROOM, "message 101");
    expect(next.envelope.sessionId).not.toBe(first.envelope.sessionId);
    expect(next.envelope.index).toBe(0);
    expect(recipients(next)).toEqual(liveOthers);

    // Bob reads the 101st once the new session's share arrives.
    const msg101 = stored(alice, next);
    expect(await bob.engine.decrypt(msg101)).toEqual({ kind: "waiting" });
    await deliverShares(bob, next);
    expect(await bob.engine.decrypt(msg101)).toEqual({ kind: "text", body: "message 101" });
    // The sender reads its own message through its copy of the new session.
    expect(await alice.engine.decrypt(msg101)).toEqual({ kind: "text", body: "message 101" });
  });

  it("starts a new session 7 days after the last one started, not a moment before", async () => {
    const stored = roomLog(ROOM);
    const first = await alice.engine.encrypt(ROOM, "monday");
    await deliverShares(bob, first);
    expect(await bob.engine.decrypt(stored(alice, first))).toEqual({
      kind: "text",
      body: "monday",
    });

    vi.setSystemTime(T0 + ROTATE_AFTER_MS - 1);
    const almost = await alice.engine.encrypt(ROOM, "a week later, almost");
    expect(almost.envelope.sessionId).toBe(first.envelope.sessionId);
    expect(almost.shares).toEqual([]);

    vi.setSystemTime(T0 + ROTATE_AFTER_MS);
    const week = await alice.engine.encrypt(ROOM, "a week later");
    expect(week.envelope.sessionId).not.toBe(first.envelope.sessionId);
    expect(recipients(week)).toEqual(liveOthers);
    await deliverShares(bob, week);
    expect(await bob.engine.decrypt(stored(alice, almost))).toEqual({
      kind: "text",
      body: "a week later, almost",
    });
    expect(await bob.engine.decrypt(stored(alice, week))).toEqual({
      kind: "text",
      body: "a week later",
    });

    // The new session's clock starts at its own first message.
    vi.setSystemTime(T0 + 2 * ROTATE_AFTER_MS - 1);
    expect((await alice.engine.encrypt(ROOM, "still this week's")).envelope.sessionId).toBe(
      week.envelope.sessionId,
    );
  });
});
