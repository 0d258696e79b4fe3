/**
 * The audit-log leaf that records an account's deactivation (offboarding, issue 9):
 * which admin deactivated which account, and when. Kind "deactivation" in AuditLeaf;
 * the leaf hash is RFC 9162's SHA-256(0x00 || data) and only that hash is anchored.
 * The data is not stored: it is rebuilt from the User row (id, deactivatedBy,
 * deactivatedAt) and checked against the leaf named by User.deactivationLeaf.
 * Frozen by the vector in deactivation-record.test.ts: change the tag, never the layout.
 */
import { encodeRecord, u64, utf8 } from "./canonical";

export const DEACTIVATION_TAG = "cairn/audit-deactivate/v1";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function uuid(name: string, value: string): Uint8Array {
  if (typeof value !== "string" || !UUID.test(value)) throw new TypeError(`${name} must be a lowercase UUID`);
  return utf8(value);
}

/**
 * record(tag, utf8(actorUserId), utf8(targetUserId), u64be(deactivatedAtMs)).
 * @throws TypeError when an id is not a lowercase UUID; RangeError for a bad time
 */
export function auditDeactivationData(d: { actorUserId: string; targetUserId: string; deactivatedAtMs: number }): Uint8Array {
  return encodeRecord(DEACTIVATION_TAG, [
    uuid("actorUserId", d.actorUserId),
    uuid("targetUserId", d.targetUserId),
    u64(d.deactivatedAtMs),
  ]);
}
