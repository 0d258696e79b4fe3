import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient, Tx } from "./client";

export const SESSION_COOKIE = "cairn_session";
export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

/** Session tokens are stored only as their SHA-256, so a database leak yields no live session. */
function tokenHash(token: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash("sha256").update(token, "utf8").digest());
}

export interface SessionUser {
  sessionId: string;
  user: { id: string; username: string; role: string };
}

export async function createSession(
  prisma: PrismaClient | Tx,
  userId: string,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await prisma.session.create({ data: { tokenHash: tokenHash(token), userId, expiresAt } });
  return { token, expiresAt };
}

/** The live session behind a cookie token, or null (unknown, malformed or expired). */
export async function findSession(
  prisma: PrismaClient,
  token: string | undefined | null,
  now = new Date(),
): Promise<SessionUser | null> {
  if (typeof token !== "string" || token.length < 16 || token.length > 128) return null;
  const session = await prisma.session.findUnique({
    where: { tokenHash: tokenHash(token) },
    include: { user: { select: { id: true, username: true, role: true } } },
  });
  if (!session || session.expiresAt <= now) return null;
  return { sessionId: session.id, user: session.user };
}

export async function deleteSession(prisma: PrismaClient, token: string): Promise<void> {
  await prisma.session.deleteMany({ where: { tokenHash: tokenHash(token) } });
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
