/**
 * A naive recursive RFC 9162 implementation, written straight from the RFC's
 * definitions over arrays (§2.1.1 MTH, §2.1.3.1 PATH, §2.1.4.1 PROOF/SUBPROOF).
 * Test-only: the reference the optimised code is checked against.
 */
import { EMPTY_ROOT, nodeHash } from "./hash";

function k(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}

export function refMth(d: readonly Uint8Array[]): Uint8Array {
  if (d.length === 0) return EMPTY_ROOT;
  if (d.length === 1) return d[0] as Uint8Array;
  const s = k(d.length);
  return nodeHash(refMth(d.slice(0, s)), refMth(d.slice(s)));
}

export function refPath(m: number, d: readonly Uint8Array[]): Uint8Array[] {
  if (d.length <= 1) return [];
  const s = k(d.length);
  if (m < s) return [...refPath(m, d.slice(0, s)), refMth(d.slice(s))];
  return [...refPath(m - s, d.slice(s)), refMth(d.slice(0, s))];
}

function refSubproof(m: number, d: readonly Uint8Array[], b: boolean): Uint8Array[] {
  const n = d.length;
  if (m === n) return b ? [] : [refMth(d)];
  const s = k(n);
  if (m <= s) return [...refSubproof(m, d.slice(0, s), b), refMth(d.slice(s))];
  return [...refSubproof(m - s, d.slice(s), false), refMth(d.slice(0, s))];
}

export function refConsistency(m: number, d: readonly Uint8Array[]): Uint8Array[] {
  if (m === 0 || m === d.length) return [];
  return refSubproof(m, d, true);
}
