-- Offboarding (issue 9): an admin deactivates an account; the audit leaf records it.
ALTER TABLE "User" ADD COLUMN "deactivatedAt" TIMESTAMPTZ(3),
ADD COLUMN "deactivatedBy" UUID,
ADD COLUMN "deactivationLeaf" BIGINT;
