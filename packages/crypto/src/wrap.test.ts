import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { CryptoError } from "./errors";
import { flipBit, loadSodium } from "./test-fixtures";
import { unwrapSecret, wrapSecret } from "./wrap";

beforeAll(async () => {
  await loadSodium();
});

const key = new Uint8Array(32).fill(0x42);

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CryptoError ? err.code : (err as Error).name;
  }
  return undefined;
}

describe("wrapSecret / unwrapSecret", () => {
  it("round-trips any secret under its context", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.string({ minLength: 1, maxLength: 40 }), (secret, context) => {
        expect(unwrapSecret(key, wrapSecret(key, secret, context), context)).toEqual(secret);
      }),
      { numRuns: 50 },
    );
  });

  it("wrong key, wrong context, any bit flip or truncation fail with UNWRAP_FAILED", () => {
    const wrapped = wrapSecret(key, new Uint8Array(64).fill(7), "identity");
    expect(code(() => unwrapSecret(new Uint8Array(32), wrapped, "identity"))).toBe("UNWRAP_FAILED");
    expect(code(() => unwrapSecret(key, wrapped, "device"))).toBe("UNWRAP_FAILED");
    fc.assert(
      fc.property(fc.nat({ max: wrapped.length * 8 - 1 }), (bit) => {
        expect(code(() => unwrapSecret(key, flipBit(wrapped, bit), "identity"))).toBe("UNWRAP_FAILED");
      }),
      { numRuns: 200 },
    );
    expect(code(() => unwrapSecret(key, wrapped.subarray(0, wrapped.length - 1), "identity"))).toBe("UNWRAP_FAILED");
    expect(code(() => unwrapSecret(key, new Uint8Array(10), "identity"))).toBe("UNWRAP_FAILED");
  });

  it("uses a fresh nonce each time", () => {
    const a = wrapSecret(key, new Uint8Array(8), "c");
    const b = wrapSecret(key, new Uint8Array(8), "c");
    expect(a).not.toEqual(b);
    expect(a.length).toBe(24 + 8 + 16);
  });

  it("rejects garbage-typed inputs", () => {
    expect(() => wrapSecret(new Uint8Array(16), new Uint8Array(1), "c")).toThrow(RangeError);
    expect(() => wrapSecret(key, "secret" as never, "c")).toThrow(TypeError);
    expect(() => wrapSecret(key, new Uint8Array(1), "")).toThrow(RangeError);
    expect(() => unwrapSecret(key, [1, 2, 3] as never, "c")).toThrow(TypeError);
    expect(() => unwrapSecret(key, new Uint8Array(64), 5 as never)).toThrow(TypeError);
  });
});
