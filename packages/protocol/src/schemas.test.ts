import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toBase64Url } from "./bytes";
import { CreateRoomBody, DecodedSendMessageEvent, KeysChangedEvent, MembersAddedEvent, SendMessageEvent, SignupBody, WireEnvelope, envelopeFromWire, envelopeToWire, Username } from "./schemas";

const b64 = (n: number) => toBase64Url(new Uint8Array(n).fill(1));
const wire = {
  version: 1,
  roomId: "00000000-0000-4000-8000-000000000001",
  senderDeviceId: b64(16),
  sessionId: b64(16),
  index: 0,
  prevHash: b64(32),
  nonce: b64(24),
  ciphertext: b64(100),
  signature: b64(64),
};

describe("WireEnvelope", () => {
  it("accepts a well-formed envelope and round-trips through the binary form", () => {
    const parsed = WireEnvelope.parse(wire);
    expect(envelopeToWire(envelopeFromWire(parsed))).toEqual(wire);
  });

  it("rejects each field at the wrong length, unknown fields and wrong types", () => {
    const bad: Record<string, unknown>[] = [
      { ...wire, sessionId: b64(15) },
      { ...wire, prevHash: b64(31) },
      { ...wire, nonce: b64(12) },
      { ...wire, signature: b64(63) },
      { ...wire, senderDeviceId: b64(17) },
      { ...wire, ciphertext: b64(48 * 1024 + 1) },
      { ...wire, index: -1 },
      { ...wire, index: 2 ** 32 },
      { ...wire, version: 2 },
      { ...wire, roomId: "not-a-uuid" },
      { ...wire, extra: 1 },
      { ...wire, nonce: "***" },
    ];
    for (const b of bad) expect(WireEnvelope.safeParse(b).success, JSON.stringify(b).slice(0, 80)).toBe(false);
  });

  it("never throws on arbitrary input", () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        expect(typeof WireEnvelope.safeParse(x).success).toBe("boolean");
      }),
    );
  });
});

describe("DecodedSendMessageEvent", () => {
  /** Wire envelopes with any field possibly replaced by an arbitrary (mostly invalid) value. */
  const mutated = fc
    .record({ field: fc.constantFrom(...Object.keys(wire), "extra"), value: fc.oneof(fc.anything(), fc.string(), fc.uint8Array({ maxLength: 70 }).map(toBase64Url)), keep: fc.boolean() })
    .map(({ field, value, keep }) => ({ clientMsgId: "client-msg-1", envelope: keep ? wire : { ...wire, [field]: value } }));

  it("accepts exactly what SendMessageEvent accepts, and decodes to envelopeFromWire's envelope", () => {
    fc.assert(
      fc.property(mutated, (event) => {
        const text = SendMessageEvent.safeParse(event);
        const decoded = DecodedSendMessageEvent.safeParse(event);
        expect(decoded.success).toBe(text.success);
        if (text.success && decoded.success) expect(decoded.data.envelope).toEqual(envelopeFromWire(text.data.envelope));
      }),
    );
  });
});

describe("REST bodies", () => {
  it("normalises usernames and refuses odd ones", () => {
    expect(Username.parse("  Alice_1 ")).toBe("alice_1");
    for (const bad of ["ab", "a".repeat(33), "al ice", "-alice", "élise"]) expect(Username.safeParse(bad).success, bad).toBe(false);
  });

  it("requires a complete signup with keys of the right size", () => {
    const device = { deviceId: b64(16), name: "Laptop", signingPublicKey: b64(32), agreementPublicKey: b64(32), signature: b64(64) };
    const body = { username: "alice", salt: b64(16), authSecret: b64(32), identityPublicKey: b64(32), device };
    expect(SignupBody.safeParse(body).success).toBe(true);
    expect(SignupBody.safeParse({ ...body, authSecret: b64(31) }).success).toBe(false);
    expect(SignupBody.safeParse({ ...body, device: { ...device, signature: b64(32) } }).success).toBe(false);
  });

  it("defaults a room's extra members to none", () => {
    const id = "00000000-0000-4000-8000-0000000000aa";
    const event = { body: "AAAA", signature: "" };
    expect(CreateRoomBody.parse({ id, name: " General ", event })).toEqual({ id, name: "General", members: [], event });
  });

  it("takes a membership event's signature as 64 bytes or empty, nothing else", () => {
    const id = "00000000-0000-4000-8000-0000000000aa";
    const sig = (n: number) => Buffer.alloc(n, 1).toString("base64url");
    expect(CreateRoomBody.safeParse({ id, name: "x", event: { body: "AAAA", signature: sig(64) } }).success).toBe(true);
    expect(CreateRoomBody.safeParse({ id, name: "x", event: { body: "AAAA", signature: sig(63) } }).success).toBe(false);
    expect(CreateRoomBody.safeParse({ id, name: "x", event: { body: "not base64url!", signature: "" } }).success).toBe(false);
    expect(CreateRoomBody.safeParse({ id, name: "x" }).success).toBe(false);
  });
});

describe("membership socket events", () => {
  const roomId = "00000000-0000-4000-8000-000000000001";
  const userId = "00000000-0000-4000-8000-000000000002";
  it.each([
    ["MembersAddedEvent", MembersAddedEvent],
    ["KeysChangedEvent", KeysChangedEvent],
  ] as const)("%s carries a room and 1 to 200 user ids", (_, schema) => {
    expect(schema.parse({ roomId, userIds: [userId] })).toEqual({ roomId, userIds: [userId] });
    expect(schema.safeParse({ roomId, userIds: [] }).success).toBe(false);
    expect(schema.safeParse({ roomId, userIds: Array<string>(201).fill(userId) }).success).toBe(false);
    expect(schema.safeParse({ roomId: "room", userIds: [userId] }).success).toBe(false);
    expect(schema.safeParse({ roomId, userIds: ["bob"] }).success).toBe(false);
  });
});
