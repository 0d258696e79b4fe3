/**
 * Who may change what the chain trusts (docs/audit.md "Authority"): admin actions —
 * granting or withdrawing the appender role, account recovery, policy changes — need
 * approval from a quorum of the channel's organisations once governance is configured
 * (Governance:Configure), through Governance:Propose and Governance:Approve; a single
 * organisation's admin calling them directly is refused. Before configuration (the
 * embedded ledger, a single organisation) an admin acts alone, as before.
 */
import { requireAdmin } from "./access";
import { readJson, type CairnContext } from "./context";
import { ChaincodeError } from "./errors";

/** The organisations whose admins govern, and how many of them must approve. */
export interface GovernanceConfig {
  orgs: string[];
  quorum: number;
  txId: string;
  time: string;
}

export const GOVERNANCE_CONFIG_KEY = "gov/config";

export function governanceOf(ctx: CairnContext): Promise<GovernanceConfig | null> {
  return readJson<GovernanceConfig>(ctx, GOVERNANCE_CONFIG_KEY);
}

/** An admin action: its arguments checked first (before any state access), then run. */
export interface AdminAction<D> {
  decode(args: readonly string[]): D;
  run(ctx: CairnContext, decoded: D): Promise<string>;
}

/**
 * An admin action called directly: allowed to an admin alone while governance needs
 * no more than one organisation.
 * @throws ChaincodeError FORBIDDEN when the caller is not an admin, or a quorum of organisations must approve
 */
export async function runDirect<D>(ctx: CairnContext, name: string, action: AdminAction<D>, args: readonly string[]): Promise<string> {
  const decoded = action.decode(args);
  requireAdmin(ctx, name);
  const gov = await governanceOf(ctx);
  if (gov && gov.quorum > 1) {
    throw new ChaincodeError("FORBIDDEN", `${name} needs the approval of ${gov.quorum} organisations: use Governance:Propose`);
  }
  return action.run(ctx, decoded);
}
