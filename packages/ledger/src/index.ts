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
  UserDeactivation,
  LedgerDeviceRecord,
  LedgerKeyRecord,
  LedgerCheckpoint,
  LedgerLeaf,
  LedgerRoomHead,
  LedgerRoomHeadInput,
  LedgerBatch,
  AppendBatchInput,
  LedgerOrgPolicy,
  LedgerRoomPolicy,
  LedgerPolicyRecord,
} from "./ledger";
export { LedgerError, LEDGER_ERROR_CODES, toLedgerError, type LedgerErrorCode } from "./errors";
export { orgPolicyJson, roomPolicyJson } from "./policy";
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

// @cairn/chaincode loads fabric-contract-api, whose logger installs process-wide
// handlers that swallow uncaught exceptions and unhandled rejections. This package
// only ever runs inside Cairn's own processes: restore Node's crash semantics.
import { detachFabricProcessHooks } from "@cairn/chaincode";
detachFabricProcessHooks();
