/**
 * The web app's proof endpoints (docs/audit.md "Clients that check"): inclusion proofs
 * of message leaves to a checkpoint, and consistency proofs between two checkpoints,
 * served from the stored subtree hashes. A client recomputes each leaf from the
 * message it shows and checks the proof against the checkpoint the ledger holds, so it
 * does not take "anchored" on the server's word.
 */
import { z } from "zod";
import { LedgerHash, LedgerIndex } from "./ledger/formats";

/** Most leaves one proofs request names. */
export const MAX_PROOF_LEAVES = 200;

/** GET /api/audit/proofs?treeSize&leaves=1,2,3 */
export const AuditProofsQuery = z.strictObject({
  treeSize: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  leaves: z
    .string()
    .max(MAX_PROOF_LEAVES * 17)
    .transform((s, ctx) => {
      const parts = s.split(",");
      const out = parts.map(Number);
      if (parts.length > MAX_PROOF_LEAVES || out.some((n) => !Number.isSafeInteger(n) || n < 0)) {
        ctx.addIssue({ code: "custom", message: `leaves must be 1 to ${MAX_PROOF_LEAVES} comma-separated leaf indexes` });
        return z.NEVER;
      }
      return out;
    }),
});

/** One leaf's RFC 9162 inclusion path (hex hashes), leaf to root. */
export const AuditInclusionProof = z.object({ leafIndex: LedgerIndex, path: z.array(LedgerHash).max(64) });
export type AuditInclusionProof = z.infer<typeof AuditInclusionProof>;

export const AuditProofsResponse = z.object({ treeSize: LedgerIndex.min(1), proofs: z.array(AuditInclusionProof).max(MAX_PROOF_LEAVES) });
export type AuditProofsResponse = z.infer<typeof AuditProofsResponse>;

/** GET /api/audit/consistency?from&to */
export const AuditConsistencyQuery = z
  .strictObject({
    from: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    to: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  })
  .refine((q) => q.from <= q.to, { message: "from must not exceed to" });

/** GET /api/audit/cosignatures?treeSize: the witnesses' cosignature lines stored for that checkpoint. */
export const AuditCosignaturesQuery = z.strictObject({ treeSize: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });
export const AuditCosignaturesResponse = z.object({
  treeSize: LedgerIndex.min(1),
  /** The log's origin line the cosigned note carries; null when no witness cosigned. */
  origin: z.string().max(255).nullable(),
  cosignatures: z.array(z.string().max(512)).max(32),
});
export type AuditCosignaturesResponse = z.infer<typeof AuditCosignaturesResponse>;

export const AuditConsistencyResponse = z.object({ from: LedgerIndex.min(1), to: LedgerIndex.min(1), path: z.array(LedgerHash).max(128) });
export type AuditConsistencyResponse = z.infer<typeof AuditConsistencyResponse>;
