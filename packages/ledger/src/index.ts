/**
 * @cairn/ledger — one Ledger interface (./ledger), two implementations running the
 * same chaincode: embedded (in-process, PostgreSQL) and Fabric (fabric-gateway).
 */
export type {
  Ledger,
  TxReceipt,
  IdentityRegistration,
  DeviceKeyRegistration,
  DeviceRevocation,
  LedgerDeviceRecord,
  LedgerKeyRecord,
  LedgerCheckpoint,
  LedgerLeaf,
  LedgerBatch,
  AppendBatchInput,
} from "./ledger";
export { LedgerError, toLedgerError, type LedgerErrorCode } from "./errors";
export {
  createEmbeddedLedger,
  DEFAULT_EMBEDDED_IDENTITY,
  verifyBlockChain,
  blockHash,
  BLOCK_TAG,
  GENESIS_PREV_HASH,
  LEDGER_LOCK_KEY,
  type EmbeddedLedger,
  type EmbeddedLedgerOptions,
  type EmbeddedIdentity,
  type EmbeddedRole,
  type BlockChainReport,
  type BlockChainProblem,
  type BlockContent,
  type BlockWrite,
} from "./embedded/index";
export * from "./fabric/index";
