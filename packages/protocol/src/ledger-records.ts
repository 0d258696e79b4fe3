/**
 * Every ledger record shape, defined once (zod schema + inferred type of the same
 * name): the chaincode's records (keys, checkpoints, leaves, batches, policies), the
 * Ledger interface's view of them, the relay's /ledger/* answers and the outbox
 * payloads the web app queues for the ledger worker. See ./ledger/ for each group.
 */
export * from "./ledger/formats";
export * from "./ledger/keys";
export * from "./ledger/audit";
export * from "./ledger/policy";
export * from "./ledger/view";
export * from "./ledger/view-client";
export * from "./ledger/outbox";
export * from "./ledger/governance";
