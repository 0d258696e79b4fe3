/** @cairn/log — the JSON-lines logger of Cairn's server processes (relay, ledger worker, CLI). */
export { createLogger, errorFields, type Logger, type LogLevel } from "./log";
