import { generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { MEMBERSHIP_GENESIS, membershipEventBytes, type MembershipKind, type SignedMembershipEvent } from "@cairn/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { membershipEventHash, replayMembership, type Ed25519Verify } from "./membership-chain";

const ROOM = "44444444-4444-4444-8444-444444444444";

interface Person {
  name: string;
  key: Uint8Array;
  secret: KeyObject;
}

function person(name: string): Person {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x as string, "base64url");
  return { name, key: new Uint8Array(raw), secret: privateKey };
}

const verifyNode: Ed25519Verify = (publicKey, message, signature) => {
  const jwk = { kty: "OKP", crv: "Ed25519", x: Buffer.from(publicKey).toString("base64url") };
  return verify(null, message, { key: jwk, format: "jwk" }, signature);
};

const [alice, bob, carol, mallory] = ["alice", "bob", "carol", "mallory"].map(person) as [Person, Person, Person, Person];

/** Appends events to a chain, each naming the previous one's hash. */
class ChainBuilder {
  readonly events: SignedMembershipEvent[] = [];
  private prev: Uint8Array = MEMBERSHIP_GENESIS;
  /** A chain that starts with `events` (already valid) and goes on from there. */
  static from(events: SignedMembershipEvent[]): ChainBuilder {
    const c = new ChainBuilder();
    c.events.push(...events);
    const last = events.at(-1);
    if (last) c.prev = membershipEventHash(last);
    return c;
  }
  push(actor: Person | null, kind: MembershipKind, targets: Person[], over: { seq?: number; prevHash?: Uint8Array; roomId?: string } = {}): SignedMembershipEvent {
    const body = membershipEventBytes({
      roomId: over.roomId ?? ROOM,
      seq: over.seq ?? this.events.length,
      kind,
      actor: actor?.key ?? new Uint8Array(0),
      targets: targets.map((t) => t.key),
      prevHash: over.prevHash ?? this.prev,
      timeMs: 1_764_000_000_000 + this.events.length,
    });
    const event = { body, signature: actor ? new Uint8Array(sign(null, body, actor.secret)) : new Uint8Array(0) };
    this.events.push(event);
    this.prev = membershipEventHash(event);
    return event;
  }
}

const names = (members: Map<string, number>) =>
  [alice, bob, carol, mallory].filter((p) => members.has(Buffer.from(p.key).toString("base64url"))).map((p) => p.name);

function typical(): ChainBuilder {
  const c = new ChainBuilder();
  c.push(alice, "create", [alice, bob]);
  c.push(bob, "add", [carol]);
  c.push(carol, "leave", [carol]);
  c.push(alice, "remove", [bob]);
  return c;
}

