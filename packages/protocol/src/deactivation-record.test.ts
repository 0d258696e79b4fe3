import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hex } from "./bytes";
import { auditDeactivationData } from "./deactivation-record";

const ACTOR = "11111111-1111-4111-8111-111111111111";
const TARGET = "22222222-2222-4222-8222-222222222222";

describe("auditDeactivationData (cairn/audit-deactivate/v1)", () => {
  it("frozen vector: the bytes and their RFC 9162 leaf hash", () => {
    const data = auditDeactivationData({ actorUserId: ACTOR, targetUserId: TARGET, deactivatedAtMs: 1_764_000_000_000 });
    // u32be(25) tag, u32be(36) actor, u32be(36) target, u32be(8) u64be(1764000000000 = 0x19ab697e800)
    expect(hex(data)).toBe(
      "00000019636169726e2f61756469742d646561637469766174652f7631" +
        "00000024" + "31313131313131312d313131312d343131312d383131312d313131313131313131313131" +
        "00000024" + "32323232323232322d323232322d343232322d383232322d323232323232323232323232" +
        "00000008" + "0000019ab697e800",
    );
    const leaf = createHash("sha256").update(Buffer.concat([Buffer.of(0), data])).digest("hex");
    expect(leaf).toBe("1e17809bb8b898177e0af33e90cf191c2cbffab2bf6ee9dbe6fe85443a65af07");
  });

  it("refuses ids that are not lowercase UUIDs and times out of range", () => {
    expect(() => auditDeactivationData({ actorUserId: "AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA", targetUserId: TARGET, deactivatedAtMs: 1 })).toThrow(TypeError);
    expect(() => auditDeactivationData({ actorUserId: ACTOR, targetUserId: "bob", deactivatedAtMs: 1 })).toThrow(TypeError);
    expect(() => auditDeactivationData({ actorUserId: ACTOR, targetUserId: TARGET, deactivatedAtMs: -1 })).toThrow(RangeError);
    expect(() => auditDeactivationData({ actorUserId: ACTOR, targetUserId: TARGET, deactivatedAtMs: 1.5 })).toThrow(RangeError);
  });
});
