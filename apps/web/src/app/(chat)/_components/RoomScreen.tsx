"use client";
/**
 * One room: history decrypted in the crypto worker, live messages from the relay,
 * the composer, the audit status of every message, and a form to add a member.
 */
import type { RoomView, StoredMessage, UserKeys } from "@cairn/protocol";
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { api, ApiError } from "@/lib/api";
import { cryptoWorker } from "@/lib/crypto-client";
import { checkAgainstLedger, type LedgerCheck } from "@/lib/ledger";
import type { ContactStatus, Fork } from "@/worker/api";
import { Composer } from "./Composer";
import { MembersBar } from "./MembersBar";
import { SafetyDialog } from "./SafetyDialog";
import { MessageList, type Line } from "./MessageList";
import { useChat } from "./ChatProvider";

export function RoomScreen({ roomId }: { roomId: string }) {
  const { relay, user, relayUrl } = useChat();
  const [room, setRoom] = useState<RoomView | null>(null);
  const [lines, setLines] = useState<Map<number, Line>>(new Map());
  const [pending, setPending] = useState<Line[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [ready, setReady] = useState(false);
  const [addName, setAddName] = useState("");
  const [addError, setAddError] = useState<string | null>(null);
  const [contacts, setContacts] = useState<ContactStatus[]>([]);
  const [users, setUsers] = useState<UserKeys[]>([]);
  const [ledger, setLedger] = useState<Record<string, LedgerCheck>>({});
  const [forks, setForks] = useState<Fork[]>([]);
  const [safetyFor, setSafetyFor] = useState<string | null>(null);
  /** Lowest room sequence number loaded (history comes in pages of 100, newest first). */
  const [oldestSeq, setOldestSeq] = useState<number | null>(null);
  const stored = useRef(new Map<number, StoredMessage>());
  const checkpoint = useRef(0);
  /** Room sequence numbers of messages whose session share has not arrived yet. */
  const waiting = useRef(new Set<number>());

  const upsert = useCallback((line: Line) => {
    setLines((prev) => {
      const next = new Map(prev);
      const old = line.roomSeq === null ? undefined : prev.get(line.roomSeq);
      const anchored = old?.anchoredTreeSize ?? line.anchoredTreeSize;
      next.set(line.roomSeq ?? -1, { ...line, anchoredTreeSize: anchored });
      return next;
    });
    setPending((prev) => prev.filter((p) => p.roomSeq !== line.roomSeq));
  }, []);

  const refreshKeys = useCallback(async () => {
    const { users } = await api.roomKeys(roomId);
    const verdict = await cryptoWorker.setRoomMembers(roomId, users);
    setContacts(verdict.contacts);
    setUsers((prev) => (JSON.stringify(prev) === JSON.stringify(users) ? prev : users));
  }, [roomId]);

  useEffect(() => {
    // Check every key the server serves against the ledger's registry.
    let live = true;
    void (async () => {
      const out: Record<string, LedgerCheck> = {};
      for (const u of users.slice(0, 100)) out[u.userId] = await checkAgainstLedger(relayUrl, u);
      if (live) setLedger(out);
    })();
    return () => {
      live = false;
    };
  }, [users, relayUrl]);

  const show = useCallback(
    async (msg: StoredMessage, retried = false): Promise<void> => {
      stored.current.set(msg.roomSeq, msg);
      let result = await cryptoWorker.decrypt(msg);
      if (result.kind === "unknown-device" && !retried) {
        await refreshKeys();
        result = await cryptoWorker.decrypt(msg);
      }
      const found = result.forks;
      if (found && found.length > 0) setForks((prev) => [...prev, ...found]);
      if (result.kind === "waiting") waiting.current.add(msg.roomSeq);
      else waiting.current.delete(msg.roomSeq);
      const anchored =
        msg.anchoredTreeSize ?? (checkpoint.current > msg.leafIndex ? checkpoint.current : null);
      upsert({
        key: `s${msg.roomSeq}`,
        roomSeq: msg.roomSeq,
        leafIndex: msg.leafIndex,
        sender: msg.senderUsername,
        mine: msg.senderUserId === user.id,
        time: msg.serverTime,
        anchoredTreeSize: anchored,
        ...(result.kind === "text"
          ? { state: "text", text: result.body }
          : result.kind === "waiting"
            ? { state: "waiting", text: null }
            : {
                state: "failed",
                text: null,
                note: result.kind === "failed" ? result.reason : "unknown sending device",
              }),
      });
    },
    [refreshKeys, upsert, user.id],
  );

  const loadEarlier = useCallback(async () => {
    const oldest = Math.min(...stored.current.keys());
    if (!Number.isFinite(oldest) || oldest <= 1) return;
    const { messages } = await api.messages(roomId, oldest);
    for (const msg of messages) await show(msg);
    setOldestSeq(Math.min(oldest, ...messages.map((m) => m.roomSeq)));
  }, [roomId, show]);

  const loadHistory = useCallback(async () => {
    const { messages } = await api.messages(roomId);
    for (const msg of messages) await show(msg);
    setOldestSeq((prev) => Math.min(prev ?? Infinity, ...messages.map((m) => m.roomSeq), Infinity));
  }, [roomId, show]);

  useEffect(() => {
    let cancelled = false;
    setReady(false);
    setLines(new Map());
    setPending([]);
    setForks([]);
    setOldestSeq(null);
    stored.current.clear();
    waiting.current.clear();
    void (async () => {
      try {
        const { room } = await api.room(roomId);
        if (cancelled) return;
        setRoom(room);
        relay.subscribe(roomId);
        await refreshKeys();
        await loadHistory();
        if (!cancelled) setReady(true);
      } catch (err) {
        if (cancelled) return;
        const gone = err instanceof ApiError && (err.code === "ROOM_NOT_FOUND" || err.code === "VALIDATION_FAILED");
        setError(gone ? "No such room, or you are not a member of it." : err instanceof Error ? err.message : String(err));
      }
    })();
    const offMessage = relay.onMessage((msg) => {
      if (msg.roomId === roomId) void show(msg);
    });
    const offShares = relay.onSharesOpened(() => {
      // Retry every message still waiting for its key.
      for (const seq of [...waiting.current]) {
        const msg = stored.current.get(seq);
        if (msg) void show(msg);
      }
    });
    const offCheckpoint = relay.onCheckpoint((cp) => {
      checkpoint.current = Math.max(checkpoint.current, cp.treeSize);
      setLines((prev) => {
        let changed = false;
        const next = new Map(prev);
        for (const [seq, line] of prev) {
          if (line.anchoredTreeSize === null && line.leafIndex !== null && line.leafIndex < cp.treeSize) {
            next.set(seq, { ...line, anchoredTreeSize: cp.treeSize });
            changed = true;
          }
        }
        return changed ? next : prev;
      });
    });
    let wasConnected = relay.connected;
    const offStatus = relay.onStatus((up) => {
      // After a reconnect, fetch what fan-out may have missed (and fresher audit status).
      if (up && !wasConnected) void loadHistory().catch(() => undefined);
      wasConnected = up;
    });
    return () => {
      cancelled = true;
      offMessage();
      offShares();
      offCheckpoint();
      offStatus();
    };
  }, [roomId, relay, refreshKeys, loadHistory, show]);

  async function send(text: string): Promise<void> {
    const key = `p${Date.now()}-${Math.random()}`;
    const line: Line = {
      key,
      roomSeq: null,
      leafIndex: null,
      sender: user.username,
      mine: true,
      time: new Date().toISOString(),
      anchoredTreeSize: null,
      state: "sending",
      text,
    };
    setPending((prev) => [...prev, line]);
    try {
      // Fresh member keys before every send: new members get the session, and a
      // member who left forces a new one.
      await refreshKeys();
      const ack = await relay.send(roomId, text);
      setLines((prev) => {
        if (prev.has(ack.roomSeq)) return prev;
        const next = new Map(prev);
        next.set(ack.roomSeq, {
          ...line,
          key: `s${ack.roomSeq}`,
          roomSeq: ack.roomSeq,
          leafIndex: ack.leafIndex,
          time: ack.serverTime,
          state: "text",
          anchoredTreeSize: checkpoint.current > ack.leafIndex ? checkpoint.current : null,
        });
        return next;
      });
      setPending((prev) => prev.filter((p) => p.key !== key));
    } catch (err) {
      const note = err instanceof Error ? err.message : String(err);
      setPending((prev) => prev.map((p) => (p.key === key ? { ...p, state: "send-failed", note } : p)));
    }
  }

  async function addMember(e: FormEvent) {
    e.preventDefault();
    setAddError(null);
    try {
      const { room } = await api.addMember(roomId, addName.trim().toLowerCase());
      setRoom(room);
      setAddName("");
      await refreshKeys();
    } catch (err) {
      setAddError(err instanceof Error ? err.message : String(err));
    }
  }

  if (error) {
    return (
      <section className="room">
        <p className="banner error" data-testid="room-error">
          {error}
        </p>
      </section>
    );
  }
  if (!room) return <section className="room muted">Loading room…</section>;

  const ordered = [...lines.values()].sort((a, b) => (a.roomSeq ?? 0) - (b.roomSeq ?? 0));
  const changed = contacts.filter((c) => c.changed);
  const blocked =
    changed.length > 0
      ? `Sending is blocked: ${changed.map((c) => c.username).join(", ")} ${changed.length === 1 ? "has" : "have"} a new security key. Review it first.`
      : null;
  return (
    <section className="room" data-testid="room" data-room-id={room.id}>
      <header className="room-header">
        <div>
          <h2 data-testid="room-title">{room.name}</h2>
          <MembersBar members={room.members} selfId={user.id} contacts={contacts} ledger={ledger} onOpen={setSafetyFor} />
        </div>
        <form className="inline" onSubmit={(e) => void addMember(e)}>
          <input
            placeholder="Add member by username"
            value={addName}
            onChange={(e) => setAddName(e.target.value)}
            data-testid="add-member-input"
            required
          />
          <button type="submit" data-testid="add-member-submit">
            Add
          </button>
          {addError && (
            <span className="error" role="alert" data-testid="add-member-error">
              {addError}
            </span>
          )}
        </form>
      </header>
      {changed.map((c) => (
        <div key={c.userId} className="banner error room-banner" role="alert" data-testid="key-change-warning">
          <strong>⚠ {c.username}&apos;s security key changed.</strong>{" "}
          {c.verified
            ? "You had VERIFIED this contact: a changed key means a new device at best, or someone impersonating them."
            : "It may be a new device, or someone impersonating them."}{" "}
          Sending in this room is blocked until you review the new key.{" "}
          <button type="button" className="link" onClick={() => setSafetyFor(c.userId)} data-testid="review-key">
            Review the new key
          </button>
        </div>
      ))}
      {forks.length > 0 && (
        <div className="banner error room-banner" role="alert" data-testid="fork-warning">
          <strong>⚠ This room&apos;s history is inconsistent.</strong> The server may be showing different messages to
          different members: {forks[0]?.reason}
          {forks.length > 1 ? ` (and ${forks.length - 1} more)` : ""}.
        </div>
      )}
      {ready && oldestSeq !== null && Number.isFinite(oldestSeq) && oldestSeq > 1 && (
        <button type="button" className="link load-earlier" onClick={() => void loadEarlier().catch(() => undefined)} data-testid="load-earlier">
          Load earlier messages
        </button>
      )}
      <MessageList lines={[...ordered, ...pending]} loading={!ready} />
      <Composer disabled={!ready || blocked !== null} blockedReason={blocked} onSend={send} />
      {safetyFor && (
        <SafetyDialog
          userId={safetyFor}
          ledger={ledger[safetyFor]}
          onClose={() => setSafetyFor(null)}
          onChanged={() => void refreshKeys().catch(() => undefined)}
        />
      )}
    </section>
  );
}
