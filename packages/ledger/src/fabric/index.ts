/** The Fabric ledger (fabric-gateway). Re-exported by @cairn/ledger's index. */
export { createFabricLedger, type FabricLedger, type WhoAmI } from "./fabric-ledger";
export {
  fabricConfigFromNetworkFile,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUTS,
  type FabricLedgerConfig,
  type FabricNetworkFile,
  type FabricIdentityName,
  type FabricRetryPolicy,
  type FabricTimeouts,
} from "./config";

export { parseCheckpointEvent, type WatchCheckpointsOptions } from "./checkpoint-events";
