import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { userRef } from "./user-ref";

describe("userRef", () => {
  it("matches fixed vectors (HMAC-SHA256, computed independently)", () => {
    expect(userRef("00".repeat(32), "11111111-1111-4111-8111-111111111111")).toBe(
      "1edfad9ca6a493c600a2618ac4af4ddf4a029d8d2c0c1a41672db6c9269745ba",
    );
    expect(userRef("0123456789abcdef".repeat(8), "22222222-2222-4222-8222-222222222222")).toBe(
      "8203f77aaeacce6bd6cb871627596b5c759ac6630d2079f699d7f48eb99d537b",
    );
  });

  it("is HMAC-SHA256(secret bytes, userId UTF-8) in lowercase hex, for any secret and id", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 64 }), fc.string({ minLength: 1, maxLength: 64 }), (secret, id) => {
        const hex = Buffer.from(secret).toString("hex");
        expect(userRef(hex, id)).toBe(createHmac("sha256", secret).update(id, "utf8").digest("hex"));
      }),
      { numRuns: 50 },
    );
  });

  it("refuses garbage", () => {
    expect(() => userRef(42 as unknown as string, "u")).toThrow(TypeError);
    expect(() => userRef("00".repeat(32), null as unknown as string)).toThrow(TypeError);
    expect(() => userRef("00".repeat(31), "u")).toThrow(RangeError);
    expect(() => userRef("AB".repeat(32), "u")).toThrow(RangeError);
    expect(() => userRef("00".repeat(32), "")).toThrow(RangeError);
  });
});
