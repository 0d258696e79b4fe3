"use client";
/**
 * One room as the UI shows it: the transcript with each message's audit status, the
 * composer, key-change and fork warnings, and a form to add a member. What happens in
 * the room (history, decryption, live messages, keys, sending) is the RoomController's;
 * this component renders its snapshots.
 */
import { useState, type FormEvent } from "react";
import { api } from "@/lib/api";
import { cryptoWorker } from "@/lib/crypto-client";
import { checkAgainstLedger } from "@/lib/ledger";
import { useRoom } from "@/lib/room/use-room";
import { Composer } from "./Composer";
import { MembersBar } from "./MembersBar";
import { SafetyDialog } from "./SafetyDialog";
import { MessageList } from "./MessageList";
import { useChat } from "./ChatProvider";

export function RoomScreen({ roomId }: { roomId: string }) {
  const { relay, user, relayUrl } = useChat();
  const { room: controller, state } = useRoom(roomId, {
    self: user,
    api,
    crypto: cryptoWorker,
    relay,
    checkLedger: (u) => checkAgainstLedger(relayUrl, u),
  });
  const [addName, setAddName] = useState("");
  const [addError, setAddError] = useState<string | null>(null);
  const [safetyFor, setSafetyFor] = useState<string | null>(null);

  async function addMember(e: FormEvent) {
    e.preventDefault();
    setAddError(null);
    try {
      await controller?.addMember(addName);
      setAddName("");
    } catch (err) {
      setAddError(err instanceof Error ? err.message : String(err));
    }
  }

  const error = state?.error;
  if (error) {
    return (
      <section className="room">
        <p className="banner error" data-testid="room-error">
          {error}
        </p>
      </section>
    );
  }
  if (!state?.room || !controller) return <section className="room muted">Loading room…</section>;

  const { room, ready, contacts, ledger, forks } = state;
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
      {ready && state.hasEarlier && (
        <button type="button" className="link load-earlier" onClick={() => void controller.loadEarlier().catch(() => undefined)} data-testid="load-earlier">
          Load earlier messages
        </button>
      )}
      <MessageList lines={state.lines} loading={!ready} />
      <Composer disabled={!ready || blocked !== null} blockedReason={blocked} onSend={(text) => controller.send(text)} />
      {safetyFor && (
        <SafetyDialog
          userId={safetyFor}
          ledger={ledger[safetyFor]}
          onClose={() => setSafetyFor(null)}
          onChanged={() => void controller.refreshKeys().catch(() => undefined)}
        />
      )}
    </section>
  );
}
