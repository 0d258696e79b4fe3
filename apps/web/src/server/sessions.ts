import "server-only";
import { endSession, endUserSessions, listSessions } from "@cairn/db";
import { CairnError } from "@cairn/protocol";
import type { SessionView } from "@/lib/api-schemas";
import { env, sessionPolicy } from "../env";
import { db } from "./db";
import type { CurrentSession } from "./session";

/** The user's live sessions, most recently used first; `current` marks the caller's. */
export async function ownSessions(session: CurrentSession, now = new Date()): Promise<SessionView[]> {
  const rows = await listSessions(db(), session.user.id, now, sessionPolicy(env()));
  return rows.map((r) => ({
    id: r.id,
    deviceId: r.deviceId,
    deviceName: r.deviceName,
    createdAt: r.createdAt.toISOString(),
    lastUsedAt: r.lastUsedAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    current: r.id === session.sessionId,
  }));
}

/**
 * Ends one of the caller's own sessions (the caller's own included: that is a log-out).
 * @throws CairnError NOT_FOUND for a session that is not theirs or no longer exists (the same answer)
 */
export async function endOwnSession(session: CurrentSession, sessionId: string): Promise<void> {
  if (!(await endSession(db(), session.user.id, sessionId))) throw new CairnError("NOT_FOUND", "No such session.");
}

/** Ends every session of the caller, but their own when `keepCurrent`; returns how many ended. */
export async function logoutEverywhere(session: CurrentSession, keepCurrent: boolean): Promise<number> {
  return endUserSessions(db(), session.user.id, keepCurrent ? session.sessionId : undefined);
}
