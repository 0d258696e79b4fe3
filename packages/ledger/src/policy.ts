/**
 * Policy calls shared by both ledgers: checks at the door and the exact JSON the
 * chaincode's Policy contract accepts (chaincode/README.md "Policy"); the contract
 * itself validates ranges and allows only admins to write.
 */
import { LedgerOrgPolicyRecord, LedgerRoomPolicyRecord } from "@cairn/protocol";
import type { Ledger, LedgerOrgPolicy, LedgerRoomPolicy } from "./ledger";
import { parseOptionalRecord, parseRecord } from "./records";

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

/** Runs a contract transaction and returns its JSON result text. */
export type PolicyCall = (name: string, args: string[]) => Promise<string>;

export type PolicyMethods = Pick<
  Ledger,
  "setRoomPolicy" | "getRoomPolicy" | "setOrgPolicy" | "getOrgPolicy" | "getOrgPolicyHistory" | "getRoomPolicyHistory"
>;

/**
 * The Ledger's policy methods over a ledger's own submit and evaluate; what the
 * contract returns is parsed with the shared policy record schemas.
 */
export function policyMethods(submit: PolicyCall, evaluate: PolicyCall): PolicyMethods {
  return {
    async setRoomPolicy(roomRef, policy) {
      const args = [checkRoomRef(roomRef), roomPolicyJson(policy)];
      return parseRecord(LedgerRoomPolicyRecord, await submit("Policy:SetRoomPolicy", args), "SetRoomPolicy");
    },
    async getRoomPolicy(roomRef) {
      const text = await evaluate("Policy:GetRoomPolicy", [checkRoomRef(roomRef)]);
      return parseOptionalRecord(LedgerRoomPolicyRecord, text, "GetRoomPolicy");
    },
    async setOrgPolicy(policy) {
      return parseRecord(LedgerOrgPolicyRecord, await submit("Policy:SetOrgPolicy", [orgPolicyJson(policy)]), "SetOrgPolicy");
    },
    async getOrgPolicy() {
      return parseOptionalRecord(LedgerOrgPolicyRecord, await evaluate("Policy:GetOrgPolicy", []), "GetOrgPolicy");
    },
    async getOrgPolicyHistory() {
      return parseRecord(LedgerOrgPolicyRecord.array(), await evaluate("Policy:GetPolicyHistory", ["org"]), "GetPolicyHistory");
    },
    async getRoomPolicyHistory(roomRef) {
      return parseRecord(LedgerRoomPolicyRecord.array(), await evaluate("Policy:GetPolicyHistory", [checkRoomRef(roomRef)]), "GetPolicyHistory");
    },
  };
}
