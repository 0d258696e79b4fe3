/** Power-of-two helpers that work beyond 32 bits (tree sizes are safe integers). */

/** Largest power of two strictly below n (n >= 2): RFC 9162's split point k. */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  let v = n;
  while (v % 2 === 0) v /= 2;
  return v === 1;
}
