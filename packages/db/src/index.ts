export { createPrismaClient, sqlPool, PrismaClient, Prisma, type Tx } from "./client";
export {
  SESSION_COOKIE,
  SESSION_TTL_MS,
  SESSION_IDLE_MS,
  SESSION_TOUCH_MS,
  DEFAULT_SESSION_POLICY,
  createSession,
  findSession,
  bindSession,
  deleteSession,
  endSession,
  endUserSessions,
  endDeviceSessions,
  listSessions,
  readCookie,
  type SessionPolicy,
  type SessionUser,
  type SessionListing,
} from "./sessions";
export { storeEnvelope, allocateLeaf, type StoreEnvelopeInput, type StoredEnvelopeRef } from "./envelopes";
export { storeEnvelopeBatch, MAX_BATCH, type BatchEnvelope, type BatchOutcome, type StoredInBatch } from "./envelope-batch";
export { listMessages, isRoomMember, shareARoom, latestCheckpoint, checkpointView } from "./messages";
export {
  enqueueLedgerTx,
  pendingLedgerTxs,
  markLedgerTxDone,
  markLedgerTxFailed,
  markLedgerTxRefused,
  refusedLedgerTxs,
  type OutboxItem,
  type RefusedLedgerTx,
} from "./outbox";
export { leavesFrom, anchoredTreeSize, recordCheckpoint, roomHeadsIn, type PendingLeaf, type RoomHeadRow } from "./audit-log";
export {
  EVENTS_CHANNEL,
  ServerEvent,
  publishServerEvent,
  subscribeServerEvents,
  type ServerEventSubscription,
} from "./notify";
export {
  readAuditNodes,
  writeAuditNodes,
  indexedLeafCount,
  leafHashesFrom,
  auditNodeStore,
  type AuditNodeRow,
  type AuditNodeRef,
} from "./audit-nodes";
export { claimFirstAdmin } from "./first-admin";
export { listRoomEvents, roomMembershipState, appendRoomEvent, appendServerRemoval, type StoredRoomEvent } from "./room-events";
