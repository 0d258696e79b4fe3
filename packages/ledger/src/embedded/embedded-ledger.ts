/**
 * The embedded ledger (packages/ledger/README.md): Cairn's chaincode contracts run in-process against
 * world state in PostgreSQL with a hash-chained block log. For evaluation and small
 * teams: a single operator can rewrite it (verifyBlockChain detects edits, not a
 * consistent rewrite). Use the Fabric ledger where that matters.
 */
import {
  AuditContract,
  detachFabricProcessHooks,
  GovernanceContract,
  KeyRegistryContract,
  PolicyContract,
  type FabricContract,
} from "@cairn/chaincode";
import { createPrismaClient, type PrismaClient } from "@cairn/db";
import { LedgerBatchRecord, LedgerCheckpoint, LedgerKeyRecord, LedgerLeaf, LedgerRoomHead, splitBatchRecord } from "@cairn/protocol";
import type {
  AppendBatchInput,
  DeviceKeyRegistration,
  DeviceRevocation,
  UserDeactivation,
  IdentityRegistration,
  Ledger,
  LedgerBatch,
  TxReceipt,
} from "../ledger";
import { clientIdentityOf, creatorName, DEFAULT_EMBEDDED_IDENTITY, type EmbeddedIdentity } from "./identity";
import { policyMethods } from "../policy";
import { deactivationReceipt, parseOptionalRecord, parseRecord } from "../records";
import { evaluate, submit, type TransactDeps } from "./transact";
import { verifyBlockChain, type BlockChainReport } from "./verify";

export interface EmbeddedLedgerOptions {
  /** A Prisma client the caller owns (not closed by close()), or a database URL. */
  prisma?: PrismaClient;
  databaseUrl?: string;
  /** The creator identity of every transaction (default CairnEmbeddedMSP / relay). */
  identity?: EmbeddedIdentity;
  /** Transaction timestamps (default: the system clock). */
  clock?: () => Date;
}

export interface EmbeddedLedger extends Ledger {
  readonly kind: "embedded";
  getBatch(index: number): Promise<LedgerBatch | null>;
  readonly identity: EmbeddedIdentity;
  /** Submits any contract transaction ("Contract:Function", string args); one block. */
  submitTransaction(name: string, args: readonly string[]): Promise<{ result: string; receipt: TxReceipt }>;
  /** Evaluates a read-only transaction on committed state; no block. */
  evaluateTransaction(name: string, args: readonly string[]): Promise<string>;
  /** The same database, acting as another identity (e.g. an admin setting policy). */
  withIdentity(identity: EmbeddedIdentity): EmbeddedLedger;
  /** Recomputes the block hash chain and checks the state against it. */
  verifyBlockChain(): Promise<BlockChainReport>;
}

const HEX64 = /^[0-9a-f]{64}$/;

function need(ok: boolean, message: string): void {
  if (!ok) throw new TypeError(message);
}

