import "server-only";
import type { PrismaClient } from "@cairn/db";
import { requireAdmin } from "./roles";

export interface AdminRoomView {
  id: string;
  name: string;
  members: number;
  /** Highest room sequence number (messages stored so far). */
  lastSeq: number;
  createdAt: string;
}

/** Every room, newest first, for the export picker (names and counts only). @throws CairnError FORBIDDEN for non-admins */
export async function listAllRooms(prisma: PrismaClient, actorId: string): Promise<AdminRoomView[]> {
  await requireAdmin(prisma, actorId);
  const rooms = await prisma.room.findMany({
    select: { id: true, name: true, lastSeq: true, createdAt: true, _count: { select: { members: true } } },
    orderBy: { createdAt: "desc" },
  });
  return rooms.map((r) => ({ id: r.id, name: r.name, members: r._count.members, lastSeq: r.lastSeq, createdAt: r.createdAt.toISOString() }));
}
