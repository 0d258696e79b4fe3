"use client";
/**
 * One room as the UI shows it: the transcript with each message's audit status, the
 * composer, key-change and fork warnings, a form to add a member, leaving, and (for the
 * room's creator and org admins) removing members; once this user is out of the room it
 * says so and offers no composer. What happens in the room (history, decryption, live
 * messages, keys, sending, membership) is the RoomController's; this component renders
 * its snapshots.
 */
import { useEffect, useMemo, useState, useSyncExternalStore, type FormEvent } from "react";
import { api } from "@/lib/api";
import { cryptoWorker } from "@/lib/crypto-client";
import { auditCheckerFor, messageLeafHash } from "@/lib/audit-checker";
import { checkAgainstLedger, LEDGER_SOURCE } from "@/lib/ledger";
import { roomRelay } from "@/lib/room/room-relay";
import { useRoom } from "@/lib/room/use-room";
import { Composer } from "./Composer";
import { MembersBar } from "./MembersBar";
import { SafetyDialog } from "./SafetyDialog";
import { MessageList } from "./MessageList";
import type { ContactStatus } from "@/worker/api";
import { useChat } from "./ChatProvider";

export function RoomScreen({ roomId }: { roomId: string }) {
  const { relay, user, relayUrl, witnessKeys, logout } = useChat();
  const relayForRoom = useMemo(() => roomRelay(relay), [relay]);
  const checker = useMemo(
    () =>
      auditCheckerFor(
        user.id,
        relayUrl,
        {
          proofs: (size, leaves) => api.auditProofs(size, leaves),
          consistency: (from, to) => api.auditConsistency(from, to),
          cosignatures: (size) => api.auditCosignatures(size),
          verifySignatures: (jobs) => cryptoWorker.verifySignatures(jobs),
        },
        witnessKeys,
      ),
    [user.id, relayUrl, witnessKeys],
  );
  const auditAlarm = useSyncExternalStore(checker.subscribe, checker.getAlarm, () => null);
  const { room: controller, state } = useRoom(roomId, {
    self: user,
    api,
    crypto: cryptoWorker,
    relay: relayForRoom,
    checkLedger: (u) => checkAgainstLedger(relayUrl, u),
    audit: { verify: (items, size) => checker.verify(items, size), leafHash: messageLeafHash },
  });
  const [addName, setAddName] = useState("");
  const [addError, setAddError] = useState<string | null>(null);
  const [safetyFor, setSafetyFor] = useState<string | null>(null);
  /** The membership change waiting for its second click. */
  const [confirming, setConfirming] = useState<{ kind: "leave" } | { kind: "remove"; userId: string; username: string } | null>(null);
  const [memberError, setMemberError] = useState<string | null>(null);

  async function confirmMembership() {
    const what = confirming;
    if (!what || !controller) return;
    setMemberError(null);
    try {
      if (what.kind === "leave") await controller.leave();
      else await controller.removeMember(what.userId);
      setConfirming(null);
    } catch (err) {
      setMemberError(err instanceof Error ? err.message : String(err));
    }
  }

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

  // A deactivated account's sessions have ended on the server: end this browser's too.
  const deactivated = state?.removed === "deactivated";
  useEffect(() => {
    if (deactivated) void logout();
  }, [deactivated, logout]);

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

  const { room, ready, contacts, ledger, forks, removed } = state;
  if (removed) {
    return (
      <section className="room" data-testid="room" data-room-id={room.id} data-removed={removed}>
        <header className="room-header">
          <h2 data-testid="room-title">{room.name}</h2>
        </header>
        <p className="banner error room-banner" role="status" data-testid="room-removed" data-reason={removed}>
          {removed === "left"
            ? "You left this room. Messages you already read stay on screen until you close it; nothing new reaches you."
            : removed === "deactivated"
              ? "Your account was deactivated by an admin. You are being logged out."
              : "You were removed from this room. Messages you already read stay on screen until you close it; new messages are no longer shared with you."}
        </p>
        <MessageList lines={state.lines} loading={false} />
      </section>
    );
  }
  const mayRemove = room.createdBy === user.id || user.role === "admin";
  const changed = contacts.filter((c) => c.changed);
  const contradicted = contacts.filter((c) => !c.changed && c.ledgerIdentityPublicKey !== null);
  const names = (cs: ContactStatus[]) => cs.map((c) => c.username).join(", ");
  const blocked =
    changed.length > 0
      ? `Sending is blocked: ${names(changed)} ${changed.length === 1 ? "has" : "have"} a new security key. Review it first.`
      : contradicted.length > 0
        ? `Sending is blocked: the ledger holds another security key for ${names(contradicted)}. Review it first.`
        : null;
  return (
    <section className="room" data-testid="room" data-room-id={room.id}>
      <header className="room-header">
        <div>
          <h2 data-testid="room-title">{room.name}</h2>
          <MembersBar
            members={room.members}
            selfId={user.id}
            contacts={contacts}
            ledger={ledger}
            onOpen={setSafetyFor}
            unverified={state.membership?.unverified ?? []}
            {...(mayRemove ? { onRemove: (m: { userId: string; username: string }) => setConfirming({ kind: "remove", ...m }) } : {})}
          />
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
        <button type="button" className="link" onClick={() => setConfirming({ kind: "leave" })} data-testid="leave-room">
          Leave room…
        </button>
      </header>
      {confirming && (
        <div className="banner room-banner row" data-testid="membership-confirm">
          <span className="small">
            {confirming.kind === "leave"
              ? "Leave this room? You stop receiving its messages; the others' next message uses a new key you do not get."
              : `Remove ${confirming.username}? They stop receiving this room's messages; the next message uses a new key they do not get. What they already read stays on their devices.`}
          </span>
          <button type="button" className="danger" onClick={() => void confirmMembership()} data-testid="membership-confirm-submit">
            {confirming.kind === "leave" ? "Leave" : `Remove ${confirming.username}`}
          </button>
          <button
            type="button"
            className="link"
            onClick={() => {
              setConfirming(null);
              setMemberError(null);
            }}
          >
            Cancel
          </button>
          {memberError && (
            <span className="error" role="alert" data-testid="membership-error">
              {memberError}
            </span>
          )}
        </div>
      )}
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
      {contradicted.map((c) => (
        <div key={c.userId} className="banner error room-banner" role="alert" data-testid="ledger-mismatch-warning">
          <strong>⚠ {c.username}&apos;s security key differs from the ledger.</strong> The key you pinned for them is not
          the one the ledger&apos;s registry holds ({LEDGER_SOURCE}). The server may be showing you a substituted key.
          Sending in this room, and every room with {c.username}, is blocked until you review it.{" "}
          <button type="button" className="link" onClick={() => setSafetyFor(c.userId)} data-testid="review-ledger-key">
            Review {c.username}&apos;s key
          </button>
        </div>
      ))}
      {auditAlarm && (
        <div className="banner error room-banner" role="alert" data-testid="audit-warning">
          <strong>⚠ The audit log failed this browser&apos;s check.</strong> {auditAlarm} Messages may have been
          rewritten, hidden or shown differently to others; tell your compliance officer.
        </div>
      )}
      {forks.length > 0 && (
        <div className="banner error room-banner" role="alert" data-testid="fork-warning">
          <strong>⚠ This room&apos;s history is inconsistent.</strong> The server may be showing different messages to
          different members: {forks[0]?.reason}
          {forks.length > 1 ? ` (and ${forks.length - 1} more)` : ""}.
        </div>
      )}
      {state.membership && (state.membership.unverified.length > 0 || state.membership.problem) && (
        <div className="banner error room-banner" role="alert" data-testid="membership-warning">
          <strong>⚠ Membership not verified.</strong>{" "}
          {state.membership.unverified.length > 0 &&
            `The server lists ${state.membership.unverified.join(", ")} as ${state.membership.unverified.length === 1 ? "a member" : "members"}, but no member's signed addition names ${state.membership.unverified.length === 1 ? "them" : "any of them"}: they get no keys to your messages. If their security key changed and you accepted the new one, add them again to vouch for it. `}
          {state.membership.problem &&
            (state.membership.problem.code === "FORK"
              ? `${state.membership.problem.message} Nobody gets keys to your messages until this is resolved.`
              : `The room's membership history is broken at event ${state.membership.problem.seq}: ${state.membership.problem.message} Later changes are ignored.`)}
        </div>
      )}
      {ready && state.hasEarlier && (
        <button type="button" className="link load-earlier" onClick={() => void controller.loadEarlier().catch(() => undefined)} data-testid="load-earlier">
          Load earlier messages
        </button>
      )}
      <MessageList lines={state.lines} loading={!ready} notices={state.membership?.timeline ?? []} />
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
