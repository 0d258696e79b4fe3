/**
 * The Governance contract's records: the organisations whose admins must approve admin
 * actions (and how many of them), and a proposal with its approvals.
 */
import { z } from "zod";
import { LedgerMspId, LedgerRef, LedgerTime, LedgerTxId } from "./formats";

export const LedgerGovernanceConfig = z.object({
  orgs: z.array(LedgerMspId).min(1).max(32),
  quorum: z.number().int().min(1).max(32),
  txId: LedgerTxId,
  time: LedgerTime,
});
export type LedgerGovernanceConfig = z.infer<typeof LedgerGovernanceConfig>;

export const LedgerApproval = z.object({ mspId: LedgerMspId, idHash: LedgerRef, txId: LedgerTxId, time: LedgerTime });

/** The admin actions Governance executes, by transaction name. */
export const GOVERNED_ACTIONS = [
  "Audit:AuthorizeAppender",
  "Audit:RevokeAppender",
  "KeyRegistry:RecoverIdentity",
  "Policy:SetOrgPolicy",
  "Policy:SetRoomPolicy",
  "Governance:Configure",
] as const;
export type GovernedAction = (typeof GOVERNED_ACTIONS)[number];

export const LedgerProposal = z.object({
  id: LedgerTxId,
  action: z.enum(GOVERNED_ACTIONS),
  args: z.array(z.string().max(16_384)).max(16),
  proposer: LedgerApproval,
  approvals: z.array(LedgerApproval).min(1).max(32),
  executed: z.object({ txId: LedgerTxId, time: LedgerTime, result: z.unknown() }).nullable(),
});
export type LedgerProposal = z.infer<typeof LedgerProposal>;
