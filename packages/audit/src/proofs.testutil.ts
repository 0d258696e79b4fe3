/** Shared arbitraries and helpers for the proof property tests. */
import fc from "fast-check";
import { leafHash } from "./hash";

/** Distinct leaf hashes for a tree of `size` leaves (distinct data, so no accidental equalities). */
export function leavesOfSize(size: number, salt: number): Uint8Array[] {
  return Array.from({ length: size }, (_, i) => leafHash(new TextEncoder().encode(`${salt}:${i}`)));
}

export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = bytes.slice();
  const at = Math.floor(bit / 8) % copy.length;
  copy[at] = (copy[at] as number) ^ (1 << bit % 8);
  return copy;
}

export const sizeAndIndex = fc
  .integer({ min: 1, max: 300 })
  .chain((size) => fc.tuple(fc.constant(size), fc.nat(size - 1), fc.nat(1_000)));

export const twoSizes = fc
  .integer({ min: 1, max: 300 })
  .chain((newSize) => fc.tuple(fc.integer({ min: 1, max: newSize }), fc.constant(newSize), fc.nat(1_000)));
