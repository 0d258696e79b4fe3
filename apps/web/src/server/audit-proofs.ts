import "server-only";
/**
 * Proofs for clients that check (docs/audit.md "Clients that check"): inclusion proofs
 * of leaves to a checkpoint and consistency proofs between checkpoints, read from the
 * stored subtree hashes (AuditNode). Only sizes the database knows as checkpoints are
 * served: a client compares the root with the ledger's own record of that checkpoint.
 */
import { storedConsistencyProof, storedInclusionProof } from "@cairn/audit";
import { auditNodeStore, type PrismaClient } from "@cairn/db";
import { CairnError, hex, type AuditConsistencyResponse, type AuditCosignaturesResponse, type AuditProofsResponse } from "@cairn/protocol";

/** @throws CairnError NOT_FOUND when no checkpoint of that size is recorded and indexed here */
async function requireIndexed(prisma: PrismaClient, treeSize: number): Promise<void> {
  const store = auditNodeStore(prisma);
  const known = await prisma.checkpoint.findUnique({ where: { treeSize: BigInt(treeSize) }, select: { treeSize: true } });
  if (!known || (await store.indexedSize()) < treeSize) throw new CairnError("NOT_FOUND", `No checkpoint of size ${treeSize} is indexed here yet.`);
}

/** @throws CairnError NOT_FOUND (unknown checkpoint), VALIDATION_FAILED (a leaf at or beyond the tree size) */
export async function inclusionProofs(prisma: PrismaClient, treeSize: number, leaves: readonly number[]): Promise<AuditProofsResponse> {
  if (leaves.some((l) => l >= treeSize)) throw new CairnError("VALIDATION_FAILED", "Every leaf must be below the tree size.");
  await requireIndexed(prisma, treeSize);
  const { read } = auditNodeStore(prisma);
  const proofs = [];
  for (const leafIndex of leaves) proofs.push({ leafIndex, path: (await storedInclusionProof(read, leafIndex, treeSize)).map(hex) });
  return { treeSize, proofs };
}

/** The witnesses' cosignatures stored for a checkpoint (none yet: an empty list). */
export async function checkpointCosignatures(prisma: PrismaClient, treeSize: number): Promise<AuditCosignaturesResponse> {
  const rows = await prisma.checkpointCosignature.findMany({ where: { treeSize: BigInt(treeSize) }, orderBy: { witness: "asc" } });
  return { treeSize, origin: rows[0]?.origin ?? null, cosignatures: rows.map((r) => r.line) };
}

/** @throws CairnError NOT_FOUND when either checkpoint is unknown here */
export async function consistencyProof(prisma: PrismaClient, from: number, to: number): Promise<AuditConsistencyResponse> {
  await requireIndexed(prisma, from);
  await requireIndexed(prisma, to);
  return { from, to, path: (await storedConsistencyProof(auditNodeStore(prisma).read, from, to)).map(hex) };
}
