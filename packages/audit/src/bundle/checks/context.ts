/**
 * What every check group of the verifier shares: the host's functions (with their
 * defaults), the RFC 9162 hashes built on its SHA-256, and the findings collector.
 */
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { fromBase64Url } from "@cairn/protocol";
import type { Finding, FindingCode } from "../findings";
import type { VerifyDeps } from "../verify-deps";

/** Where a finding points (line, room sequence number, leaf). */
export type FindingAt = Omit<Finding, "code" | "message">;

/** Collects findings: exact counts per code, the findings themselves up to a cap. */
export class Findings {
  readonly counts: Partial<Record<FindingCode, number>> = {};
  readonly list: Finding[] = [];
  truncated = false;

  constructor(private readonly max: number) {}

  readonly report = (code: FindingCode, message: string, at: FindingAt = {}): void => {
    this.counts[code] = (this.counts[code] ?? 0) + 1;
    if (this.list.length < this.max) this.list.push({ code, message, ...at });
    else this.truncated = true;
  };

  get ok(): boolean {
    return Object.keys(this.counts).length === 0;
  }

  /** Orders what was found so far by line (findings without a line last). */
  sortByLine(): void {
    this.list.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  }
}

export interface VerifyContext {
  deps: VerifyDeps;
  findings: Findings;
  sha256: (data: Uint8Array) => Uint8Array;
  b64: (text: string) => Uint8Array;
  /** RFC 9162 leaf hash: SHA-256(0x00 ‖ data). */
  leafHash: (data: Uint8Array) => Uint8Array;
  /** RFC 9162 interior node hash: SHA-256(0x01 ‖ left ‖ right). */
  nodeHash: (left: Uint8Array, right: Uint8Array) => Uint8Array;
}

export function verifyContext(deps: VerifyDeps): VerifyContext {
  const sha256 = deps.sha256 ?? nobleSha256;
  return {
    deps,
    findings: new Findings(deps.maxFindings ?? 10_000),
    sha256,
    b64: deps.decodeBase64Url ?? fromBase64Url,
    leafHash: (data) => {
      const input = new Uint8Array(data.length + 1);
      input.set(data, 1);
      return sha256(input);
    },
    nodeHash: (left, right) => {
      const input = new Uint8Array(65);
      input[0] = 1;
      input.set(left, 1);
      input.set(right, 33);
      return sha256(input);
    },
  };
}
