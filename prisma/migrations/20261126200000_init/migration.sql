-- CreateTable
CREATE TABLE "User" (
    "id" UUID NOT NULL,
    "username" TEXT NOT NULL,
    "salt" BYTEA NOT NULL,
    "authHash" TEXT NOT NULL,
    "identityPublicKey" BYTEA NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'member',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Session" (
    "id" UUID NOT NULL,
    "tokenHash" BYTEA NOT NULL,
    "userId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Device" (
    "id" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "signingPublicKey" BYTEA NOT NULL,
    "agreementPublicKey" BYTEA NOT NULL,
    "signature" BYTEA NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),
    "ledgerTxId" TEXT,

    CONSTRAINT "Device_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Room" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "createdBy" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeq" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Room_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RoomMember" (
    "roomId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "joinedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RoomMember_pkey" PRIMARY KEY ("roomId","userId")
);

-- CreateTable
CREATE TABLE "Envelope" (
    "id" BIGSERIAL NOT NULL,
    "roomId" UUID NOT NULL,
    "roomSeq" INTEGER NOT NULL,
    "senderUserId" UUID NOT NULL,
    "senderDeviceId" TEXT NOT NULL,
    "clientMsgId" TEXT NOT NULL,
    "sessionId" BYTEA NOT NULL,
    "index" INTEGER NOT NULL,
    "prevHash" BYTEA NOT NULL,
    "nonce" BYTEA NOT NULL,
    "ciphertext" BYTEA NOT NULL,
    "signature" BYTEA NOT NULL,
    "serverTime" TIMESTAMPTZ(3) NOT NULL,
    "leafIndex" BIGINT NOT NULL,

    CONSTRAINT "Envelope_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLeaf" (
    "leafIndex" BIGINT NOT NULL,
    "leafHash" BYTEA NOT NULL,
    "kind" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditLeaf_pkey" PRIMARY KEY ("leafIndex")
);

-- CreateTable
CREATE TABLE "AuditHead" (
    "id" INTEGER NOT NULL,
    "nextLeaf" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "AuditHead_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Checkpoint" (
    "treeSize" BIGINT NOT NULL,
    "rootHash" BYTEA NOT NULL,
    "txId" TEXT NOT NULL,
    "ledgerTime" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Checkpoint_pkey" PRIMARY KEY ("treeSize")
);

-- CreateTable
CREATE TABLE "SessionShare" (
    "id" BIGSERIAL NOT NULL,
    "recipientDeviceId" TEXT NOT NULL,
    "senderDeviceId" TEXT NOT NULL,
    "roomId" UUID NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMPTZ(3),

    CONSTRAINT "SessionShare_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LedgerOutbox" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "doneAt" TIMESTAMPTZ(3),
    "txId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,

    CONSTRAINT "LedgerOutbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LedgerState" (
    "key" TEXT NOT NULL,
    "value" BYTEA NOT NULL,
    "blockNumber" BIGINT NOT NULL,

    CONSTRAINT "LedgerState_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "LedgerBlock" (
    "number" BIGINT NOT NULL,
    "prevHash" BYTEA NOT NULL,
    "hash" BYTEA NOT NULL,
    "txId" TEXT NOT NULL,
    "fn" TEXT NOT NULL,
    "args" JSONB NOT NULL,
    "creator" TEXT NOT NULL,
    "writes" JSONB NOT NULL,
    "timestamp" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "LedgerBlock_pkey" PRIMARY KEY ("number")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

-- CreateIndex
CREATE UNIQUE INDEX "Session_tokenHash_key" ON "Session"("tokenHash");

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- CreateIndex
CREATE INDEX "Device_userId_idx" ON "Device"("userId");

-- CreateIndex
CREATE INDEX "RoomMember_userId_idx" ON "RoomMember"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "Envelope_leafIndex_key" ON "Envelope"("leafIndex");

-- CreateIndex
CREATE UNIQUE INDEX "Envelope_roomId_roomSeq_key" ON "Envelope"("roomId", "roomSeq");

-- CreateIndex
CREATE UNIQUE INDEX "Envelope_senderDeviceId_clientMsgId_key" ON "Envelope"("senderDeviceId", "clientMsgId");

-- CreateIndex
CREATE INDEX "SessionShare_recipientDeviceId_deliveredAt_idx" ON "SessionShare"("recipientDeviceId", "deliveredAt");

-- CreateIndex
CREATE INDEX "LedgerOutbox_doneAt_id_idx" ON "LedgerOutbox"("doneAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "LedgerBlock_txId_key" ON "LedgerBlock"("txId");

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Device" ADD CONSTRAINT "Device_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RoomMember" ADD CONSTRAINT "RoomMember_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "Room"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RoomMember" ADD CONSTRAINT "RoomMember_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Envelope" ADD CONSTRAINT "Envelope_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "Room"("id") ON DELETE CASCADE ON UPDATE CASCADE;
INSERT INTO "AuditHead" ("id", "nextLeaf") VALUES (1, 0);
