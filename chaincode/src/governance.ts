/**
 * Governance: admin actions approved by a quorum of organisations (authority.ts).
 *
 *   gov/config            {orgs, quorum, txId, time}
 *   gov/proposal/<txId>   {id, action, args, proposer, approvals[{mspId, idHash, txId, time}], executed}
 *
 * Configure sets the governing organisations once (the network's bootstrap; the caller's
 * organisation must be among them); changing them later is itself an action
 * ("Governance:Configure") that needs the quorum. An admin of a governing organisation
 * proposes an action with its arguments (checked at once); admins of other governing
 * organisations approve it; the approval that reaches the quorum executes it in its own
 * transaction. One approval counts per organisation, so one organisation alone never
 * reaches a quorum of two.
 */
import { Contract } from "fabric-contract-api";
import { identityHash, isAdmin } from "./access";
import { authorizeAppender, revokeAppender } from "./audit";
import { GOVERNANCE_CONFIG_KEY, governanceOf, type AdminAction, type GovernanceConfig } from "./authority";
import { readJson, txTime, writeJson, type CairnContext } from "./context";
import { ChaincodeError } from "./errors";
import { recoverIdentity } from "./key-registry";
import { setOrgPolicy, setRoomPolicy } from "./policy";
import { canonicalJson } from "./serialize";
import { decodeString } from "./validate";

const MSP_ID = /^[A-Za-z0-9._-]{1,128}$/;

interface Approval {
  mspId: string;
  idHash: string;
  txId: string;
  time: string;
}

export interface Proposal {
  id: string;
  action: string;
  args: string[];
  proposer: Approval;
  approvals: Approval[];
  /** Set by the approval that reached the quorum: its transaction and the action's result. */
  executed: { txId: string; time: string; result: unknown } | null;
}

const proposalKey = (id: string) => `gov/proposal/${id}`;

/** @throws ChaincodeError INVALID_ARGUMENT unless `value` is a JSON array of at most `max` characters */
function jsonArray(name: string, value: unknown, max: number): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeString(name, value, 2, max));
  } catch (err) {
    if (err instanceof ChaincodeError) throw err;
    throw new ChaincodeError("INVALID_ARGUMENT", `${name} must be a JSON array`);
  }
  if (!Array.isArray(parsed)) throw new ChaincodeError("INVALID_ARGUMENT", `${name} must be a JSON array`);
  return parsed;
}

function decodeConfig([orgsJson, quorum]: readonly string[]): { orgs: string[]; quorum: number } {
  const orgs = jsonArray("orgsJson", orgsJson, 4096);
  if (orgs.length < 1 || orgs.length > 32 || !orgs.every((o) => typeof o === "string" && MSP_ID.test(o))) {
    throw new ChaincodeError("INVALID_ARGUMENT", "orgsJson must be a JSON array of 1 to 32 MSP ids");
  }
  if (new Set(orgs).size !== orgs.length) throw new ChaincodeError("INVALID_ARGUMENT", "orgsJson names an organisation twice");
  const q = Number(decodeString("quorum", quorum, 1, 2));
  if (!Number.isInteger(q) || q < 1 || q > orgs.length) throw new ChaincodeError("INVALID_ARGUMENT", "quorum must be 1 to the number of organisations");
  return { orgs: orgs as string[], quorum: q };
}

const configure: AdminAction<{ orgs: string[]; quorum: number }> = {
  decode: decodeConfig,
  async run(ctx, { orgs, quorum }) {
    const config: GovernanceConfig = { orgs, quorum, txId: ctx.stub.getTxID(), time: txTime(ctx) };
    await writeJson(ctx, GOVERNANCE_CONFIG_KEY, config);
    return canonicalJson(config);
  },
};

/** Every action that needs an admin, by its transaction name. */
const ACTIONS: Readonly<Record<string, AdminAction<unknown>>> = {
  "Audit:AuthorizeAppender": authorizeAppender,
  "Audit:RevokeAppender": revokeAppender,
  "KeyRegistry:RecoverIdentity": recoverIdentity,
  "Policy:SetOrgPolicy": setOrgPolicy,
  "Policy:SetRoomPolicy": setRoomPolicy,
  "Governance:Configure": configure,
};

