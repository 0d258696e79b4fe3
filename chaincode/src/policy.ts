/**
 * Policy: organisation and room rules (docs/architecture.md; not enforced by the apps yet), changed only by admins; every
 * change is a new version kept in history with its author and time.
 */
import { MAX_DEVICES_PER_USER, MAX_RETENTION_SECONDS, MIN_RETENTION_SECONDS } from "@cairn/protocol";
import { Contract } from "fabric-contract-api";
import { authorOf } from "./access";
import { runDirect, type AdminAction } from "./authority";
import { allInRange, padIndex, readJson, txTime, writeJson, type CairnContext } from "./context";
import { ChaincodeError } from "./errors";
import {
  ORG_SCOPE,
  policyHistoryPrefix,
  policyKey,
  roomScope,
  type OrgPolicy,
  type PolicyRecord,
  type RoomPolicy,
} from "./policy-state";
import { canonicalJson, fromStateBytes } from "./serialize";
import { decodeB64, decodeJsonObject, decodeRef } from "./validate";

function bad(why: string): never {
  throw new ChaincodeError("INVALID_ARGUMENT", `policy ${why}`);
}

function exactKeys(obj: Record<string, unknown>, keys: string[]): void {
  const got = Object.keys(obj).sort();
  if (got.join(",") !== [...keys].sort().join(",")) bad(`must have exactly the fields ${keys.join(", ")}`);
}

function nullableInt(value: unknown, name: string, min: number, max: number): number | null {
  if (value === null) return null;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    bad(`${name} must be null or an integer in ${min}..${max}`);
  }
  return value;
}

function bool(value: unknown, name: string): boolean {
  if (typeof value !== "boolean") bad(`${name} must be a boolean`);
  return value;
}

export function decodeOrgPolicy(json: string): OrgPolicy {
  const o = decodeJsonObject("policy", json, 1024);
  exactKeys(o, ["retentionSeconds", "maxDevicesPerUser", "forwardingAllowed"]);
  return {
    retentionSeconds: nullableInt(o.retentionSeconds, "retentionSeconds", MIN_RETENTION_SECONDS, MAX_RETENTION_SECONDS),
    maxDevicesPerUser: nullableInt(o.maxDevicesPerUser, "maxDevicesPerUser", 1, MAX_DEVICES_PER_USER),
    forwardingAllowed: bool(o.forwardingAllowed, "forwardingAllowed"),
  };
}

export function decodeRoomPolicy(json: string): RoomPolicy {
  const o = decodeJsonObject("policy", json, 1024);
  exactKeys(o, ["retentionSeconds", "forwardingAllowed", "complianceJournalKey"]);
  const key = o.complianceJournalKey;
  if (key !== null) decodeB64("complianceJournalKey", key, 32);
  return {
    retentionSeconds: nullableInt(o.retentionSeconds, "retentionSeconds", MIN_RETENTION_SECONDS, MAX_RETENTION_SECONDS),
    forwardingAllowed: bool(o.forwardingAllowed, "forwardingAllowed"),
    complianceJournalKey: key as string | null,
  };
}

async function setPolicy<P>(ctx: CairnContext, scope: string, policy: P): Promise<string> {
  const current = await readJson<PolicyRecord<P>>(ctx, policyKey(scope));
  const record: PolicyRecord<P> = {
    scope,
    version: (current?.version ?? 0) + 1,
    policy,
    txId: ctx.stub.getTxID(),
    time: txTime(ctx),
    author: authorOf(ctx),
  };
  await writeJson(ctx, policyKey(scope), record);
  await writeJson(ctx, `${policyHistoryPrefix(scope)}${padIndex(record.version)}`, record);
  return canonicalJson(record);
}

export const setOrgPolicy: AdminAction<OrgPolicy> = {
  decode: ([policyJson]) => decodeOrgPolicy(policyJson ?? ""),
  run: (ctx, policy) => setPolicy(ctx, ORG_SCOPE, policy),
};

export const setRoomPolicy: AdminAction<{ ref: string; policy: RoomPolicy }> = {
  decode: ([roomRef, policyJson]) => ({ ref: decodeRef("roomRef", roomRef), policy: decodeRoomPolicy(policyJson ?? "") }),
  run: (ctx, { ref, policy }) => setPolicy(ctx, roomScope(ref), policy),
};

export class PolicyContract extends Contract {
  constructor() {
    super("Policy");
  }

  /**
   * Sets the organisation policy: JSON {retentionSeconds, maxDevicesPerUser, forwardingAllowed}.
   * Caller: admin. @returns PolicyRecord JSON
   */
  async SetOrgPolicy(ctx: CairnContext, policyJson: string): Promise<string> {
    return runDirect(ctx, "Policy:SetOrgPolicy", setOrgPolicy, [policyJson]);
  }

  /**
   * Sets a room's policy: JSON {retentionSeconds, forwardingAllowed, complianceJournalKey}.
   * Caller: admin. @returns PolicyRecord JSON
   */
  async SetRoomPolicy(ctx: CairnContext, roomRef: string, policyJson: string): Promise<string> {
    return runDirect(ctx, "Policy:SetRoomPolicy", setRoomPolicy, [roomRef, policyJson]);
  }

  /** @returns PolicyRecord JSON or "null" */
  async GetOrgPolicy(ctx: CairnContext): Promise<string> {
    return canonicalJson(await readJson<PolicyRecord<OrgPolicy>>(ctx, policyKey(ORG_SCOPE)));
  }

  /** @returns PolicyRecord JSON or "null" */
  async GetRoomPolicy(ctx: CairnContext, roomRef: string): Promise<string> {
    const ref = decodeRef("roomRef", roomRef);
    return canonicalJson(await readJson<PolicyRecord<RoomPolicy>>(ctx, policyKey(roomScope(ref))));
  }

  /** @param scope "org" or a roomRef. @returns JSON array of PolicyRecord, oldest first */
  async GetPolicyHistory(ctx: CairnContext, scope: string): Promise<string> {
    const resolved = scope === ORG_SCOPE ? ORG_SCOPE : roomScope(decodeRef("scope", scope));
    const prefix = policyHistoryPrefix(resolved);
    const entries = await allInRange(ctx, prefix, `${prefix}~`);
    return canonicalJson(entries.map((e) => fromStateBytes<unknown>(e.value)));
  }
}
