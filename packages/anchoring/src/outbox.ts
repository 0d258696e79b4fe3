/**
 * The key-registration outbox round: submits what the web app queued, in order.
 * - The ledger refuses an item for good (its contract judged the request, or the
 *   payload itself is malformed): the item is marked refused with the reason, logged
 *   for the admin, and the round moves on — one bad request never blocks the rest.
 * - The ledger is unreachable or unsure: the round stops there (a device needs its
 *   identity first, so order matters) and the next round retries the same item.
 * Either way the round returns normally: the worker's anchor round never waits behind it.
 */
import { z } from "zod";
import { DeactivateUserPayload, RegisterDevicePayload, RegisterIdentityPayload, RevokeDevicePayload } from "@cairn/protocol";
import {
  markLedgerTxDone,
  markLedgerTxFailed,
  markLedgerTxRefused,
  pendingLedgerTxs,
  type OutboxItem,
  type PrismaClient,
} from "@cairn/db";
import { LedgerError, toLedgerError, type Ledger, type TxReceipt } from "@cairn/ledger";
import { errorFields, type Logger } from "@cairn/log";
import { userRef } from "./user-ref";

export interface OutboxRound {
  submitted: number;
  refused: number;
  /** Why the round stopped early (the ledger could not take the next item), or null. */
  stoppedBy: LedgerError | null;
}

/** A payload that no ledger could accept: refused like a contract refusal, without asking the ledger. */
class MalformedItem extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export async function outboxRound(prisma: PrismaClient, ledger: Ledger, serverSecret: string, log: Logger): Promise<OutboxRound> {
  const round: OutboxRound = { submitted: 0, refused: 0, stoppedBy: null };
  for (const item of await pendingLedgerTxs(prisma)) {
    let receipt: TxReceipt;
    try {
      receipt = await submit(item, ledger, serverSecret, prisma);
    } catch (err) {
      const refusal = refusalOf(err);
      if (refusal) {
        await markLedgerTxRefused(prisma, item.id, refusal);
        log.warn("ledger refused a queued key registration; skipped", { outboxId: item.id, kind: item.kind, reason: refusal });
        round.refused++;
        continue;
      }
      const error = toLedgerError(err, item.kind);
      await markLedgerTxFailed(prisma, item.id, error.code);
      log.warn("key registration not submitted; retrying next round", { outboxId: item.id, kind: item.kind, ...errorFields(error) });
      round.stoppedBy = error;
      return round;
    }
    await markLedgerTxDone(prisma, item.id, receipt.txId);
    round.submitted++;
  }
  return round;
}

/** "CODE: detail" when retrying cannot help, otherwise null. */
function refusalOf(err: unknown): string | null {
  if (err instanceof MalformedItem) return `INVALID_ARGUMENT: ${err.reason}`;
  if (err instanceof z.ZodError) return `INVALID_ARGUMENT: payload ${err.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`;
  if (err instanceof LedgerError && err.refused) return `${err.code}: ${err.message}`;
  return null;
}

async function submit(item: OutboxItem, ledger: Ledger, secret: string, prisma: PrismaClient): Promise<TxReceipt> {
  switch (item.kind) {
    case "registerIdentity": {
      const p = RegisterIdentityPayload.parse(item.payload);
      return ledger.registerIdentity({ userRef: userRef(secret, p.userId), identityPublicKey: p.identityPublicKey });
    }
    case "registerDevice": {
      const p = RegisterDevicePayload.parse(item.payload);
      const receipt = await ledger.registerDevice({ ...p, userRef: userRef(secret, p.userId) });
      await prisma.device.updateMany({ where: { id: p.deviceId }, data: { ledgerTxId: receipt.txId } });
      return receipt;
    }
    case "revokeDevice": {
      const p = RevokeDevicePayload.parse(item.payload);
      return ledger.revokeDevice({ ...p, userRef: userRef(secret, p.userId) });
    }
    case "deactivateUser": {
      const p = DeactivateUserPayload.parse(item.payload);
      return ledger.deactivateUser({ userRef: userRef(secret, p.userId), auditLeafIndex: p.auditLeafIndex });
    }
    default:
      throw new MalformedItem(`unknown outbox kind ${item.kind}`);
  }
}
