"use client";
/**
 * The room's members with their trust state: verified, unverified, or key changed (loud),
 * and whether the keys the server serves are the ones on the ledger. Clicking a member
 * opens their safety number. The room's creator and org admins also get a remove
 * control next to each other member (the server decides; this only offers it). A member
 * the server lists without a signed addition on the room's chain is marked unverified.
 */
import { LEDGER_LABEL, LEDGER_SOURCE, type LedgerCheck } from "@/lib/ledger";
import type { ContactStatus } from "@/worker/api";

function ledgerProblem(check: LedgerCheck | undefined): string | null {
  if (!check) return null;
  if (check.identity === "differs" || check.identity === "absent") return `identity key ${LEDGER_LABEL[check.identity]}`;
  const bad = Object.entries(check.devices).filter(([, m]) => m === "differs" || m === "absent");
  if (bad.length === 0) return null;
  return bad.map(([id, m]) => `device ${id.slice(0, 6)} ${LEDGER_LABEL[m]}`).join(", ");
}

export function MembersBar({
  members,
  selfId,
  contacts,
  ledger,
  onOpen,
  onRemove,
  unverified = [],
}: {
  members: { userId: string; username: string }[];
  selfId: string;
  contacts: ContactStatus[];
  ledger: Record<string, LedgerCheck>;
  onOpen: (userId: string) => void;
  /** Given when this user may remove members: asks to remove one (the caller confirms). */
  onRemove?: (member: { userId: string; username: string }) => void;
  /** Usernames the server lists that the room's signed membership chain does not: they get no keys. */
  unverified?: string[];
}) {
  const remove = (m: { userId: string; username: string }) =>
    onRemove && m.userId !== selfId ? (
      <button
        type="button"
        className="link small"
        onClick={() => onRemove(m)}
        aria-label={`Remove ${m.username} from this room`}
        title={`Remove ${m.username} from this room`}
        data-testid="member-remove"
        data-username={m.username}
      >
        ✕
      </button>
    ) : null;
  return (
    <p className="members" data-testid="room-members">
      {members.map((m) => {
        const c = contacts.find((x) => x.userId === m.userId);
        const problem = ledgerProblem(ledger[m.userId]);
        if (unverified.includes(m.username)) {
          return (
            <span key={m.userId} className="member-slot">
              <span className="member error" data-testid="member-unverified" title="Listed by the server only: no member's signed addition names them, so they get no keys">
                {m.username} (unverified · no keys)
              </span>
              {remove(m)}
            </span>
          );
        }
        if (m.userId === selfId || !c) {
          return (
            <span key={m.userId} className="member-slot">
              <span className="member">{m.username}</span>
              {remove(m)}
            </span>
          );
        }
        const state = c.changed ? "changed" : c.ledgerIdentityPublicKey !== null ? "ledger-mismatch" : c.verified ? "verified" : "unverified";
        return (
          <span key={m.userId} className="member-slot">
            <button
              type="button"
              className={`member ${state}`}
              onClick={() => onOpen(m.userId)}
              data-testid="member"
              data-username={m.username}
              data-trust={state}
              data-ledger={problem ? "flagged" : "ok"}
              title={problem ? `${problem}, ${LEDGER_SOURCE}` : "Show safety number"}
            >
              {m.username}
              {state === "verified" && " ✓"}
              {state === "changed" && " ⚠ key changed"}
              {problem && <span className="error small"> ⚠ {problem}</span>}
            </button>
            {remove(m)}
          </span>
        );
      })}
    </p>
  );
}
