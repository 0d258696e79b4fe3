import type { PrismaClient } from "@cairn/db";
import {
  createEmbeddedLedger,
  createFabricLedger,
  fabricConfigFromNetworkFile,
  type FabricLedger,
  type Ledger,
} from "@cairn/ledger";
import type { RelayEnv } from "./env";

/**
 * The ledger the relay's worker writes to, chosen by CAIRN_LEDGER: the embedded one
 * (same PostgreSQL, relay identity) or a Fabric network described by the
 * network.json that `pnpm fabric:up` writes (the Org1 identity authorised to append).
 */
export function openLedger(env: RelayEnv, prisma: PrismaClient): Ledger | FabricLedger {
  if (env.CAIRN_LEDGER === "fabric") {
    return createFabricLedger(fabricConfigFromNetworkFile(env.CAIRN_FABRIC_NETWORK, "org1Appender"));
  }
  return createEmbeddedLedger({ prisma, identity: { mspId: "CairnEmbeddedMSP", role: "relay" } });
}
