/**
 * The ledger the audit commands read: embedded (the chain tables in Cairn's PostgreSQL)
 * or Fabric (a gateway to a peer; by default as org2's user, so the check does not go
 * through the operator's own organisation).
 */
import path from "node:path";
import type { PrismaClient } from "@cairn/db";
import { createEmbeddedLedger, createFabricLedger, fabricConfigFromNetworkFile, type Ledger } from "@cairn/ledger";
import { readFabricEnv } from "../fabric/env";

export interface OpenLedgerOptions {
  kind: "embedded" | "fabric";
  /** Needed for the embedded ledger. */
  prisma?: PrismaClient;
  /** network.json for Fabric (default <CAIRN_FABRIC_DIR>/network.json). */
  networkFile?: string;
  fabricIdentity?: string;
}

/** @throws Error when the embedded ledger has no database or the Fabric network file is unusable */
export function openLedger(opts: OpenLedgerOptions): Ledger {
  if (opts.kind === "embedded") {
    if (!opts.prisma) throw new Error("the embedded ledger needs DATABASE_URL");
    return createEmbeddedLedger({ prisma: opts.prisma, identity: { mspId: "CairnEmbeddedMSP", role: "client" } });
  }
  const file = opts.networkFile ?? path.join(readFabricEnv().dataDir, "network.json");
  return createFabricLedger(fabricConfigFromNetworkFile(file, opts.fabricIdentity ?? "org2User"));
}
