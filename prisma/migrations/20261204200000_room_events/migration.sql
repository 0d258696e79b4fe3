-- Membership events (issue 9): a room's signed, hash-chained membership history.
CREATE TABLE "RoomEvent" (
    "roomId" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "body" BYTEA NOT NULL,
    "signature" BYTEA NOT NULL,
    "hash" BYTEA NOT NULL,
    "leafIndex" BIGINT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RoomEvent_pkey" PRIMARY KEY ("roomId","seq")
);
CREATE UNIQUE INDEX "RoomEvent_leafIndex_key" ON "RoomEvent"("leafIndex");
ALTER TABLE "RoomEvent" ADD CONSTRAINT "RoomEvent_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "Room"("id") ON DELETE CASCADE ON UPDATE CASCADE;
