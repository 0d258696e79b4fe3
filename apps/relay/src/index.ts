export { createRelay, roomChannel, deviceChannel, userChannel, type Relay, type RelayDeps } from "./app";
export { startLedgerWorker, LEADER_LOCK_ID, type LedgerWorker, type LedgerWorkerOptions } from "./worker";
export { anchorRound, syncFromChain, type AnchorRound } from "./anchor";
export { outboxRound } from "./outbox-worker";
export { userRef } from "./user-ref";
export { createLogger, type Logger, type LogLevel } from "./log";
export { parseEnv, type RelayEnv } from "./env";
export { createLedgerHttpHandler, type LedgerHttpDeps } from "./ledger-http";
