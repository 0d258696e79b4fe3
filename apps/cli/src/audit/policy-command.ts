/**
 * `cairn policy show|history|set [--room <id>] [--json]`: the organisation's or a room's
 * security policy as the ledger holds it (Policy contract), never a database copy —
 * the version in force, or every version with its author and transaction. A room's
 * policy is keyed on chain by its room reference (HMAC of the room id), so reading one
 * needs the server secret. Changing a policy is an admin's ledger transaction (on
 * Fabric, a Governance proposal both organisations approve; chaincode/README.md).
 */
import { openLedger, roomRef } from "@cairn/anchoring";
import { createPrismaClient } from "@cairn/db";
import { LedgerError, orgPolicyJson, roomPolicyJson, type FabricLedger, type Ledger, type LedgerOrgPolicy, type LedgerPolicyRecord, type LedgerRoomPolicy } from "@cairn/ledger";
import { openReadLedger, type ReadLedgerOptions } from "./read-ledger";

export interface PolicyCommandOptions extends ReadLedgerOptions {
  what: "show" | "history";
  room?: string;
  serverSecret?: string;
  json: boolean;
}

type AnyPolicy = LedgerOrgPolicy | LedgerRoomPolicy;

function duration(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} day(s)`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600} hour(s)`;
  return `${seconds} s`;
}

/** One version in plain words. */
export function describePolicy(r: LedgerPolicyRecord<AnyPolicy>): string {
  const p = r.policy;
  const rules = [
    p.retentionSeconds === null ? "messages kept indefinitely" : `messages expire after ${duration(p.retentionSeconds)}`,
    "maxDevicesPerUser" in p ? (p.maxDevicesPerUser === null ? "no device limit" : `at most ${p.maxDevicesPerUser} device(s) per user`) : null,
    p.forwardingAllowed ? "forwarding allowed" : "forwarding not allowed",
    "complianceJournalKey" in p ? (p.complianceJournalKey === null ? "not journaled" : `journaled to ${p.complianceJournalKey.slice(0, 12)}…`) : null,
  ].filter((x): x is string => x !== null);
  return `v${r.version} (${r.time}, tx ${r.txId.slice(0, 16)}…, by ${r.author.mspId}/${r.author.idHash.slice(0, 12)}…): ${rules.join("; ")}`;
}

export async function policyCommand(opts: PolicyCommandOptions): Promise<number> {
  if (opts.room !== undefined && !opts.serverSecret) {
    process.stderr.write("a room's policy is keyed on chain by its room reference: set CAIRN_SERVER_SECRET or run beside `npm start`\n");
    return 2;
  }
  let read: ReturnType<typeof openReadLedger> | undefined;
  try {
    read = openReadLedger(opts);
    const { ledger } = read;
    const ref = opts.room === undefined ? null : roomRef(opts.serverSecret as string, opts.room);
    let records: LedgerPolicyRecord<AnyPolicy>[];
    if (opts.what === "history") records = ref === null ? await ledger.getOrgPolicyHistory() : await ledger.getRoomPolicyHistory(ref);
    else {
      const current: LedgerPolicyRecord<AnyPolicy> | null = ref === null ? await ledger.getOrgPolicy() : await ledger.getRoomPolicy(ref);
      records = current ? [current] : [];
    }
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(opts.what === "history" ? records : (records[0] ?? null), null, 2)}\n`);
      return 0;
    }
    const whose = ref === null ? "organisation policy" : `policy of room ${opts.room} (room reference ${ref.slice(0, 16)}…)`;
    if (records.length === 0) {
      process.stdout.write(`no ${whose} on the ledger: ${ref === null ? "none set" : "the organisation policy applies"}\n`);
      return 0;
    }
    process.stdout.write(`${whose}, as the ledger holds it (${read.source}):\n${records.map((r) => `  ${describePolicy(r)}`).join("\n")}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`cannot read the policy: ${(err as Error).message}\n`);
    return 2;
  } finally {
    await read?.close();
  }
}

export interface PolicySetOptions {
  ledger: "embedded" | "fabric";
  databaseUrl?: string;
  networkFile?: string;
  /** Fabric identity to act as (default org1Admin). */
  as?: string;
  room?: string;
  serverSecret?: string;
  retentionSeconds: number | null;
  maxDevicesPerUser: number | null;
  forwardingAllowed: boolean;
  complianceJournalKey: string | null;
}

/**
 * `cairn policy set`: on the embedded ledger, the change as its admin; on Fabric, a
 * Governance proposal (the other organisation approves it with `cairn governance approve`).
 */
export async function policySetCommand(opts: PolicySetOptions): Promise<number> {
  if (opts.room !== undefined && !opts.serverSecret) {
    process.stderr.write("a room's policy is keyed on chain by its room reference: set CAIRN_SERVER_SECRET or run beside `npm start`\n");
    return 2;
  }
  const prisma = opts.ledger === "embedded" && opts.databaseUrl ? createPrismaClient(opts.databaseUrl, { max: 2 }) : undefined;
  let ledger: Ledger | undefined;
  try {
    ledger = openLedger({ kind: opts.ledger, as: "admin", prisma, networkFile: opts.networkFile, ...(opts.as ? { fabricIdentity: opts.as } : {}) });
    const ref = opts.room === undefined ? null : roomRef(opts.serverSecret as string, opts.room);
    const room = { retentionSeconds: opts.retentionSeconds, forwardingAllowed: opts.forwardingAllowed, complianceJournalKey: opts.complianceJournalKey };
    const org = { retentionSeconds: opts.retentionSeconds, maxDevicesPerUser: opts.maxDevicesPerUser, forwardingAllowed: opts.forwardingAllowed };
    if (ledger.kind === "fabric") {
      const fabric = ledger as FabricLedger;
      const proposal =
        ref === null ? await fabric.propose("Policy:SetOrgPolicy", [orgPolicyJson(org)]) : await fabric.propose("Policy:SetRoomPolicy", [ref, roomPolicyJson(room)]);
      process.stdout.write(
        proposal.executed
          ? `the change ran (transaction ${proposal.executed.txId})\n`
          : `proposed as ${proposal.id}; it runs once the other organisation approves: cairn governance approve ${proposal.id} --as org2Admin\n`,
      );
      return 0;
    }
    const record = ref === null ? await ledger.setOrgPolicy(org) : await ledger.setRoomPolicy(ref, room);
    process.stdout.write(`set: ${describePolicy(record)}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`the policy was not changed: ${(err as Error).message}\n`);
    // The contract refused it (not an admin, out of range, needs the quorum): 1; anything else: 2.
    return err instanceof LedgerError && err.refused ? 1 : 2;
  } finally {
    await ledger?.close().catch(() => undefined);
    await prisma?.$disconnect().catch(() => undefined);
  }
}

/** `cairn governance approve <id>`: approves a Fabric proposal for the identity's organisation. */
export async function governanceApproveCommand(opts: { networkFile?: string; as: string; proposalId: string }): Promise<number> {
  let ledger: FabricLedger | undefined;
  try {
    ledger = openLedger({ kind: "fabric", as: "admin", networkFile: opts.networkFile, fabricIdentity: opts.as });
    const p = await ledger.approve(opts.proposalId);
    process.stdout.write(
      p.executed
        ? `approved by ${p.approvals.map((a) => a.mspId).join(" + ")}: ${p.action} ran (transaction ${p.executed.txId})\n`
        : `approved by ${p.approvals.map((a) => a.mspId).join(" + ")}; more approvals are needed\n`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(`not approved: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await ledger?.close().catch(() => undefined);
  }
}
