-- CreateTable
CREATE TABLE "KeyBackup" (
    "userId" UUID NOT NULL,
    "ciphertext" BYTEA NOT NULL,
    "version" INTEGER NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "KeyBackup_pkey" PRIMARY KEY ("userId")
);
