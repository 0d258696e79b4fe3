-- Device-bound sessions (issue 9): a session belongs to one device (deleted with it,
-- and by its revocation, in the web app's transaction), ends after its idle limit
-- without use as well as at its absolute end, and records when it was last used.
-- Sessions from before stay unbound until their browser's next relay handshake binds them.
ALTER TABLE "Session" ADD COLUMN "deviceId" TEXT,
ADD COLUMN "lastUsedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN "idleTimeoutSec" INTEGER NOT NULL DEFAULT 1209600;

-- The idle limit is always chosen by whoever creates the session.
ALTER TABLE "Session" ALTER COLUMN "idleTimeoutSec" DROP DEFAULT;

-- CreateIndex
CREATE INDEX "Session_deviceId_idx" ON "Session"("deviceId");

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device"("id") ON DELETE CASCADE ON UPDATE CASCADE;
