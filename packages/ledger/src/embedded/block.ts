/**
 * The embedded ledger's block: one per committed transaction, hash-chained.
 *
 *   hash = SHA-256(encodeRecord("cairn/embedded-block/v1", [
 *     u64(number), prevHash, utf8(txId), utf8(fn), utf8(canonicalJson(args)),
 *     utf8(creator), utf8(canonicalJson(writes)), u64(timestampMs) ]))
 *
 * `writes` are the transaction's state writes sorted by key, values in base64url
 * (null for a delete) — exactly what the block row stores, so the chain can be
 * recomputed from the table alone. Frozen by the vector in block.test.ts.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "@cairn/chaincode";
import { encodeRecord, u64, utf8 } from "@cairn/protocol";

export const BLOCK_TAG = "cairn/embedded-block/v1";
/** prevHash of block 0. */
export const GENESIS_PREV_HASH = new Uint8Array(32);

export interface BlockWrite {
  key: string;
  /** base64url of the value, or null when the key was deleted. */
  value: string | null;
}

export interface BlockContent {
  number: bigint;
  prevHash: Uint8Array;
  txId: string;
  fn: string;
  args: string[];
  creator: string;
  writes: BlockWrite[];
  timestamp: Date;
}

export function blockHash(b: BlockContent): Uint8Array {
  const bytes = encodeRecord(BLOCK_TAG, [
      u64(b.number),
      b.prevHash,
      utf8(b.txId),
      utf8(b.fn),
      utf8(canonicalJson(b.args)),
      utf8(b.creator),
      utf8(canonicalJson(b.writes)),
      u64(b.timestamp.getTime()),
    ]);
  return new Uint8Array(createHash("sha256").update(bytes).digest());
}
