/**
 * Recomputes the embedded ledger's hash chain and checks the world state against it.
 * This detects edits made behind the ledger's back (a changed block, a changed,
 * added or removed state value); it cannot stop an operator who rewrites the whole
 * chain consistently — the embedded ledger is for evaluation and small teams and says so.
 */
import { createHash } from "node:crypto";
import type { PrismaClient } from "@cairn/db";
import { hex } from "@cairn/protocol";
import { blockHash, GENESIS_PREV_HASH, type BlockWrite } from "./block";

export interface BlockChainProblem {
  /** Block number, or null for a state row. */
  block: string | null;
  key?: string;
  problem: string;
}

export interface BlockChainReport {
  ok: boolean;
  blocks: number;
  /** Hash of the last block (hex), null for an empty chain. */
  headHash: string | null;
  problems: BlockChainProblem[];
}

/** Blocks per page: a block may carry a 20,000-leaf batch (~1.7 MB). */
const BLOCK_PAGE = 20;
const STATE_PAGE = 200;
const digest = (text: string) => createHash("sha256").update(text).digest("hex");
const equal = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

function isWrites(value: unknown): value is BlockWrite[] {
  return (
    Array.isArray(value) &&
    value.every(
      (w) =>
        typeof w === "object" && w !== null && typeof (w as BlockWrite).key === "string" &&
        ((w as BlockWrite).value === null || typeof (w as BlockWrite).value === "string"),
    )
  );
}

/** Walks every block in order (paged) and every state row; never throws on tampering, reports it. */
export async function verifyBlockChain(prisma: PrismaClient): Promise<BlockChainReport> {
  const problems: BlockChainProblem[] = [];
  // The last write of every key, by replaying the block log: digest of its base64url value (null: deleted).
  const lastWrite = new Map<string, { value: string | null; block: bigint }>();
  let expected = 0n;
  let prevHash: Uint8Array = GENESIS_PREV_HASH;
  let headHash: string | null = null;
  for (;;) {
    const blocks = await prisma.ledgerBlock.findMany({ where: { number: { gte: expected } }, orderBy: { number: "asc" }, take: BLOCK_PAGE });
    for (const b of blocks) {
      const at = b.number.toString();
      if (b.number !== expected) problems.push({ block: at, problem: `expected block ${expected} (gap in numbering)` });
      if (!equal(b.prevHash, prevHash)) problems.push({ block: at, problem: "prevHash does not match the previous block's hash" });
      const args = b.args;
      const writes = b.writes;
      if (!Array.isArray(args) || !args.every((a) => typeof a === "string") || !isWrites(writes)) {
        problems.push({ block: at, problem: "malformed args or writes" });
      } else {
        const recomputed = blockHash({
          number: b.number,
          prevHash: new Uint8Array(b.prevHash),
          txId: b.txId,
          fn: b.fn,
          args: args,
          creator: b.creator,
          writes,
          timestamp: b.timestamp,
        });
        if (!equal(recomputed, b.hash)) problems.push({ block: at, problem: "block hash does not match its content" });
        for (const w of writes) lastWrite.set(w.key, { value: w.value === null ? null : digest(w.value), block: b.number });
      }
      prevHash = new Uint8Array(b.hash);
      headHash = hex(prevHash);
      expected = b.number + 1n;
    }
    if (blocks.length < BLOCK_PAGE) break;
  }
  let after: string | undefined;
  for (;;) {
    const rows = await prisma.ledgerState.findMany({
      where: after === undefined ? {} : { key: { gt: after } },
      orderBy: { key: "asc" },
      take: STATE_PAGE,
    });
    for (const row of rows) {
      const write = lastWrite.get(row.key);
      if (!write || write.value === null) {
        problems.push({ block: null, key: row.key, problem: "state value written by no block" });
      } else if (write.value !== digest(Buffer.from(row.value).toString("base64url")) || write.block !== row.blockNumber) {
        problems.push({ block: null, key: row.key, problem: "state value differs from the last block that wrote it" });
      }
      lastWrite.delete(row.key);
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < STATE_PAGE) break;
    after = last.key;
  }
  for (const [key, write] of lastWrite) {
    if (write.value !== null) problems.push({ block: null, key, problem: "state value missing (deleted outside a block)" });
  }
  return { ok: problems.length === 0, blocks: Number(expected), headHash, problems };
}
