import { fromHex, hex } from "@cairn/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { messageKey, nextChainKey } from "./chain";
import { FIXED_CHAIN_KEY_HEX, loadSodium } from "./test-fixtures";

let sodium: Awaited<ReturnType<typeof loadSodium>>;
beforeAll(async () => {
  sodium = await loadSodium();
});

describe("KDF chain (frozen vector)", () => {
  it("derives mk_0..mk_2 and ck_1..ck_3 from a fixed chain key", () => {
    let ck = fromHex(FIXED_CHAIN_KEY_HEX);
    const got: string[] = [];
    for (let i = 0; i < 3; i++) {
      got.push(hex(messageKey(ck)));
      ck = nextChainKey(ck);
      got.push(hex(ck));
    }
    expect(got).toEqual([
      "eec1e5d9ac51e768acae23e20255b20e913a1bd5df2e860777fbbffff3d8709f", // mk_0
      "825b7f796d48373c67a9d68ba810219fe80b447de24208cc3f6b34fff8458eac", // ck_1
      "9f2826412c7f70134c81a165c537aa31f10878063a45d48420acc5ddb9882c37", // mk_1
      "88b0e11bd2163ca7bd735f9f97ebdf8f4366ca1823345b38ffe51574a1456961", // ck_2
      "3375cdbdfbd63c5ed231d7b51072c864bb19887447145eedcc524a2772da6c98", // mk_2
      "7906152db3be27a851aa9f6d4fa72e34d45a449b827fcc8a5e3ba7ce5bc68a2f", // ck_3
    ]);
  });

  it("is keyed BLAKE2b-256 with salt = LE64(id) and personal = context (libsodium's crypto_kdf)", () => {
    const ck = fromHex(FIXED_CHAIN_KEY_HEX);
    const salt = new Uint8Array(16);
    const personal = new Uint8Array(16);
    personal.set(new TextEncoder().encode("cairnchn"));
    salt[0] = 1;
    const mk = sodium.crypto_generichash_blake2b_salt_personal(32, ck, salt, personal);
    salt[0] = 2;
    const next = sodium.crypto_generichash_blake2b_salt_personal(32, ck, salt, personal);
    expect(hex(messageKey(ck))).toBe(hex(mk));
    expect(hex(nextChainKey(ck))).toBe(hex(next));
  });

  it("message key and next chain key differ", () => {
    const ck = fromHex(FIXED_CHAIN_KEY_HEX);
    expect(hex(messageKey(ck))).not.toBe(hex(nextChainKey(ck)));
  });
});
