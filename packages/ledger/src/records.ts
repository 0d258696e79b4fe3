/**
 * Reading what the chaincode returns: its JSON parsed with the record's schema from
 * @cairn/protocol, so neither ledger hands out a record it has not checked. A
 * response that is not JSON, or not the record, is a LedgerError BAD_RESPONSE.
 */
import type { LedgerKeyRecord } from "@cairn/protocol";
import { LedgerError } from "./errors";
import type { TxReceipt } from "./ledger";

/** What this module needs of a zod schema (structurally; @cairn/protocol's schemas fit). */
export interface RecordSchema<T> {
  safeParse(value: unknown):
    | { success: true; data: T }
    | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function json(response: string | Uint8Array, name: string): unknown {
  try {
    return JSON.parse(typeof response === "string" ? response : decoder.decode(response));
  } catch (cause) {
    throw new LedgerError("BAD_RESPONSE", `${name}: response is not JSON`, { cause });
  }
}

function checked<T>(schema: RecordSchema<T>, value: unknown, name: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const why = parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "record"} ${i.message}`).join("; ");
  throw new LedgerError("BAD_RESPONSE", `${name}: response is not a valid record (${why})`);
}

/**
 * The record a transaction returned.
 * @throws LedgerError BAD_RESPONSE when it is not JSON, null, or not the record
 */
export function parseRecord<T>(schema: RecordSchema<T>, response: string | Uint8Array, name: string): T {
  const value = json(response, name);
  if (value === null) throw new LedgerError("BAD_RESPONSE", `${name}: the contract returned no record`);
  return checked(schema, value, name);
}

/**
 * The record a read returned, or null when the chain holds none ("null").
 * @throws LedgerError BAD_RESPONSE when it is not JSON or not the record
 */
export function parseOptionalRecord<T>(schema: RecordSchema<T>, response: string | Uint8Array, name: string): T | null {
  const value = json(response, name);
  return value === null ? null : checked(schema, value, name);
}

/**
 * The receipt of the deactivation a DeactivateUser call returned (the first one's, when
 * the account was already deactivated).
 * @throws LedgerError BAD_RESPONSE when the record is not deactivated
 */
export function deactivationReceipt(record: LedgerKeyRecord): TxReceipt {
  if (!record.deactivation) throw new LedgerError("BAD_RESPONSE", "DeactivateUser: the record is not deactivated");
  return { txId: record.deactivation.txId, timestamp: new Date(record.deactivation.at) };
}
