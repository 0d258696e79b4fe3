import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { CryptoError } from "./errors";
import {
  RECOVERY_WORDS,
  generateRecoveryKey,
  openBackup,
  recoveryKeyFromWords,
  recoveryKeyToWords,
  sealBackup,
} from "./recovery";
import { flipBit, loadSodium } from "./test-fixtures";

beforeAll(async () => {
  await loadSodium();
});

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CryptoError ? err.code : (err as Error).name;
  }
  return undefined;
}

const fixedKey = Uint8Array.from({ length: 32 }, (_, i) => i);

describe("recovery key words", () => {
  it("frozen vector", () => {
    expect(recoveryKeyToWords(fixedKey)).toBe(
      "babad bamag bibaj bimal boban bomar bubat bumaz dabid damig dibij dimil dobin domir dubit dumiz kasat",
    );
  });

  it("round-trip any key; forgive case, hyphens and extra spaces", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (key) => {
        const words = recoveryKeyToWords(key);
        expect(words.split(" ")).toHaveLength(RECOVERY_WORDS);
        expect(recoveryKeyFromWords(words)).toEqual(key);
        expect(recoveryKeyFromWords(`  ${words.toUpperCase().replace(/ /g, " - ")}\n`)).toEqual(key);
      }),
      { numRuns: 100 },
    );
  });

  it("every single-letter typo of a fixed key is caught", () => {
    const words = recoveryKeyToWords(fixedKey);
    const letters = "abcdefghijklmnopqrstuvwxyz";
    let tried = 0;
    for (let i = 0; i < words.length; i++) {
      if (words[i] === " ") continue;
      for (const l of letters) {
        if (l === words[i]) continue;
        const typo = words.slice(0, i) + l + words.slice(i + 1);
        expect(code(() => recoveryKeyFromWords(typo)), typo).toBe("BAD_INPUT");
        tried++;
      }
    }
    expect(tried).toBe(17 * 5 * 25);
  });

  it("wrong word counts and garbage are rejected", () => {
    const words = recoveryKeyToWords(generateRecoveryKey()).split(" ");
    expect(code(() => recoveryKeyFromWords(words.slice(1).join(" ")))).toBe("BAD_INPUT");
    expect(code(() => recoveryKeyFromWords([...words, "babab"].join(" ")))).toBe("BAD_INPUT");
    expect(code(() => recoveryKeyFromWords(""))).toBe("BAD_INPUT");
    expect(() => recoveryKeyFromWords(17 as never)).toThrow(TypeError);
    expect(() => recoveryKeyToWords(new Uint8Array(16))).toThrow(RangeError);
  });
});

describe("backup sealing", () => {
  it("opens with the recovery key only; any bit flip fails", () => {
    const key = generateRecoveryKey();
    const data = new TextEncoder().encode(JSON.stringify({ identity: "…", sessions: [1, 2, 3] }));
    const sealed = sealBackup(key, data);
    expect(openBackup(key, sealed)).toEqual(data);
    expect(openBackup(recoveryKeyFromWords(recoveryKeyToWords(key)), sealed)).toEqual(data);
    expect(code(() => openBackup(generateRecoveryKey(), sealed))).toBe("UNWRAP_FAILED");
    for (let bit = 0; bit < sealed.length * 8; bit += 13) {
      expect(code(() => openBackup(key, flipBit(sealed, bit)))).toBe("UNWRAP_FAILED");
    }
    expect(() => sealBackup(new Uint8Array(31), data)).toThrow(RangeError);
  });
});
