-- Several relays share rooms through the Socket.IO PostgreSQL adapter
-- (@socket.io/postgres-adapter, apps/relay/src/adapter.ts): each broadcast is a NOTIFY;
-- a payload over NOTIFY's 8000-byte limit (or with binary data) is written here and
-- the NOTIFY names its row. The adapter deletes rows older than its cleanup interval.
-- Its own schema: a transport's scratch table, not part of Cairn's data model
-- (prisma/schema.prisma describes the public schema only).
CREATE SCHEMA IF NOT EXISTS "socket_io";
CREATE TABLE "socket_io"."attachments" (
    "id" BIGSERIAL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "payload" BYTEA NOT NULL
);
CREATE INDEX "attachments_created_at_idx" ON "socket_io"."attachments"("created_at");