function build(
  prisma: PrismaClient,
  identity: EmbeddedIdentity,
  clock: () => Date,
  contracts: readonly FabricContract[],
  onClose: () => Promise<void>,
): EmbeddedLedger {
  const deps: TransactDeps = { prisma, contracts, identity: clientIdentityOf(identity), creator: creatorName(identity), clock };
  const run = async (name: string, args: readonly string[]) => {
    const c = await submit(deps, name, args);
    return { result: c.result, receipt: { txId: c.txId, timestamp: c.timestamp } };
  };
  const receiptOf = async (name: string, args: string[]): Promise<TxReceipt> => (await run(name, args)).receipt;

  return {
    kind: "embedded",
    identity,
    submitTransaction: run,
    evaluateTransaction: (name, args) => evaluate(deps, name, args),
    withIdentity: (other) => build(prisma, other, clock, contracts, () => Promise.resolve()),
    verifyBlockChain: () => verifyBlockChain(prisma),

    registerIdentity: (input: IdentityRegistration) =>
      receiptOf("KeyRegistry:RegisterIdentity", [input.userRef, input.identityPublicKey]),
    registerDevice: (input: DeviceKeyRegistration) =>
      receiptOf("KeyRegistry:RegisterDevice", [
        input.userRef,
        input.deviceId,
        input.signingPublicKey,
        input.agreementPublicKey,
        input.signature,
      ]),
    revokeDevice: (input: DeviceRevocation) => {
      need(Number.isSafeInteger(input.revokedAtMs) && input.revokedAtMs >= 0, "revokedAtMs must be a non-negative integer");
      return receiptOf("KeyRegistry:RevokeDevice", [input.userRef, input.deviceId, String(input.revokedAtMs), input.signature]);
    },
    async deactivateUser(input: UserDeactivation) {
      need(Number.isSafeInteger(input.auditLeafIndex) && input.auditLeafIndex >= 0, "auditLeafIndex must be a non-negative integer");
      const { result } = await run("KeyRegistry:DeactivateUser", [input.userRef, String(input.auditLeafIndex)]);
      return deactivationReceipt(parseRecord(LedgerKeyRecord, result, "DeactivateUser"));
    },
    async getKeys(userRef: string) {
      return parseOptionalRecord(LedgerKeyRecord, await evaluate(deps, "KeyRegistry:GetKeys", [userRef]), "GetKeys");
    },
    async appendBatch(input: AppendBatchInput) {
      need(Number.isSafeInteger(input.startIndex) && input.startIndex >= 0, "startIndex must be a non-negative integer");
      need(Array.isArray(input.leafHashes) && input.leafHashes.every((h) => typeof h === "string" && HEX64.test(h)),
        "leafHashes must be lowercase hex SHA-256 hashes");
      const { result } = await run("Audit:AppendBatch", [String(input.startIndex), input.leafHashes.join(""), JSON.stringify(input.roomHeads ?? [])]);
      return parseRecord(LedgerCheckpoint, result, "AppendBatch");
    },
    async getLatestCheckpoint() {
      return parseOptionalRecord(LedgerCheckpoint, await evaluate(deps, "Audit:GetLatestCheckpoint", []), "GetLatestCheckpoint");
    },
    async getCheckpoint(treeSize: number) {
      need(Number.isSafeInteger(treeSize) && treeSize >= 0, "treeSize must be a non-negative integer");
      return parseOptionalRecord(LedgerCheckpoint, await evaluate(deps, "Audit:GetCheckpoint", [String(treeSize)]), "GetCheckpoint");
    },
    async getLeaf(index: number) {
      need(Number.isSafeInteger(index) && index >= 0, "index must be a non-negative integer");
      return parseOptionalRecord(LedgerLeaf, await evaluate(deps, "Audit:GetLeaf", [String(index)]), "GetLeaf");
    },
    async getRoomHead(roomRef: string, treeSize: number) {
      need(Number.isSafeInteger(treeSize) && treeSize >= 0, "treeSize must be a non-negative integer");
      return parseOptionalRecord(LedgerRoomHead, await evaluate(deps, "Audit:GetRoomHead", [roomRef, String(treeSize)]), "GetRoomHead");
    },
    async getBatch(index: number): Promise<LedgerBatch | null> {
      need(Number.isSafeInteger(index) && index >= 0, "index must be a non-negative integer");
      const batch = parseOptionalRecord(LedgerBatchRecord, await evaluate(deps, "Audit:GetBatch", [String(index)]), "GetBatch");
      return batch ? splitBatchRecord(batch) : null;
    },
    ...policyMethods(
      async (name, args) => (await run(name, args)).result,
      (name, args) => evaluate(deps, name, args),
    ),
    close: onClose,
  };
}

/**
 * Creates the embedded ledger over a PostgreSQL database migrated with Cairn's schema.
 * @throws TypeError without a prisma client or database URL, or with a bad identity
 */
export function createEmbeddedLedger(options: EmbeddedLedgerOptions): EmbeddedLedger {
  detachFabricProcessHooks();
  const identity = options.identity ?? DEFAULT_EMBEDDED_IDENTITY;
  const contracts = [new KeyRegistryContract(), new AuditContract(), new PolicyContract(), new GovernanceContract()];
  if (options.prisma) return build(options.prisma, identity, options.clock ?? (() => new Date()), contracts, () => Promise.resolve());
  if (typeof options.databaseUrl !== "string" || options.databaseUrl.length === 0) {
    throw new TypeError("createEmbeddedLedger needs a prisma client or a databaseUrl");
  }
  const own = createPrismaClient(options.databaseUrl);
  return build(own, identity, options.clock ?? (() => new Date()), contracts, () => own.$disconnect());
}
