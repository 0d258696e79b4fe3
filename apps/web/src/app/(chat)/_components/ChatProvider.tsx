"use client";
/**
 * The logged-in shell: checks the session, unlocks the keys in the crypto worker
 * (resuming from the login's unlock record after a reload), opens the relay
 * connection and hands all three to the chat pages.
 */
import Link from "next/link";
import { useRouter } from "next/navigation";
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { api, ApiError } from "@/lib/api";
import { syncBackupSoon } from "@/lib/backup-sync";
import type { MeResponse } from "@/lib/api-schemas";
import { cryptoWorker } from "@/lib/crypto-client";
import { deviceRevoked, rememberDevice, rememberedDevice } from "@/lib/device-status";
import { RelayClient } from "@/lib/relay";

/** How often the key backup is checked for changes to upload. */
const BACKUP_SYNC_MS = 2000;
/**
 * How often this device checks whether it was revoked elsewhere. The relay refuses a
 * revoked device only at its next handshake; this tells an open tab sooner.
 */
const REVOCATION_CHECK_MS = 15_000;

interface Chat {
  user: MeResponse["user"];
  deviceId: string;
  relay: RelayClient;
  /** The relay's base URL (also serves the read-only ledger view). */
  relayUrl: string;
  /** The witnesses' keys this server names (its word): checkpoints show which of them cosigned. */
  witnessKeys: string[];
  connected: boolean;
  logout: () => Promise<void>;
}

const ChatContext = createContext<Chat | null>(null);

/** The chat context; only inside {@link ChatProvider}. */
export function useChat(): Chat {
  const chat = useContext(ChatContext);
  if (!chat) throw new Error("useChat outside ChatProvider");
  return chat;
}

const REVOKED = "This device was revoked from another of your devices. It can no longer send or receive messages.";

export function ChatProvider({ children }: { children: ReactNode }) {
  const router = useRouter();
  const [state, setState] = useState<Omit<Chat, "logout" | "connected"> | null>(null);
  const [connected, setConnected] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [refused, setRefused] = useState<string | null>(null);

  useEffect(() => {
    let relay: RelayClient | undefined;
    let cancelled = false;
    void (async () => {
      try {
        const { user } = await api.me();
        const unlocked = await cryptoWorker.resume(user.id);
        if (unlocked) rememberDevice(unlocked.deviceId);
        if (!unlocked) {
          // Keys are not unlocked in this browser for this login: log in again.
          await api.logout().catch(() => undefined);
          router.replace("/login?locked=1");
          return;
        }
        const { relayUrl, witnessKeys } = await api.config();
        if (cancelled) return;
        relay = new RelayClient(relayUrl, unlocked.deviceId, {
          crypto: cryptoWorker,
          roomKeys: (roomId) => api.roomKeys(roomId),
        });
        relay.onStatus(setConnected);
        relay.onRefused((err) => {
          if (err.code === "DEVICE_REVOKED") {
            setRefused(REVOKED);
          } else if (err.code === "DEVICE_UNKNOWN") {
            setRefused("The server does not know this device. Log out and log in again.");
          }
        });
        setState({ user, deviceId: unlocked.deviceId, relayUrl, witnessKeys, relay });
      } catch (err) {
        if (err instanceof ApiError && err.code === "UNAUTHENTICATED") {
          // A revoked device's session ends with it: say so instead of asking to log in.
          const deviceId = rememberedDevice();
          const revoked = deviceId !== null && (await api.config().then(({ relayUrl }) => deviceRevoked(relayUrl, deviceId), () => false));
          if (cancelled) return;
          if (revoked) {
            setRefused(REVOKED);
            return;
          }
          await cryptoWorker.lock().catch(() => undefined);
          router.replace("/login");
          return;
        }
        setError(err instanceof Error ? err.message : String(err));
      }
    })();
    return () => {
      cancelled = true;
      relay?.close();
    };
  }, [router]);

  useEffect(() => {
    if (!state) return;
    // Keep the key backup current (new sessions, pinned contacts); uploads only when changed.
    syncBackupSoon();
    const timer = setInterval(syncBackupSoon, BACKUP_SYNC_MS);
    const check = setInterval(() => {
      void api.devices().then(
        ({ devices }) => {
          if (devices.find((d) => d.deviceId === state.deviceId)?.revokedAt) {
            state.relay.close();
            setRefused(REVOKED);
          }
        },
        async (err: unknown) => {
          // The session ended (device revoked, logged out everywhere, account deactivated).
          if (!(err instanceof ApiError && err.code === "UNAUTHENTICATED")) return;
          state.relay.close();
          if (await deviceRevoked(state.relayUrl, state.deviceId)) {
            setRefused(REVOKED);
            return;
          }
          await cryptoWorker.lock().catch(() => undefined);
          router.replace("/login");
        },
      );
    }, REVOCATION_CHECK_MS);
    return () => {
      clearInterval(timer);
      clearInterval(check);
    };
  }, [state, router]);

  const logout = useCallback(async () => {
    state?.relay.close();
    await api.logout().catch(() => undefined);
    await cryptoWorker.lock();
    router.replace("/login");
  }, [router, state]);

  if (error) {
    return (
      <p className="banner error" data-testid="chat-error">
        {error}
      </p>
    );
  }
  if (refused) {
    return (
      <div className="auth">
        <div className="card stack">
          <p className="banner error" role="alert" data-testid="device-refused">
            {refused}
          </p>
          <button type="button" onClick={() => void logout()} data-testid="refused-logout">
            Log out
          </button>
        </div>
      </div>
    );
  }
  if (!state) return <p className="muted center">Unlocking your keys…</p>;

  return (
    <ChatContext.Provider value={{ ...state, connected, logout }}>
      <header className="topbar">
        <strong className="brand">Cairn</strong>
        <nav className="nav">
          <Link href="/rooms" data-testid="nav-rooms">
            Rooms
          </Link>
          <Link href="/devices" data-testid="nav-devices">
            Devices
          </Link>
          {/* The audit pages (admin, compliance, add plaintext); each says what the user's role allows. */}
          <Link href="/admin" data-testid="nav-audit">
            Audit &amp; compliance
          </Link>
        </nav>
        <span className={connected ? "dot online" : "dot offline"} title={connected ? "connected" : "offline"} />
        <span className="spacer" />
        <span data-testid="current-user">{state.user.username}</span>
        <button type="button" className="link" data-testid="logout" onClick={() => void logout()}>
          Log out
        </button>
      </header>
      {children}
    </ChatContext.Provider>
  );
}
