-- An envelope is identified by its sender device, sender-key session and index: the
-- same envelope re-sent under a new clientMsgId is the same message, stored once.
CREATE UNIQUE INDEX "Envelope_senderDeviceId_sessionId_index_key" ON "Envelope"("senderDeviceId", "sessionId", "index");
