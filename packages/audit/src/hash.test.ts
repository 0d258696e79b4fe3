import { fromHex, hex } from "@cairn/protocol";
import { describe, expect, test } from "vitest";
import { EMPTY_ROOT, equalHashes, leafHash, nodeHash } from "./hash";

describe("RFC 9162 hashing", () => {
  test("empty tree root is SHA-256 of the empty string", () => {
    expect(hex(EMPTY_ROOT)).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  test("leaf hash prefixes 0x00 (RFC 6962 test vector for the empty leaf)", () => {
    expect(hex(leafHash(new Uint8Array(0)))).toBe(
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    );
  });

  test("node hash prefixes 0x01 (frozen)", () => {
    const l = leafHash(new Uint8Array(0));
    const r = leafHash(fromHex("00"));
    expect(hex(r)).toBe("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
    expect(hex(nodeHash(l, r))).toBe("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125");
  });

  test("a leaf can never equal a node over the same bytes", () => {
    const l = leafHash(new Uint8Array(0));
    const joined = new Uint8Array(64);
    joined.set(l, 0);
    joined.set(l, 32);
    expect(equalHashes(leafHash(joined), nodeHash(l, l))).toBe(false);
  });

  test("garbage inputs are rejected at the door", () => {
    expect(() => leafHash("abc" as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => nodeHash(new Uint8Array(31), new Uint8Array(32))).toThrow(RangeError);
    expect(() => nodeHash(new Uint8Array(32), [1, 2] as unknown as Uint8Array)).toThrow(TypeError);
  });
});
