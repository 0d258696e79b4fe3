/**
 * Runs contract transactions in-process. A submit is one PostgreSQL transaction:
 * take the ledger's advisory lock (transactions are serialized, across processes),
 * run the contract against committed state, apply its writes and append one block
 * chained to the previous one. A contract error rolls everything back: no block,
 * no writes (like a proposal that fails endorsement). An evaluate runs the contract
 * on committed state and discards any writes, without a block.
 */
import { randomBytes } from "node:crypto";
import { invokeTransaction, UnknownTransactionError, type CairnClientIdentity, type FabricContract } from "@cairn/chaincode";
import type { Prisma, PrismaClient } from "@cairn/db";
import { LedgerError, toLedgerError } from "../errors";
import { blockHash, GENESIS_PREV_HASH, type BlockWrite } from "./block";
import { PgStub } from "./pg-stub";

/** Key of the PostgreSQL advisory lock that serializes embedded-ledger commits. */
export const LEDGER_LOCK_KEY = 0x6361_6972; // "cair"

export interface Committed {
  result: string;
  txId: string;
  timestamp: Date;
  blockNumber: bigint;
}

export interface TransactDeps {
  prisma: PrismaClient;
  contracts: readonly FabricContract[];
  identity: CairnClientIdentity;
  creator: string;
  clock: () => Date;
}

function checkCall(name: string, args: readonly string[]): void {
  if (typeof name !== "string" || !/^[A-Za-z]+:[A-Za-z]+$/.test(name)) throw new TypeError("transaction name must be Contract:Function");
  if (!Array.isArray(args) || args.some((a) => typeof a !== "string")) throw new TypeError("transaction arguments must be strings");
}

function mapError(err: unknown): LedgerError {
  if (err instanceof UnknownTransactionError) return new LedgerError("INVALID_ARGUMENT", err.message, { cause: err });
  if (err instanceof LedgerError || (err instanceof Error && err.message.includes("CAIRN_E_"))) return toLedgerError(err);
  // Anything else failed around the contract: the database (connection, timeout) or Prisma.
  const contractBug = err instanceof TypeError || err instanceof RangeError;
  if (contractBug) return new LedgerError("INTERNAL", err.message, { cause: err });
  return new LedgerError("UNAVAILABLE", "embedded ledger unavailable", { cause: err });
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** @throws LedgerError with the contract's code, or UNAVAILABLE */
export async function submit(deps: TransactDeps, name: string, args: readonly string[]): Promise<Committed> {
  checkCall(name, args);
  try {
    return await deps.prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LEDGER_LOCK_KEY})`;
        const last = await tx.ledgerBlock.findFirst({ orderBy: { number: "desc" }, select: { number: true, hash: true } });
        const number = last ? last.number + 1n : 0n;
        const txId = randomBytes(32).toString("hex");
        const timestamp = new Date(Math.floor(deps.clock().getTime()));
        const stub = new PgStub(tx, txId, timestamp);
        const result = await invokeTransaction(deps.contracts, stub, deps.identity, name, args);
        const writes: BlockWrite[] = [...stub.writes]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([key, value]) => ({ key, value: value === null ? null : b64(value) }));
        for (const [key, value] of stub.writes) {
          if (value === null) await tx.ledgerState.deleteMany({ where: { key } });
          else {
            const data = { value: new Uint8Array(value), blockNumber: number };
            await tx.ledgerState.upsert({ where: { key }, create: { key, ...data }, update: data });
          }
        }
        const prevHash = new Uint8Array(last ? last.hash : GENESIS_PREV_HASH);
        const hash = blockHash({ number, prevHash, txId, fn: name, args: [...args], creator: deps.creator, writes, timestamp });
        await tx.ledgerBlock.create({
          data: {
            number,
            prevHash,
            hash: new Uint8Array(hash),
            txId,
            fn: name,
            args: [...args],
            creator: deps.creator,
            writes: writes as unknown as Prisma.InputJsonValue,
            timestamp,
          },
        });
        return { result, txId, timestamp, blockNumber: number };
      },
      { maxWait: 30_000, timeout: 120_000 },
    );
  } catch (err) {
    throw mapError(err);
  }
}

/** @throws LedgerError with the contract's code, or UNAVAILABLE */
export async function evaluate(deps: TransactDeps, name: string, args: readonly string[]): Promise<string> {
  checkCall(name, args);
  try {
    const stub = new PgStub(deps.prisma, `evaluate-${randomBytes(8).toString("hex")}`, deps.clock());
    return await invokeTransaction(deps.contracts, stub, deps.identity, name, args);
  } catch (err) {
    throw mapError(err);
  }
}
