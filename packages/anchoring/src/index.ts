/**
 * @cairn/anchoring — the audit trail's server side: everything that needs both the
 * database and the ledger. The ledger worker (key-registration outbox round, then
 * anchor round, under one leader lock), the Fabric checkpoint follower, opening a
 * ledger, the on-chain user pseudonym and the room exporter.
 */
export { startLedgerWorker, LEADER_LOCK_ID, type LedgerWorker, type LedgerWorkerOptions } from "./worker";
export { anchorRound, syncFromChain, indexProofNodes, type AnchorRound } from "./anchor";
export { outboxRound, type OutboxRound } from "./outbox";
export { logSigner, witnessCheckpoint, type LogSigner } from "./witnessing";
export { followCheckpoints, type CheckpointFollower } from "./checkpoint-follower";
export { openLedger, type OpenLedgerOptions, type LedgerKindName } from "./open-ledger";
export * from "./export/index";
