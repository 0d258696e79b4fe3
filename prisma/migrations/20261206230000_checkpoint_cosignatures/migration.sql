-- Witness cosignatures (issue 11, item 2): each witness's cosignature/v1 line over a checkpoint the log signed.
CREATE TABLE "CheckpointCosignature" (
    "treeSize" BIGINT NOT NULL,
    "witness" TEXT NOT NULL,
    "origin" TEXT NOT NULL,
    "line" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CheckpointCosignature_pkey" PRIMARY KEY ("treeSize","witness")
);
