"use client";
/**
 * The browser's REST client: one function per route, responses parsed with the
 * shared zod schemas, errors raised as {@link ApiError} with the server's stable code.
 */
import {
  AuditConsistencyResponse,
  AuditCosignaturesResponse,
  AuditProofsResponse,
  AuthParamsResponse,
  type ChangePassphraseBody,
  type CreateRoomBody,
  type DeviceRegistration,
  type LoginBody,
  type SignupBody,
  type WireMembershipEvent,
} from "@cairn/protocol";
import type { z } from "zod";
import {
  AdminUsersResponse,
  DeactivationResponse,
  BackupResponse,
  BackupVersionResponse,
  ConfigResponse,
  DeviceResponse,
  DevicesResponse,
  LogoutEverywhereResponse,
  MeResponse,
  MessagesResponse,
  OkResponse,
  PassphraseChangedResponse,
  RoomKeysResponse,
  RoomResponse,
  RoomsResponse,
  SessionsResponse,
  UserKeysResponse,
} from "./api-schemas";

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    /** RATE_LIMITED: how long to wait before retrying. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** When to retry a refused request: the body's `retryAfterMs`, else the Retry-After header (seconds). */
function retryAfterOf(res: Response, err: { retryAfterMs?: unknown } | undefined): number | undefined {
  if (typeof err?.retryAfterMs === "number" && Number.isFinite(err.retryAfterMs) && err.retryAfterMs >= 0) {
    return err.retryAfterMs;
  }
  const header = Number(res.headers.get("retry-after"));
  return res.headers.has("retry-after") && Number.isFinite(header) && header >= 0 ? header * 1000 : undefined;
}

async function request<S extends z.ZodType>(path: string, schema: S, init?: RequestInit): Promise<z.output<S>> {
  let res: Response;
  try {
    res = await fetch(path, {
      ...init,
      credentials: "same-origin",
      headers: init?.body ? { "Content-Type": "application/json" } : undefined,
    });
  } catch {
    throw new ApiError("NETWORK", "Cannot reach the server. Check your connection.", 0);
  }
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const err = (data as { error?: { code?: unknown; message?: unknown; retryAfterMs?: unknown } } | null)?.error;
    throw new ApiError(
      typeof err?.code === "string" ? err.code : res.status === 429 ? "RATE_LIMITED" : "INTERNAL",
      typeof err?.message === "string" ? err.message : `Request failed (${res.status}).`,
      res.status,
      retryAfterOf(res, err),
    );
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new ApiError("BAD_RESPONSE", "The server sent an unexpected response.", res.status);
  return parsed.data;
}

const post = (body: unknown): RequestInit => ({ method: "POST", body: JSON.stringify(body) });
const put = (body: unknown): RequestInit => ({ method: "PUT", body: JSON.stringify(body) });
const patch = (body: unknown): RequestInit => ({ method: "PATCH", body: JSON.stringify(body) });

export const api = {
  authParams: (username: string) =>
    request(`/api/auth/params?username=${encodeURIComponent(username)}`, AuthParamsResponse),
  /** Resolves while `username` is free; ApiError USERNAME_TAKEN otherwise. */
  checkUsername: (username: string) =>
    request(`/api/auth/signup/check?username=${encodeURIComponent(username)}`, OkResponse),
  signup: (body: SignupBody) => request("/api/auth/signup", MeResponse, post(body)),
  login: (body: LoginBody) => request("/api/auth/login", MeResponse, post(body)),
  logout: () => request("/api/auth/logout", OkResponse, { method: "POST" }),
  me: () => request("/api/auth/me", MeResponse),
  changePassphrase: (body: ChangePassphraseBody) => request("/api/auth/passphrase", PassphraseChangedResponse, post(body)),
  config: () => request("/api/config", ConfigResponse),
  rooms: () => request("/api/rooms", RoomsResponse),
  /** A room with the id its signed create event names (lib/room/membership.ts makes both). */
  createRoom: (body: CreateRoomBody) => request("/api/rooms", RoomResponse, post(body)),
  room: (roomId: string) => request(`/api/rooms/${roomId}`, RoomResponse),
  addMember: (roomId: string, username: string, event: WireMembershipEvent) =>
    request(`/api/rooms/${roomId}/members`, RoomResponse, post({ username, event })),
  /** The room's creator or an org admin removes a member (oneself: leaving), with the signed event. */
  removeMember: (roomId: string, userId: string, event: WireMembershipEvent) =>
    request(`/api/rooms/${roomId}/members/${encodeURIComponent(userId)}`, RoomResponse, { ...post({ event }), method: "DELETE" }),
  leaveRoom: (roomId: string, event: WireMembershipEvent) => request(`/api/rooms/${roomId}/leave`, OkResponse, post({ event })),
  /** One user's public keys (to name them in a membership event). */
  userKeys: (username: string) => request(`/api/users/${encodeURIComponent(username)}/keys`, UserKeysResponse),
  /** Admins: every account with status, devices and rooms. */
  adminUsers: () => request("/api/admin/users", AdminUsersResponse),
  /** Admins: deactivates an account (sessions end, devices revoked in Cairn, out of every room). */
  deactivateUser: (userId: string) =>
    request(`/api/admin/users/${encodeURIComponent(userId)}/deactivate`, DeactivationResponse, { method: "POST" }),
  messages: (roomId: string, beforeSeq?: number) =>
    request(`/api/rooms/${roomId}/messages${beforeSeq ? `?beforeSeq=${beforeSeq}` : ""}`, MessagesResponse),
  roomKeys: (roomId: string) => request(`/api/rooms/${roomId}/keys`, RoomKeysResponse),
  /** Inclusion proofs of leaves to the checkpoint of `treeSize` (the client checks them). */
  auditProofs: (treeSize: number, leaves: readonly number[]) =>
    request(`/api/audit/proofs?treeSize=${treeSize}&leaves=${leaves.join(",")}`, AuditProofsResponse),
  /** The witnesses' cosignatures of a checkpoint (the client checks them against the witness keys). */
  auditCosignatures: (treeSize: number) => request(`/api/audit/cosignatures?treeSize=${treeSize}`, AuditCosignaturesResponse),
  /** A consistency proof between two checkpoints (the client checks it). */
  auditConsistency: (from: number, to: number) => request(`/api/audit/consistency?from=${from}&to=${to}`, AuditConsistencyResponse),
  getBackup: () => request("/api/keys/backup", BackupResponse),
  putBackup: (ciphertext: string, version: number) =>
    request("/api/keys/backup", BackupVersionResponse, put({ ciphertext, version })),
  devices: () => request("/api/devices", DevicesResponse),
  registerDevice: (body: DeviceRegistration) => request("/api/devices", DeviceResponse, post(body)),
  renameDevice: (deviceId: string, name: string) =>
    request(`/api/devices/${encodeURIComponent(deviceId)}`, DeviceResponse, patch({ name })),
  revokeDevice: (deviceId: string, revokedAtMs: number, signature: string) =>
    request(`/api/devices/${encodeURIComponent(deviceId)}/revoke`, DeviceResponse, post({ revokedAtMs, signature })),
  /** The user's live sessions (log-ins), the caller's marked `current`. */
  sessions: () => request("/api/sessions", SessionsResponse),
  endSession: (sessionId: string) =>
    request(`/api/sessions/${encodeURIComponent(sessionId)}`, OkResponse, { method: "DELETE" }),
  /** Ends every session of the user; this browser's too unless `keepCurrent`. */
  logoutEverywhere: (keepCurrent: boolean) =>
    request("/api/sessions/logout-everywhere", LogoutEverywhereResponse, post({ keepCurrent })),
};
