/**
 * @cairn/relay — the Socket.IO relay (ciphertext in, stored, fanned out) and its
 * read-only ledger view. The ledger worker it runs lives in @cairn/anchoring.
 */
export { createRelay, roomChannel, deviceChannel, userChannel, type Relay, type RelayDeps } from "./app";
export { parseEnv, type RelayEnv } from "./env";
export { createEventLimits, eventLimitSpecs, type EventLimits } from "./rate-limit";
export { createLedgerHttpHandler, type LedgerHttpDeps } from "./ledger-http";
