/**
 * Cookie sessions, bound to devices (issue 9). The rules every reader (web, relay) applies:
 *
 * - A session belongs to at most one device, the one whose keys the browser holds.
 *   Sign-up binds it to the first device. A log-in that names its device is bound at
 *   once; one that names none (a browser without keys, about to restore from the key
 *   backup) starts unbound and is bound by the first of: registering a device
 *   (POST /api/devices, the restore flow) or a relay handshake naming a device
 *   ({@link bindSession}: only an unbound session, only to a live device of the same
 *   user). Once bound it never changes device, and the relay accepts its sockets only
 *   for that device.
 * - Revoking a device deletes its sessions in the revocation's transaction
 *   ({@link endDeviceSessions}); a session whose device is revoked anyway (a binding
 *   that raced the revocation) is refused and deleted by {@link findSession}.
 * - A session ends at `expiresAt` (absolute) and after `idleTimeoutSec` without use
 *   (both set at creation from the web's policy; a reader may pass a stricter policy).
 *   `lastUsedAt` is written at most once per {@link SESSION_TOUCH_MS}.
 * - A deactivated user's sessions are refused.
 * - Tokens are stored only as their SHA-256, so a database leak yields no live session.
 */
import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient, Tx } from "./client";

export const SESSION_COOKIE = "cairn_session";
const DAY_MS = 24 * 3600 * 1000;
/** Default absolute lifetime of a session. */
export const SESSION_TTL_MS = 30 * DAY_MS;
/** Default idle limit: a session unused this long ends. */
export const SESSION_IDLE_MS = 14 * DAY_MS;
/** `lastUsedAt` is written at most this often per session (no write per request). */
export const SESSION_TOUCH_MS = 60 * 1000;

/** How long sessions last: absolute (from creation) and idle (from last use). */
export interface SessionPolicy {
  maxAgeMs: number;
  idleMs: number;
}
export const DEFAULT_SESSION_POLICY: SessionPolicy = { maxAgeMs: SESSION_TTL_MS, idleMs: SESSION_IDLE_MS };

function tokenHash(token: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash("sha256").update(token, "utf8").digest());
}

export interface SessionUser {
  sessionId: string;
  /** The device the session is bound to; null until bound (see the rules above). */
  deviceId: string | null;
  user: { id: string; username: string; role: string };
}

/** One of a user's live sessions, as the devices page lists them. */
export interface SessionListing {
  id: string;
  deviceId: string | null;
  deviceName: string | null;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
}

/**
 * A new session of `userId`, bound to `deviceId` when given (the caller has checked it
 * is a live device of the user, e.g. in the same transaction that created it).
 */
export async function createSession(
  prisma: PrismaClient | Tx,
  userId: string,
  now = new Date(),
  opts: { deviceId?: string | null; policy?: SessionPolicy } = {},
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const policy = opts.policy ?? DEFAULT_SESSION_POLICY;
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + policy.maxAgeMs);
  const row = await prisma.session.create({
    data: {
      tokenHash: tokenHash(token),
      userId,
      deviceId: opts.deviceId ?? null,
      createdAt: now,
      lastUsedAt: now,
      idleTimeoutSec: Math.max(1, Math.ceil(policy.idleMs / 1000)),
      expiresAt,
    },
    select: { id: true },
  });
  return { id: row.id, token, expiresAt };
}

function ended(
  row: { createdAt: Date; expiresAt: Date; lastUsedAt: Date; idleTimeoutSec: number },
  now: Date,
  policy: SessionPolicy | undefined,
): boolean {
  const t = now.getTime();
  const idleMs = Math.min(row.idleTimeoutSec * 1000, policy?.idleMs ?? Infinity);
  const end = Math.min(row.expiresAt.getTime(), row.createdAt.getTime() + (policy?.maxAgeMs ?? Infinity));
  return end <= t || row.lastUsedAt.getTime() + idleMs <= t;
}

/**
 * The live session behind a cookie token, or null: unknown or malformed token, ended
 * (absolute or idle; `policy` may only shorten what the row says), its device revoked,
 * or its user deactivated. An ended session found here is deleted. Records the use
 * (`lastUsedAt`) when the last record is at least {@link SESSION_TOUCH_MS} old.
 */
