import "server-only";
import { CairnError } from "@cairn/protocol";
import { SESSION_COOKIE, createSession, findSession } from "@cairn/db";
import { cookies } from "next/headers";
import type { NextResponse } from "next/server";
import { env, sessionCookieSecure } from "../env";
import { db } from "./db";

export interface SessionUser {
  id: string;
  username: string;
  role: string;
}

/** The logged-in user of this request, or null. */
export async function currentUser(): Promise<SessionUser | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token || token.length > 256) return null;
  const found = await findSession(db(), token);
  return found ? found.user : null;
}

/** @throws CairnError UNAUTHENTICATED without a valid session cookie */
export async function requireUser(): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) throw new CairnError("UNAUTHENTICATED", "Please log in.");
  return user;
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

/** Creates a session row for `userId` and sets its cookie on `res`. */
export async function startSession(res: NextResponse, userId: string): Promise<void> {
  const { token, expiresAt } = await createSession(db(), userId);
  setSessionCookie(res, token, expiresAt);
}
