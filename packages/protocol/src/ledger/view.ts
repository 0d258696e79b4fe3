/**
 * The relay's read-only HTTP view of the ledger (GET {relay}/ledger/…): its paths
 * and the schema of each answer. Answers are the chain's records themselves, so a
 * browser checks keys and checkpoints against the chain rather than Cairn's
 * database; errors are the usual ErrorBody with a stable code (404 NOT_FOUND when
 * the chain holds no such record).
 */
import { z } from "zod";
import { LedgerRef } from "./formats";
import { LedgerCheckpoint, LedgerLeaf, LedgerRoomHead } from "./audit";
import { LedgerKeyRecord } from "./keys";

/** GET /ledger/room-refs/:roomId. */
export const LedgerRoomRefAnswer = z.object({ roomRef: LedgerRef });

export const LEDGER_VIEW_PATHS = {
  /** A user's key registry record (identity + devices, with history), by Cairn user id. */
  keys: (userId: string) => `/ledger/users/${encodeURIComponent(userId)}/keys`,
  /** The newest checkpoint on chain. */
  latestCheckpoint: () => "/ledger/checkpoints/latest",
  /** The checkpoint recorded at exactly this tree size. */
  checkpoint: (treeSize: number) => `/ledger/checkpoints/${treeSize}`,
  /** A leaf hash and the checkpoint that anchored it. */
  leaf: (index: number) => `/ledger/leaves/${index}`,
  /** A room's keyed reference on chain (HMAC of its id), for an exporter without the server secret. */
  roomRef: (roomId: string) => `/ledger/room-refs/${encodeURIComponent(roomId)}`,
  /** A room's head as of a checkpoint, by the room's keyed reference (an export names it). */
  roomHead: (roomRef: string, treeSize: number) => `/ledger/rooms/${encodeURIComponent(roomRef)}/heads/${treeSize}`,
} as const;

/** The answer of each route of {@link LEDGER_VIEW_PATHS}. */
export const LEDGER_VIEW_RESPONSES = {
  keys: LedgerKeyRecord,
  latestCheckpoint: LedgerCheckpoint,
  checkpoint: LedgerCheckpoint,
  leaf: LedgerLeaf,
  roomRef: LedgerRoomRefAnswer,
  roomHead: LedgerRoomHead,
} as const;

export type LedgerViewRoute = keyof typeof LEDGER_VIEW_RESPONSES;

/** What route `R` answers with. */
export type LedgerViewResponse<R extends LedgerViewRoute> = z.infer<(typeof LEDGER_VIEW_RESPONSES)[R]>;
