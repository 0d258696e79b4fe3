/**
 * fabric-contract-api's logger, when first loaded, installs process-wide handlers:
 * an `unhandledRejection` listener that only logs, and a winston Console transport
 * with `handleExceptions: true, exitOnError: false` that logs uncaught exceptions and
 * keeps the process alive. On a peer (fabric-chaincode-node) that is Fabric's intent;
 * inside Cairn's relay or web server it would silently change crash semantics, so
 * in-process hosts (the embedded ledger) detach them.
 */
const FABRIC_REJECTION_LISTENER = "loggerUnhandledRejectionFn";
const WINSTON_EXCEPTION_LISTENER = "bound _uncaughtException";

/** Removes fabric-contract-api's process hooks (by their names only); returns how many. */
export function detachFabricProcessHooks(): number {
  let removed = 0;
  for (const listener of process.listeners("unhandledRejection")) {
    if (listener.name === FABRIC_REJECTION_LISTENER) {
      process.removeListener("unhandledRejection", listener);
      removed += 1;
    }
  }
  for (const listener of process.listeners("uncaughtException")) {
    if (listener.name === WINSTON_EXCEPTION_LISTENER) {
      process.removeListener("uncaughtException", listener);
      removed += 1;
    }
  }
  return removed;
}
