/**
 * Opening the ledger a process works with, in one place:
 * - `writer` (the ledger worker: appends batches, registers keys): the embedded ledger
 *   as the relay identity, or Fabric as Org1's appender;
 * - `reader` (export and verify): the embedded ledger as a plain client, or Fabric as
 *   Org2's user, so a check does not go through the operator's own organisation;
 * - `admin` (policy changes): the embedded ledger's admin, or Fabric as Org1's admin
 *   (whose changes need the other organisation's approval there).
 */
import type { PrismaClient } from "@cairn/db";
import {
  createEmbeddedLedger,
  createFabricLedger,
  fabricConfigFromNetworkFile,
  LedgerError,
  type FabricIdentityName,
  type FabricLedger,
  type Ledger,
} from "@cairn/ledger";

export type LedgerKindName = "embedded" | "fabric";

export interface OpenLedgerOptions {
  kind: LedgerKindName;
  /** What the process does with the ledger (chooses the identity): an admin changes policies. */
  as: "writer" | "reader" | "admin";
  /** The embedded ledger lives in this database. */
  prisma?: PrismaClient;
  /** network.json of the Fabric network (written by `pnpm fabric:up`). */
  networkFile?: string;
  /** Overrides the Fabric identity chosen by `as`. */
  fabricIdentity?: FabricIdentityName;
}

/** @throws LedgerError CONFIG when the embedded ledger has no database or Fabric has no network file */
export function openLedger(opts: OpenLedgerOptions & { kind: "fabric" }): FabricLedger;
export function openLedger(opts: OpenLedgerOptions): Ledger | FabricLedger;
export function openLedger(opts: OpenLedgerOptions): Ledger | FabricLedger {
  if (opts.kind === "embedded") {
    if (!opts.prisma) throw new LedgerError("CONFIG", "the embedded ledger needs its database (DATABASE_URL)");
    return createEmbeddedLedger({
      prisma: opts.prisma,
      identity: { mspId: "CairnEmbeddedMSP", role: opts.as === "writer" ? "relay" : opts.as === "admin" ? "admin" : "client" },
    });
  }
  if (!opts.networkFile) throw new LedgerError("CONFIG", "the Fabric ledger needs its network file (network.json)");
  const identity = opts.fabricIdentity ?? (opts.as === "writer" ? "org1Appender" : opts.as === "admin" ? "org1Admin" : "org2User");
  return createFabricLedger(fabricConfigFromNetworkFile(opts.networkFile, identity));
}
