/**
 * @cairn/chaincode — Cairn's Fabric contracts (KeyRegistry, Audit, Policy, Governance). The same
 * classes run on a peer (fabric-chaincode-node, CCaaS, dist/index.cjs) and
 * in-process in the embedded ledger (invokeTransaction). See README.md.
 */
import { AuditContract } from "./audit";
import { KeyRegistryContract } from "./key-registry";
import { PolicyContract } from "./policy";
import { GovernanceContract } from "./governance";

export { KeyRegistryContract, type KeyRecord, type DeviceRecord, type ReplacedIdentity } from "./key-registry";
export { AuditContract, CHECKPOINT_EVENT, MAX_BATCH_LEAVES, type Checkpoint, type LeafRecord, type BatchRecord } from "./audit";
export { PolicyContract, decodeOrgPolicy, decodeRoomPolicy } from "./policy";
export { GovernanceContract, type Proposal } from "./governance";
export type { GovernanceConfig } from "./authority";
export type { OrgPolicy, RoomPolicy, PolicyRecord } from "./policy-state";
export { ChaincodeError, parseChaincodeError, CHAINCODE_ERROR_CODES, type ChaincodeErrorCode } from "./errors";
export { canonicalJson, toStateBytes, fromStateBytes, type JsonValue } from "./serialize";
export { ROLE_ATTRIBUTE, subjectOUs } from "./access";
export { invokeTransaction, transactionsOf, UnknownTransactionError } from "./dispatch";
export { detachFabricProcessHooks } from "./process-hooks";
export type { CairnStub, CairnClientIdentity, CairnContext, StateIterator, StateKV } from "./context";
export type { Contract as FabricContract } from "fabric-contract-api";

/** What fabric-shim loads: one instance of each contract class. */
export const contracts = [KeyRegistryContract, AuditContract, PolicyContract, GovernanceContract];
