-- CreateTable
CREATE TABLE "AuditNode" (
    "level" INTEGER NOT NULL,
    "index" BIGINT NOT NULL,
    "hash" BYTEA NOT NULL,

    CONSTRAINT "AuditNode_pkey" PRIMARY KEY ("level","index")
);
