/**
 * RFC 9162 §2.1.1 hashing: leaves and interior nodes are domain-separated by a
 * one-byte prefix so that a leaf can never be passed off as a node (second-preimage
 * resistance of the tree).
 */
import { sha256 } from "@noble/hashes/sha2.js";

/** Length of every hash in the log (SHA-256). */
export const HASH_SIZE = 32;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** MTH({}) = SHA-256 of the empty string (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0));

/**
 * Checks that `value` is a 32-byte hash.
 * @throws TypeError when it is not a Uint8Array
 * @throws RangeError when it is not 32 bytes long
 */
export function assertHash(value: unknown, name = "hash"): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (value.length !== HASH_SIZE) throw new RangeError(`${name} must be ${HASH_SIZE} bytes`);
}

/**
 * Leaf hash: SHA-256(0x00 || data).
 * @throws TypeError when data is not a Uint8Array
 */
export function leafHash(data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new TypeError("leaf data must be a Uint8Array");
  const input = new Uint8Array(1 + data.length);
  input[0] = LEAF_PREFIX;
  input.set(data, 1);
  return sha256(input);
}

/**
 * Interior node hash: SHA-256(0x01 || left || right).
 * @throws TypeError / RangeError when either child is not a 32-byte Uint8Array
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  assertHash(left, "left");
  assertHash(right, "right");
  const input = new Uint8Array(1 + 2 * HASH_SIZE);
  input[0] = NODE_PREFIX;
  input.set(left, 1);
  input.set(right, 1 + HASH_SIZE);
  return sha256(input);
}

/**
 * Checks a tree size or leaf index: a non-negative safe integer.
 * @throws TypeError when not a number; RangeError when negative, fractional or unsafe
 */
export function assertSize(value: unknown, name: string): asserts value is number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number`);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer`);
  }
}

/** Constant-time comparison of two hashes. */
export function equalHashes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/**
 * Checks that `value` is an array (without narrowing the caller's element type).
 * @throws TypeError when it is not
 */
export function assertArray(value: unknown, name: string): void {
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array`);
}