describe("membership chain", () => {
  it("replays create, add, leave and remove into the member list", () => {
    const c = typical();
    const r = replayMembership(ROOM, c.events, verifyNode);
    expect(r.problem).toBeNull();
    expect(names(r.state.members)).toEqual(["alice"]);
    expect(r.events.map((e) => e.kind)).toEqual(["create", "add", "leave", "remove"]);
    expect(r.state.head?.seq).toBe(3);
  });

  it("an unsigned removal (the server's record) applies; an unsigned or server-signed addition does not", () => {
    const c = new ChainBuilder();
    c.push(alice, "create", [alice, bob]);
    c.push(null, "remove", [bob]);
    expect(names(replayMembership(ROOM, c.events, verifyNode).state.members)).toEqual(["alice"]);
    // A key the server made for itself is no member: its addition is refused, nobody new gets keys.
    c.push(mallory, "add", [mallory]);
    const r = replayMembership(ROOM, c.events, verifyNode);
    expect(r.problem).toMatchObject({ seq: 2, code: "NOT_A_MEMBER" });
    expect(names(r.state.members)).toEqual(["alice"]);
  });

  it("refuses each broken rule at the event that breaks it, keeping the valid prefix", () => {
    const cases: [string, (c: ChainBuilder) => void, string][] = [
      ["another room", (c) => c.push(alice, "add", [carol], { roomId: "55555555-5555-4555-8555-555555555555" }), "WRONG_ROOM"],
      ["a skipped seq", (c) => c.push(alice, "add", [carol], { seq: 3 }), "OUT_OF_ORDER"],
      ["a wrong prevHash", (c) => c.push(alice, "add", [carol], { prevHash: new Uint8Array(32).fill(7) }), "PREV_HASH_MISMATCH"],
      ["an addition of a member", (c) => c.push(alice, "add", [bob]), "ALREADY_A_MEMBER"],
      ["a non-creator member removing", (c) => c.push(bob, "remove", [alice]), "NOT_ALLOWED"],
      ["leaving for someone else", (c) => c.push(alice, "leave", [bob]), "NOT_ALLOWED"],
      ["a second create", (c) => c.push(alice, "create", [alice, carol]), "NOT_ALLOWED"],
      ["removing a stranger", (c) => c.push(alice, "remove", [carol]), "NOT_A_MEMBER"],
    ];
    for (const [what, breakIt, code] of cases) {
      const c = new ChainBuilder();
      c.push(alice, "create", [alice, bob]);
      breakIt(c);
      const r = replayMembership(ROOM, c.events, verifyNode);
      expect({ what, problem: r.problem?.code, seq: r.problem?.seq }).toEqual({ what, problem: code, seq: 1 });
      expect(names(r.state.members)).toEqual(["alice", "bob"]);
    }
  });

  it("a chain must start with a create signed by a creator among the first members", () => {
    const c = new ChainBuilder();
    c.push(alice, "create", [bob]);
    expect(replayMembership(ROOM, c.events, verifyNode).problem?.code).toBe("NOT_ALLOWED");
    const d = new ChainBuilder();
    d.push(alice, "add", [alice]);
    expect(replayMembership(ROOM, d.events, verifyNode).problem?.code).toBe("NOT_ALLOWED");
  });

  it("property: forgery — any changed byte of any event, or a signature by another key, stops the chain there", () => {
    const c = typical();
    fc.assert(
      fc.property(fc.nat({ max: c.events.length - 1 }), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (i, at, x, inSignature) => {
        const events = c.events.map((e) => ({ body: e.body.slice(), signature: e.signature.slice() }));
        const target = events[i] as SignedMembershipEvent;
        const bytes = inSignature ? target.signature : target.body;
        bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ x;
        const r = replayMembership(ROOM, events, verifyNode);
        expect(r.problem?.seq).toBe(i);
        expect(r.events).toHaveLength(i);
      }),
    );
    // Mallory re-signs bob's addition of carol with her own key: signed, but not by a member.
    const forged = new ChainBuilder();
    forged.push(alice, "create", [alice, bob]);
    forged.push(mallory, "add", [carol]);
    expect(replayMembership(ROOM, forged.events, verifyNode).problem?.code).toBe("NOT_A_MEMBER");
  });

  it("property: reorder and replay — any permutation other than the original, or any event repeated, is refused", () => {
    const c = typical();
    fc.assert(
      fc.property(
        fc.shuffledSubarray([0, 1, 2, 3], { minLength: 2, maxLength: 4 }).filter((p) => p.some((v, k) => v !== k)),
        (order) => {
          const r = replayMembership(ROOM, order.map((k) => c.events[k] as SignedMembershipEvent), verifyNode);
          expect(r.problem).not.toBeNull();
        },
      ),
    );
    fc.assert(
      fc.property(fc.nat({ max: 3 }), fc.nat({ max: 4 }), (which, where) => {
        const events = [...c.events];
        events.splice(where, 0, c.events[which] as SignedMembershipEvent);
        expect(replayMembership(ROOM, events, verifyNode).problem).not.toBeNull();
      }),
    );
    // An event of one room replayed into another (same people, same order) names the wrong room.
    const other = c.events.slice(0, 1);
    expect(replayMembership("66666666-6666-4666-8666-666666666666", other, verifyNode).problem?.code).toBe("WRONG_ROOM");
  });

  it("fork: a chain that does not hold the head this client saw before is refused", () => {
    const seen = typical();
    const pinned = { seq: 1, hash: membershipEventHash(seen.events[1] as SignedMembershipEvent) };
    expect(replayMembership(ROOM, seen.events, verifyNode, pinned).problem).toBeNull();
    // The same start, then another valid history: bob adds mallory instead of carol.
    const alt = ChainBuilder.from(seen.events.slice(0, 1));
    alt.push(bob, "add", [mallory]);
    const r = replayMembership(ROOM, alt.events, verifyNode, pinned);
    expect(r.problem).toMatchObject({ code: "FORK", seq: 1 });
    // A history cut short of what was seen is a fork too.
    expect(replayMembership(ROOM, seen.events.slice(0, 1), verifyNode, pinned).problem?.code).toBe("FORK");
  });
});
