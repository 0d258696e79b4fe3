"use client";
/** The admin and compliance pages' REST calls, parsed with zod; errors carry the server's stable code. */
import { z } from "zod";

export class AuditApiError extends Error {
  override readonly name = "AuditApiError";
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export const Access = z.object({
  userId: z.string(),
  username: z.string(),
  role: z.enum(["admin", "compliance", "member"]),
  canAdminister: z.boolean(),
  canVerify: z.boolean(),
});
export type Access = z.infer<typeof Access>;

const UserRole = z.object({ id: z.string(), username: z.string(), role: z.enum(["admin", "compliance", "member"]), createdAt: z.string() });
export type UserRole = z.infer<typeof UserRole>;

const AdminRoom = z.object({ id: z.string(), name: z.string(), members: z.number(), lastSeq: z.number(), createdAt: z.string() });
export type AdminRoom = z.infer<typeof AdminRoom>;

const LagPoint = z.object({
  treeSize: z.number(),
  leaves: z.number(),
  txId: z.string(),
  time: z.string(),
  firstLeafAt: z.string().nullable(),
  lagMs: z.number().nullable(),
});
const Dashboard = z.object({
  status: z.object({
    treeSize: z.number(),
    leaves: z.number(),
    pending: z.number(),
    oldestPendingMs: z.number().nullable(),
    ledger: z.enum(["embedded", "fabric", "unknown"]),
    latestCheckpoint: z.object({ treeSize: z.number(), txId: z.string(), time: z.string() }).nullable(),
  }),
  lag: z.array(LagPoint),
  refused: z.object({
    total: z.number(),
    recent: z.array(z.object({ id: z.string(), kind: z.string(), reason: z.string(), requestedAt: z.string(), refusedAt: z.string() })),
  }),
});
export type Dashboard = z.infer<typeof Dashboard>;

/** The error a failed response carries (or a generic one). */
export async function errorOf(res: Response): Promise<AuditApiError> {
  const data = (await res.json().catch(() => null)) as { error?: { code?: unknown; message?: unknown } } | null;
  const code = typeof data?.error?.code === "string" ? data.error.code : "INTERNAL";
  const message = typeof data?.error?.message === "string" ? data.error.message : `Request failed (${res.status}).`;
  return new AuditApiError(code, message, res.status);
}

async function request<S extends z.ZodType>(path: string, schema: S, init?: RequestInit): Promise<z.output<S>> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, credentials: "same-origin", cache: "no-store" });
  } catch {
    throw new AuditApiError("NETWORK", "Cannot reach the server. Check your connection.", 0);
  }
  if (!res.ok) throw await errorOf(res);
  const parsed = schema.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new AuditApiError("BAD_RESPONSE", "The server sent an unexpected response.", res.status);
  return parsed.data;
}

export const auditApi = {
  access: () => request("/api/compliance/access", Access),
  relayUrl: async () => (await request("/api/config", z.object({ relayUrl: z.string() }))).relayUrl,
  users: async () => (await request("/api/admin/users", z.object({ users: z.array(UserRole) }))).users,
  setRole: async (userId: string, role: "compliance" | "member") =>
    (
      await request(`/api/admin/users/${userId}/role`, z.object({ user: UserRole }), {
        method: "PUT",
        body: JSON.stringify({ role }),
        headers: { "Content-Type": "application/json" },
      })
    ).user,
  rooms: async () => (await request("/api/admin/rooms", z.object({ rooms: z.array(AdminRoom) }))).rooms,
  dashboard: () => request("/api/admin/dashboard", Dashboard),
};
