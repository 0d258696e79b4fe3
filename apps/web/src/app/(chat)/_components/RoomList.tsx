"use client";
import type { RoomView } from "@cairn/protocol";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api } from "@/lib/api";
import { cryptoWorker } from "@/lib/crypto-client";
import { createRoom } from "@/lib/room/membership";
import { useChat } from "./ChatProvider";

/** How often the list is refreshed, so rooms others add you to appear. */
const REFRESH_MS = 5000;

/** The sidebar: the user's rooms and a form to create one. */
export function RoomList() {
  const { relay } = useChat();
  const router = useRouter();
  const params = useParams<{ roomId?: string }>();
  const [rooms, setRooms] = useState<RoomView[] | null>(null);
  const [name, setName] = useState("");
  const [members, setMembers] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(async () => {
    const { rooms } = await api.rooms();
    setRooms(rooms);
  }, []);

  useEffect(() => {
    void refresh().catch(() => undefined);
    const timer = setInterval(() => void refresh().catch(() => undefined), REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  async function create(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const usernames = members
        .split(/[\s,]+/)
        .map((m) => m.trim().toLowerCase())
        .filter(Boolean);
      const room = await createRoom({ api, crypto: cryptoWorker }, name, usernames);
      relay.subscribe(room.id);
      setName("");
      setMembers("");
      await refresh();
      router.push(`/rooms/${room.id}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <aside className="sidebar">
      <h2>Rooms</h2>
      {rooms === null ? (
        <p className="muted">Loading…</p>
      ) : rooms.length === 0 ? (
        <p className="muted">No rooms yet.</p>
      ) : (
        <ul className="rooms" data-testid="room-list">
          {rooms.map((r) => (
            <li key={r.id}>
              <Link
                href={`/rooms/${r.id}`}
                className={params.roomId === r.id ? "active" : undefined}
                data-testid="room-link"
                data-room-name={r.name}
              >
                {r.name}
              </Link>
            </li>
          ))}
        </ul>
      )}
      <form className="stack" onSubmit={(e) => void create(e)}>
        <h3>New room</h3>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={80} data-testid="new-room-name" />
        </label>
        <label>
          Members <span className="muted">(usernames, comma separated)</span>
          <input value={members} onChange={(e) => setMembers(e.target.value)} data-testid="new-room-members" />
        </label>
        {error && (
          <p className="error" role="alert" data-testid="new-room-error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy} data-testid="create-room">
          Create room
        </button>
      </form>
    </aside>
  );
}
