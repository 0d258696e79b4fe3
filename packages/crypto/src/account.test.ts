import { hex } from "@cairn/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { deriveAccountSecrets, hashAuthSecret, verifyAuthSecret } from "./account";
import { SALT_BYTES, randomId, randomSalt } from "./random";
import { loadSodium } from "./test-fixtures";

beforeAll(async () => {
  await loadSodium();
});

describe("account secrets", () => {
  it("frozen vector: Argon2id(interactive) then crypto_kdf subkeys 1 and 2 of context cairnacc", () => {
    const s = deriveAccountSecrets("correct horse battery staple", new Uint8Array(16).fill(9));
    expect(hex(s.authSecret)).toBe("204643e48fdc9a77db32caa230dedefe9d9f3920988c30c7ccec739ee90bf92f");
    expect(hex(s.keystoreKey)).toBe("71b68cdd97bdd55058f39111104a15b8e21f2d74dafffb89aa8f9c49d142db23");
  });

  it("NFKC-normalises the passphrase: composed and decomposed forms agree; other salts differ", () => {
    const salt = new Uint8Array(16).fill(4);
    const composed = deriveAccountSecrets("caf\u00e9", salt);
    const decomposed = deriveAccountSecrets("cafe\u0301", salt);
    expect(hex(decomposed.authSecret)).toBe(hex(composed.authSecret));
    const otherSalt = deriveAccountSecrets("caf\u00e9", new Uint8Array(16).fill(5));
    expect(hex(otherSalt.authSecret)).not.toBe(hex(composed.authSecret));
    expect(hex(composed.authSecret)).not.toBe(hex(composed.keystoreKey));
  });

  it("rejects garbage-typed inputs", () => {
    expect(() => deriveAccountSecrets(42 as never, randomSalt())).toThrow(TypeError);
    expect(() => deriveAccountSecrets("", randomSalt())).toThrow(RangeError);
    expect(() => deriveAccountSecrets("pw", new Uint8Array(8))).toThrow(RangeError);
    expect(() => deriveAccountSecrets("pw", "salt" as never)).toThrow(TypeError);
  });
});

describe("auth secret hashing (server)", () => {
  it("verifies the right secret only; malformed hashes are no match", () => {
    const secret = new Uint8Array(32).fill(1);
    const hash = hashAuthSecret(secret);
    expect(hash.startsWith("$argon2id$")).toBe(true);
    expect(verifyAuthSecret(hash, secret)).toBe(true);
    expect(verifyAuthSecret(hash, new Uint8Array(32).fill(2))).toBe(false);
    expect(verifyAuthSecret("$argon2id$garbage", secret)).toBe(false);
    expect(verifyAuthSecret("", secret)).toBe(false);
    expect(() => verifyAuthSecret(null as never, secret)).toThrow(TypeError);
    expect(() => hashAuthSecret(new Uint8Array(31))).toThrow(RangeError);
  });
});

describe("random values", () => {
  it("salts are 16 bytes and ids base64url of the requested entropy", () => {
    expect(randomSalt().length).toBe(SALT_BYTES);
    expect(randomId()).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(randomId(32)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomId()).not.toBe(randomId());
    expect(() => randomId(4)).toThrow(RangeError);
    expect(() => randomId("16" as never)).toThrow(TypeError);
  });
});
