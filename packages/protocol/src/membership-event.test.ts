import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hex } from "./bytes";
import { CanonicalDecodeError } from "./canonical";
import { decodeMembershipEvent, MEMBERSHIP_KINDS, membershipEventBytes, membershipLeafData, type MembershipEventBody } from "./membership-event";

const ROOM = "33333333-3333-4333-8333-333333333333";
const key = (b: number) => new Uint8Array(32).fill(b);
const leaf = (data: Uint8Array) => createHash("sha256").update(Buffer.concat([Buffer.of(0), data])).digest("hex");

const ADD: MembershipEventBody = { roomId: ROOM, seq: 1, kind: "add", actor: key(0xaa), targets: [key(0xbb), key(0xcc)], prevHash: key(0x11), timeMs: 1_764_000_000_000 };

describe("membership events (cairn/membership/v1)", () => {
  it("frozen vector: a signed add, its bytes and its leaf hash", () => {
    const body = membershipEventBytes(ADD);
    expect(hex(body)).toBe(
      "00000013" + "636169726e2f6d656d626572736869702f7631" +
        "00000024" + "33333333333333332d333333332d343333332d383333332d333333333333333333333333" +
        "00000004" + "00000001" + "00000001" + "01" +
        "00000020" + "aa".repeat(32) +
        "00000040" + "bb".repeat(32) + "cc".repeat(32) +
        "00000020" + "11".repeat(32) +
        "00000008" + "0000019ab697e800",
    );
    expect(leaf(membershipLeafData({ body, signature: new Uint8Array(64).fill(0x55) }))).toBe(
      "bedf4ad5f1f0a8fec01cc5aa540970fba36563af6ae055c835501c8b76027716",
    );
  });

  it("frozen vector: an unsigned removal the server recorded (empty actor and signature)", () => {
    const body = membershipEventBytes({ roomId: ROOM, seq: 2, kind: "remove", actor: new Uint8Array(0), targets: [key(0xbb)], prevHash: key(0x22), timeMs: 1_764_000_000_001 });
    expect(hex(body)).toContain("00000001" + "02" + "00000000" + "00000020" + "bb".repeat(32));
    expect(leaf(membershipLeafData({ body, signature: new Uint8Array(0) }))).toBe("9dac841f7e8baaa143b31211b205d2e76633b3a404cfe72d402865c8b2984e74");
  });

  it("refuses malformed bodies: an unsigned addition, duplicate or missing targets, short keys", () => {
    expect(() => membershipEventBytes({ ...ADD, actor: new Uint8Array(0) })).toThrow(/only a removal/);
    expect(() => membershipEventBytes({ ...ADD, targets: [key(1), key(1)] })).toThrow(/distinct/);
    expect(() => membershipEventBytes({ ...ADD, targets: [] })).toThrow(RangeError);
    expect(() => membershipEventBytes({ ...ADD, actor: new Uint8Array(31) })).toThrow(RangeError);
    expect(() => membershipEventBytes({ ...ADD, prevHash: new Uint8Array(31) })).toThrow(RangeError);
    expect(() => membershipEventBytes({ ...ADD, roomId: "AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA" })).toThrow(TypeError);
    expect(() => membershipLeafData({ body: membershipEventBytes(ADD), signature: new Uint8Array(63) })).toThrow(RangeError);
  });

  const bodies = fc.record({
    roomId: fc.uuid().map((u) => u.toLowerCase()),
    seq: fc.nat({ max: 0xffff_ffff }),
    kind: fc.constantFrom(...MEMBERSHIP_KINDS),
    actor: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    targets: fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 8, selector: (t) => hex(t) }),
    prevHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    timeMs: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  });

  it("property: decode(encode(e)) is e", () => {
    fc.assert(
      fc.property(bodies, (e) => {
        expect(decodeMembershipEvent(membershipEventBytes(e))).toEqual(e);
      }),
    );
  });

  it("property: any truncation or flipped length byte is a CanonicalDecodeError, never another exception", () => {
    fc.assert(
      fc.property(bodies, fc.nat(), fc.integer({ min: 1, max: 255 }), (e, at, x) => {
        const bytes = membershipEventBytes(e);
        const i = at % bytes.length;
        expect(() => decodeMembershipEvent(bytes.subarray(0, i))).toThrow(CanonicalDecodeError);
        const flipped = bytes.slice();
        flipped[i] = (flipped[i] as number) ^ x;
        try {
          const back = decodeMembershipEvent(flipped);
          // A flip that still parses is another valid event: it re-encodes to exactly these bytes.
          expect(hex(membershipEventBytes(back))).toBe(hex(flipped));
        } catch (err) {
          expect(err).toBeInstanceOf(CanonicalDecodeError);
        }
      }),
    );
  });
});
