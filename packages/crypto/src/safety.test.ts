import { beforeAll, describe, expect, it } from "vitest";
import { generateIdentity } from "./keys";
import { safetyNumber, safetyNumberGroups } from "./safety";
import { flipBit, loadSodium, seededSigning } from "./test-fixtures";

beforeAll(async () => {
  await loadSodium();
});

describe("safety numbers", () => {
  it("frozen vector for two fixed identity keys", () => {
    const a = seededSigning(1).publicKey;
    const b = seededSigning(2).publicKey;
    expect(safetyNumber(a, b)).toBe("723603854604354264020855703078758617836349848806392650492307");
  });

  it("are 60 digits, the same from both sides, and change with either key", () => {
    const a = generateIdentity().publicKey;
    const b = generateIdentity().publicKey;
    const n = safetyNumber(a, b);
    expect(n).toMatch(/^[0-9]{60}$/);
    expect(safetyNumber(b, a)).toBe(n);
    expect(safetyNumber(flipBit(a, 0), b)).not.toBe(n);
    expect(safetyNumber(a, flipBit(b, 200))).not.toBe(n);
    // Each half belongs to one key: replacing b keeps a's 30 digits somewhere in the number.
    const c = generateIdentity().publicKey;
    const halves = (x: string) => [x.slice(0, 30), x.slice(30)];
    const shared = halves(n).filter((h) => halves(safetyNumber(a, c)).includes(h));
    expect(shared).toHaveLength(1);
  });

  it("split into 12 groups of 5 for display", () => {
    const groups = safetyNumberGroups("723603854604354264020855703078758617836349848806392650492307");
    expect(groups).toHaveLength(12);
    expect(groups[0]).toBe("72360");
    expect(groups.join("")).toHaveLength(60);
    expect(() => safetyNumberGroups("123")).toThrow(RangeError);
    expect(() => safetyNumberGroups(5 as never)).toThrow(TypeError);
  });

  it("rejects garbage-typed inputs", () => {
    expect(() => safetyNumber(new Uint8Array(31), new Uint8Array(32))).toThrow(RangeError);
    expect(() => safetyNumber("a" as never, new Uint8Array(32))).toThrow(TypeError);
  });
});
