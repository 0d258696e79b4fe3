/**
 * Submits the key registrations the web app queued, in order. A ledger outage
 * stops the round (order matters: a device needs its identity first) and the next
 * round retries; a transaction the chaincode refuses for good is recorded as
 * rejected and skipped, so one bad request cannot block everyone behind it.
 */
import { z } from "zod";
import { markLedgerTxDone, markLedgerTxFailed, pendingLedgerTxs, type PrismaClient } from "@cairn/db";
import type { Ledger, TxReceipt } from "@cairn/ledger";
import type { Logger } from "./log";
import { userRef } from "./user-ref";

const RegisterIdentity = z.object({ userId: z.uuid(), identityPublicKey: z.string() });
const RegisterDevice = z.object({
  userId: z.uuid(),
  deviceId: z.string(),
  signingPublicKey: z.string(),
  agreementPublicKey: z.string(),
  signature: z.string(),
});
const RevokeDevice = z.object({
  userId: z.uuid(),
  deviceId: z.string(),
  revokedAtMs: z.number().int(),
  signature: z.string(),
});

/** Errors that retrying cannot fix: the chaincode judged the request itself. */
const PERMANENT = new Set(["BAD_SIGNATURE", "VALIDATION_FAILED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "BAD_INPUT"]);

export async function outboxRound(
  prisma: PrismaClient,
  ledger: Ledger,
  serverSecret: string,
  log: Logger,
): Promise<{ submitted: number; rejected: number }> {
  let submitted = 0;
  let rejected = 0;
  for (const item of await pendingLedgerTxs(prisma)) {
    let receipt: TxReceipt;
    try {
      receipt = await submit(item.kind, item.payload, ledger, serverSecret, prisma);
    } catch (err) {
      const code = err instanceof z.ZodError ? "BAD_INPUT" : (err as { code?: unknown }).code;
      if (typeof code === "string" && PERMANENT.has(code)) {
        await markLedgerTxFailed(prisma, item.id, `${code}`);
        await prisma.ledgerOutbox.update({ where: { id: item.id }, data: { doneAt: new Date() } });
        log.warn("ledger rejected a queued transaction", { outboxId: item.id, kind: item.kind, code });
        rejected++;
        continue;
      }
      await markLedgerTxFailed(prisma, item.id, typeof code === "string" ? code : "UNAVAILABLE");
      throw err;
    }
    await markLedgerTxDone(prisma, item.id, receipt.txId);
    submitted++;
  }
  return { submitted, rejected };
}

async function submit(
  kind: string,
  payload: unknown,
  ledger: Ledger,
  secret: string,
  prisma: PrismaClient,
): Promise<TxReceipt> {
  switch (kind) {
    case "registerIdentity": {
      const p = RegisterIdentity.parse(payload);
      return ledger.registerIdentity({ userRef: userRef(secret, p.userId), identityPublicKey: p.identityPublicKey });
    }
    case "registerDevice": {
      const p = RegisterDevice.parse(payload);
      const receipt = await ledger.registerDevice({ ...p, userRef: userRef(secret, p.userId) });
      await prisma.device.updateMany({ where: { id: p.deviceId }, data: { ledgerTxId: receipt.txId } });
      return receipt;
    }
    case "revokeDevice": {
      const p = RevokeDevice.parse(payload);
      return ledger.revokeDevice({ ...p, userRef: userRef(secret, p.userId) });
    }
    default:
      throw Object.assign(new Error(`unknown outbox kind ${kind}`), { code: "BAD_INPUT" });
  }
}

