"use client";
/**
 * Whether this browser's device was revoked, asked when the server no longer knows
 * our session (a revoked device's sessions end with it). The relay answers a
 * handshake naming a revoked device with DEVICE_REVOKED before it looks at the
 * session, so one short-lived connection tells; anything else (refused for another
 * reason, unreachable, no answer in 5 s) counts as "not known to be revoked".
 * The device id is remembered in localStorage: it is not secret (it is on the ledger).
 */
import { io } from "socket.io-client";

const KEY = "cairn:device-id";

export function rememberDevice(deviceId: string): void {
  try {
    localStorage.setItem(KEY, deviceId);
  } catch {
    // Storage unavailable (private mode): the check just cannot run.
  }
}

export function rememberedDevice(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function deviceRevoked(relayUrl: string, deviceId: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = io(relayUrl, { auth: { deviceId }, reconnection: false, withCredentials: true, transports: ["websocket"] });
    const done = (revoked: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(revoked);
    };
    const timer = setTimeout(() => done(false), 5_000);
    socket.once("connect", () => done(false));
    socket.once("connect_error", (err: Error & { data?: { code?: unknown } }) => done(err.data?.code === "DEVICE_REVOKED"));
  });
}