/** @throws ChaincodeError FORBIDDEN unless the caller is an admin of a governing organisation */
async function governingAdmin(ctx: CairnContext, what: string): Promise<{ gov: GovernanceConfig; me: Approval }> {
  const gov = await governanceOf(ctx);
  if (!gov) throw new ChaincodeError("NOT_FOUND", "governance is not configured: admins act alone (Governance:Configure first)");
  const mspId = ctx.clientIdentity.getMSPID();
  if (!isAdmin(ctx) || !gov.orgs.includes(mspId)) throw new ChaincodeError("FORBIDDEN", `${what} needs an admin of a governing organisation`);
  return { gov, me: { mspId, idHash: identityHash(ctx), txId: ctx.stub.getTxID(), time: txTime(ctx) } };
}

async function executeIfApproved(ctx: CairnContext, gov: GovernanceConfig, p: Proposal): Promise<void> {
  if (new Set(p.approvals.map((a) => a.mspId)).size < gov.quorum) return;
  const action = ACTIONS[p.action] as AdminAction<unknown>;
  const result = JSON.parse(await action.run(ctx, action.decode(p.args))) as unknown;
  p.executed = { txId: ctx.stub.getTxID(), time: txTime(ctx), result };
}

export class GovernanceContract extends Contract {
  constructor() {
    super("Governance");
  }

  /**
   * Names the governing organisations and the quorum, once: an admin of one of them.
   * @returns GovernanceConfig JSON
   */
  async Configure(ctx: CairnContext, orgsJson: string, quorum: string): Promise<string> {
    const decoded = decodeConfig([orgsJson, quorum]);
    if (!isAdmin(ctx) || !decoded.orgs.includes(ctx.clientIdentity.getMSPID())) {
      throw new ChaincodeError("FORBIDDEN", "Configure needs an admin of one of the organisations it names");
    }
    if (await governanceOf(ctx)) throw new ChaincodeError("CONFLICT", "governance is configured: propose Governance:Configure to change it");
    return configure.run(ctx, decoded);
  }

  /** @returns GovernanceConfig JSON or "null" */
  async GetConfig(ctx: CairnContext): Promise<string> {
    return canonicalJson(await governanceOf(ctx));
  }

  /**
   * Proposes an admin action (`action` = its transaction name, `argsJson` = its string
   * arguments); the proposer's organisation approves it. Executes at once when the quorum is one.
   * @returns Proposal JSON
   */
  async Propose(ctx: CairnContext, action: string, argsJson: string): Promise<string> {
    const name = decodeString("action", action, 1, 64);
    const admin = ACTIONS[name];
    if (!admin) throw new ChaincodeError("INVALID_ARGUMENT", `action must be one of ${Object.keys(ACTIONS).join(", ")}`);
    const args = jsonArray("argsJson", argsJson, 16_384);
    if (!args.every((a) => typeof a === "string")) throw new ChaincodeError("INVALID_ARGUMENT", "argsJson must be a JSON array of strings");
    admin.decode(args);
    const { gov, me } = await governingAdmin(ctx, "Propose");
    const p: Proposal = { id: me.txId, action: name, args: args, proposer: me, approvals: [me], executed: null };
    await executeIfApproved(ctx, gov, p);
    await writeJson(ctx, proposalKey(p.id), p);
    return canonicalJson(p);
  }

  /**
   * Approves a proposal for the caller's organisation; the approval that reaches the quorum executes it.
   * @returns Proposal JSON
   */
  async Approve(ctx: CairnContext, proposalId: string): Promise<string> {
    const id = decodeString("proposalId", proposalId, 1, 128);
    const p = await readJson<Proposal>(ctx, proposalKey(id));
    if (!p) throw new ChaincodeError("NOT_FOUND", "no such proposal");
    const { gov, me } = await governingAdmin(ctx, "Approve");
    if (p.executed) throw new ChaincodeError("CONFLICT", "the proposal was already executed");
    if (p.approvals.some((a) => a.mspId === me.mspId)) throw new ChaincodeError("CONFLICT", `${me.mspId} already approved this proposal`);
    p.approvals.push(me);
    await executeIfApproved(ctx, gov, p);
    await writeJson(ctx, proposalKey(p.id), p);
    return canonicalJson(p);
  }

  /** @returns Proposal JSON or "null" */
  async GetProposal(ctx: CairnContext, proposalId: string): Promise<string> {
    return canonicalJson(await readJson<Proposal>(ctx, proposalKey(decodeString("proposalId", proposalId, 1, 128))));
  }
}
