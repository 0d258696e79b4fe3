import "server-only";
import { CairnError } from "@cairn/protocol";
import { SESSION_COOKIE, createSession, findSession, type PrismaClient, type Tx } from "@cairn/db";
import { cookies } from "next/headers";
import type { NextResponse } from "next/server";
import { env, sessionCookieSecure, sessionPolicy } from "../env";
import { db } from "./db";

export interface SessionUser {
  id: string;
  username: string;
  role: string;
}

/** The request's session: its user, its id and the device it is bound to (null: not yet). */
export interface CurrentSession {
  user: SessionUser;
  sessionId: string;
  deviceId: string | null;
}

/**
 * The live session behind `token` under this app's session policy (packages/db's
 * sessions.ts states the rules: ended, idle, revoked device, deactivated user → null).
 */
export async function sessionOf(token: string | undefined, now = new Date()): Promise<CurrentSession | null> {
  if (!token || token.length > 256) return null;
  const found = await findSession(db(), token, now, sessionPolicy(env()));
  return found ? { user: found.user, sessionId: found.sessionId, deviceId: found.deviceId } : null;
}

/** The session of this request, or null. */
export async function currentSession(): Promise<CurrentSession | null> {
  return sessionOf((await cookies()).get(SESSION_COOKIE)?.value);
}

/** The logged-in user of this request, or null. */
export async function currentUser(): Promise<SessionUser | null> {
  return (await currentSession())?.user ?? null;
}

/** @throws CairnError UNAUTHENTICATED without a live session (a revoked device's included) */
export async function requireSession(): Promise<CurrentSession> {
  const session = await currentSession();
  if (!session) throw new CairnError("UNAUTHENTICATED", "Please log in.");
  return session;
}

/** @throws CairnError UNAUTHENTICATED without a live session (a revoked device's included) */
export async function requireUser(): Promise<SessionUser> {
  return (await requireSession()).user;
}

/** The raw session token of this request, if any. */
export async function sessionToken(): Promise<string | undefined> {
  return (await cookies()).get(SESSION_COOKIE)?.value;
}

/** Sets the HttpOnly, SameSite=Strict session cookie on `res` (Secure: {@link sessionCookieSecure}). */
export function setSessionCookie(res: NextResponse, token: string, expiresAt: Date): void {
  res.cookies.set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "strict",
    path: "/",
    secure: sessionCookieSecure(env()),
    expires: expiresAt,
  });
}

/** Expires the session cookie on `res`. */
export function clearSessionCookie(res: NextResponse): void {
  res.cookies.set(SESSION_COOKIE, "", {
    httpOnly: true,
    sameSite: "strict",
    path: "/",
    secure: sessionCookieSecure(env()),
    maxAge: 0,
  });
}

/**
 * A new session row of `userId` under this app's policy. `deviceId` binds it: the
 * caller has checked the device is the user's and live (or created it in `prisma`'s
 * transaction); without one the session starts unbound (packages/db sessions.ts).
 */
export function newSession(
  prisma: PrismaClient | Tx,
  userId: string,
  deviceId: string | null = null,
  now = new Date(),
): Promise<{ id: string; token: string; expiresAt: Date }> {
  return createSession(prisma, userId, now, { deviceId, policy: sessionPolicy(env()) });
}

/**
 * Checks the device a log-in names: one of the user's own, not revoked.
 * @throws CairnError DEVICE_REVOKED, DEVICE_UNKNOWN
 */
export async function checkLoginDevice(userId: string, deviceId: string): Promise<void> {
  const device = await db().device.findUnique({ where: { id: deviceId }, select: { userId: true, revokedAt: true } });
  if (!device || device.userId !== userId) throw new CairnError("DEVICE_UNKNOWN", "This device is not registered to you.");
  if (device.revokedAt) throw new CairnError("DEVICE_REVOKED", "This device was revoked. Log in from another device.");
}

/**
 * Creates a session for `userId` and sets its cookie on `res`. A log-in that names the
 * browser's device (`deviceId`, from its local keystore) is bound to it at once, after
 * {@link checkLoginDevice}; one that names none starts unbound.
 * @throws CairnError DEVICE_REVOKED, DEVICE_UNKNOWN for a named device
 */
export async function startSession(res: NextResponse, userId: string, deviceId?: string): Promise<void> {
  if (deviceId !== undefined) await checkLoginDevice(userId, deviceId);
  const { token, expiresAt } = await newSession(db(), userId, deviceId ?? null);
  setSessionCookie(res, token, expiresAt);
}
