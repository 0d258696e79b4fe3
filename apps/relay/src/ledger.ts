import type { PrismaClient } from "@cairn/db";
import { createEmbeddedLedger, type Ledger } from "@cairn/ledger";
import type { RelayEnv } from "./env";

/** The ledger the relay's worker writes to, chosen by CAIRN_LEDGER. */
export async function openLedger(env: RelayEnv, prisma: PrismaClient): Promise<Ledger> {
  if (env.CAIRN_LEDGER === "fabric") {
    throw new Error("CAIRN_LEDGER=fabric: the Fabric gateway ledger is not wired into the relay yet");
  }
  return createEmbeddedLedger({ prisma, identity: { mspId: "CairnEmbeddedMSP", role: "relay" } });
}
