/**
 * Policy calls shared by both ledgers: checks at the door and the exact JSON the
 * chaincode's Policy contract accepts (chaincode/README.md "Policy"); the contract
 * itself validates ranges and allows only admins to write.
 */
import type { Ledger, LedgerOrgPolicy, LedgerPolicyRecord, LedgerRoomPolicy } from "./ledger";

const REF = /^[0-9a-f]{64}$/;

/**
 * @throws {TypeError} when roomRef is not a string of lowercase hex
 * @throws {RangeError} when it is not 64 characters (a 32-byte keyed hash)
 */
export function checkRoomRef(roomRef: unknown): string {
  if (typeof roomRef !== "string") throw new TypeError("roomRef must be a string");
  if (roomRef.length !== 64) throw new RangeError("roomRef must be 64 hex characters");
  if (!REF.test(roomRef)) throw new TypeError("roomRef must be lowercase hex");
  return roomRef;
}

function nullableNumber(value: unknown, name: string): number | null {
  if (value !== null && typeof value !== "number") throw new TypeError(`${name} must be a number or null`);
  return value;
}

function boolean(value: unknown, name: string): boolean {
  if (typeof value !== "boolean") throw new TypeError(`${name} must be a boolean`);
  return value;
}

/**
 * The policy argument of Policy:SetRoomPolicy: exactly its three fields.
 * @throws {TypeError} when a field has the wrong type
 */
export function roomPolicyJson(policy: LedgerRoomPolicy): string {
  if (typeof policy !== "object" || policy === null) throw new TypeError("policy must be an object");
  const key = policy.complianceJournalKey;
  if (key !== null && typeof key !== "string") throw new TypeError("complianceJournalKey must be a string or null");
  return JSON.stringify({
    retentionSeconds: nullableNumber(policy.retentionSeconds, "retentionSeconds"),
    forwardingAllowed: boolean(policy.forwardingAllowed, "forwardingAllowed"),
    complianceJournalKey: key,
  });
}

/**
 * The policy argument of Policy:SetOrgPolicy: exactly its three fields.
 * @throws {TypeError} when a field has the wrong type
 */
export function orgPolicyJson(policy: LedgerOrgPolicy): string {
  if (typeof policy !== "object" || policy === null) throw new TypeError("policy must be an object");
  return JSON.stringify({
    retentionSeconds: nullableNumber(policy.retentionSeconds, "retentionSeconds"),
    maxDevicesPerUser: nullableNumber(policy.maxDevicesPerUser, "maxDevicesPerUser"),
    forwardingAllowed: boolean(policy.forwardingAllowed, "forwardingAllowed"),
  });
}

/** Copies a PolicyRecord as the contract returns it (JSON), keeping only the documented fields. */
export function toPolicyRecord<P>(record: LedgerPolicyRecord<P>): LedgerPolicyRecord<P> {
  return {
    scope: record.scope,
    version: record.version,
    policy: record.policy,
    txId: record.txId,
    time: record.time,
    author: { mspId: record.author.mspId, idHash: record.author.idHash },
  };
}

/** Runs a contract transaction and returns its JSON result text. */
export type PolicyCall = (name: string, args: string[]) => Promise<string>;

export type PolicyMethods = Pick<
  Ledger,
  "setRoomPolicy" | "getRoomPolicy" | "setOrgPolicy" | "getOrgPolicy"
>;

/** The Ledger's four policy methods over a ledger's own submit and evaluate. */
export function policyMethods(submit: PolicyCall, evaluate: PolicyCall): PolicyMethods {
  const parse = <P>(text: string): LedgerPolicyRecord<P> | null => {
    const record = JSON.parse(text) as LedgerPolicyRecord<P> | null;
    return record ? toPolicyRecord(record) : null;
  };
  const written = <P>(text: string): LedgerPolicyRecord<P> => {
    const record = parse<P>(text);
    if (!record) throw new Error("the Policy contract returned no record");
    return record;
  };
  return {
    async setRoomPolicy(roomRef, policy) {
      const args = [checkRoomRef(roomRef), roomPolicyJson(policy)];
      return written<LedgerRoomPolicy>(await submit("Policy:SetRoomPolicy", args));
    },
    async getRoomPolicy(roomRef) {
      return parse<LedgerRoomPolicy>(await evaluate("Policy:GetRoomPolicy", [checkRoomRef(roomRef)]));
    },
    async setOrgPolicy(policy) {
      return written<LedgerOrgPolicy>(await submit("Policy:SetOrgPolicy", [orgPolicyJson(policy)]));
    },
    async getOrgPolicy() {
      return parse<LedgerOrgPolicy>(await evaluate("Policy:GetOrgPolicy", []));
    },
  };
}
