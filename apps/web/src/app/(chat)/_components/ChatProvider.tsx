"use client";
/**
 * The logged-in shell: checks the session, unlocks the keys in the crypto worker
 * (resuming from the login's unlock record after a reload), opens the relay
 * connection and hands all three to the chat pages.
 */
import { useRouter } from "next/navigation";
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { api, ApiError } from "@/lib/api";
import type { MeResponse } from "@/lib/api-schemas";
import { cryptoWorker } from "@/lib/crypto-client";
import { RelayClient } from "@/lib/relay";

interface Chat {
  user: MeResponse["user"];
  deviceId: string;
  relay: RelayClient;
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

export function ChatProvider({ children }: { children: ReactNode }) {
  const router = useRouter();
  const [state, setState] = useState<Omit<Chat, "logout" | "connected"> | null>(null);
  const [connected, setConnected] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let relay: RelayClient | undefined;
    let cancelled = false;
    void (async () => {
      try {
        const { user } = await api.me();
        const unlocked = await cryptoWorker.resume(user.id);
        if (!unlocked) {
          // Keys are not unlocked in this browser for this login: log in again.
          await api.logout().catch(() => undefined);
          router.replace("/login?locked=1");
          return;
        }
        const { relayUrl } = await api.config();
        if (cancelled) return;
        relay = new RelayClient(relayUrl, unlocked.deviceId, {
          crypto: cryptoWorker,
          roomKeys: async (roomId) => (await api.roomKeys(roomId)).users,
        });
        relay.onStatus(setConnected);
        setState({ user, deviceId: unlocked.deviceId, relay });
      } catch (err) {
        if (err instanceof ApiError && err.code === "UNAUTHENTICATED") {
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
  if (!state) return <p className="muted center">Unlocking your keys…</p>;
  return (
    <ChatContext.Provider value={{ ...state, connected, logout }}>
      <header className="topbar">
        <strong className="brand">Cairn</strong>
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