export async function findSession(
  prisma: PrismaClient,
  token: string | undefined | null,
  now = new Date(),
  policy?: SessionPolicy,
): Promise<SessionUser | null> {
  if (typeof token !== "string" || token.length < 16 || token.length > 128) return null;
  const row = await prisma.session.findUnique({
    where: { tokenHash: tokenHash(token) },
    include: {
      user: { select: { id: true, username: true, role: true, deactivatedAt: true } },
      device: { select: { revokedAt: true } },
    },
  });
  if (!row) return null;
  if (ended(row, now, policy) || row.device?.revokedAt || row.user.deactivatedAt) {
    await prisma.session.deleteMany({ where: { id: row.id } });
    return null;
  }
  if (now.getTime() - row.lastUsedAt.getTime() >= SESSION_TOUCH_MS) {
    // Conditional, so concurrent requests write once.
    await prisma.session.updateMany({
      where: { id: row.id, lastUsedAt: { lte: new Date(now.getTime() - SESSION_TOUCH_MS) } },
      data: { lastUsedAt: now },
    });
  }
  const { id, username, role } = row.user;
  return { sessionId: row.id, deviceId: row.deviceId, user: { id, username, role } };
}

/**
 * Binds an unbound session to `deviceId` if that is a live (unrevoked) device of the
 * session's user. Returns whether the session is now bound to that device (true also
 * when it already was); false when it is bound to another device, the device is not
 * the user's or is revoked, or the session is gone.
 */
export async function bindSession(prisma: PrismaClient | Tx, sessionId: string, deviceId: string): Promise<boolean> {
  await prisma.session.updateMany({
    where: { id: sessionId, deviceId: null, user: { devices: { some: { id: deviceId, revokedAt: null } } } },
    data: { deviceId },
  });
  const row = await prisma.session.findUnique({ where: { id: sessionId }, select: { deviceId: true } });
  return row?.deviceId === deviceId;
}

/** Deletes the session behind a cookie token (log-out). */
export async function deleteSession(prisma: PrismaClient, token: string): Promise<void> {
  await prisma.session.deleteMany({ where: { tokenHash: tokenHash(token) } });
}

/** Deletes one of `userId`'s sessions; false when it is not theirs (or gone). */
export async function endSession(prisma: PrismaClient | Tx, userId: string, sessionId: string): Promise<boolean> {
  const { count } = await prisma.session.deleteMany({ where: { id: sessionId, userId } });
  return count > 0;
}

/** Deletes every session of `userId` (but `exceptSessionId`); returns how many. */
export async function endUserSessions(
  prisma: PrismaClient | Tx,
  userId: string,
  exceptSessionId?: string,
): Promise<number> {
  const { count } = await prisma.session.deleteMany({
    where: { userId, ...(exceptSessionId ? { id: { not: exceptSessionId } } : {}) },
  });
  return count;
}

/** Deletes every session bound to `deviceId` (its revocation); returns how many. */
export async function endDeviceSessions(prisma: PrismaClient | Tx, deviceId: string): Promise<number> {
  const { count } = await prisma.session.deleteMany({ where: { deviceId } });
  return count;
}

/** `userId`'s live sessions, most recently used first (ended ones are left out, not deleted). */
export async function listSessions(
  prisma: PrismaClient,
  userId: string,
  now = new Date(),
  policy?: SessionPolicy,
): Promise<SessionListing[]> {
  const rows = await prisma.session.findMany({
    where: { userId },
    include: { device: { select: { name: true, revokedAt: true } } },
    orderBy: [{ lastUsedAt: "desc" }, { createdAt: "desc" }],
  });
  return rows
    .filter((r) => !ended(r, now, policy) && !r.device?.revokedAt)
    .map((r) => ({
      id: r.id,
      deviceId: r.deviceId,
      deviceName: r.device?.name ?? null,
      createdAt: r.createdAt,
      lastUsedAt: r.lastUsedAt,
      expiresAt: r.expiresAt,
    }));
}

/** Reads one cookie from a raw `Cookie` header (the relay's handshake has no parser). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
