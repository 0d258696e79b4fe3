/**
 * Contacts' identity keys, pinned on first sight (trust on first use) and optionally
 * verified by comparing safety numbers. When the server later serves another identity
 * key for a contact, the pin stays: the contact's devices are checked against the
 * pinned key (so devices certified only by the new key are not trusted) and sending in
 * rooms with them is blocked until the user accepts the new key (docs/protocol.md safety
 * numbers). Accepting clears "verified": the new key has not been compared yet.
 *
 * The ledger's registry is a second witness: when the identity key it holds for a
 * contact differs from the pinned one, sending to rooms with them is blocked as well,
 * until the user either accepts the served key that matches the ledger or keeps the pin
 * against the ledger (recorded per ledger key, so a ledger that changes again blocks
 * again). A ledger with no record, or one that cannot be read, blocks nothing: new
 * registrations reach the chain after a delay.
 */
import type { UserKeys } from "@cairn/protocol";
import { EngineError } from "./api";
import type { BackupContact } from "./backup";

export interface ContactStatus {
  userId: string;
  username: string;
  /** The pinned identity key (base64url). */
  identityPublicKey: string;
  verified: boolean;
  /** The server now serves another identity key: sending is blocked until it is accepted. */
  changed: boolean;
  /** That other key, when changed. */
  newIdentityPublicKey: string | null;
  /** The ledger holds this other identity key for them, and the user has not kept the pin against it. */
  ledgerIdentityPublicKey: string | null;
}

/** Why sending to (or signing about) a blocked contact is refused. */
export function blockedError(status: ContactStatus): EngineError {
  return status.changed
    ? new EngineError("KEY_CHANGED", `${status.username}'s security key changed. Sending is blocked until you review and accept the new key.`)
    : new EngineError(
        "LEDGER_MISMATCH",
        `${status.username}'s security key differs from the one the ledger holds for them. Sending is blocked until you review it.`,
      );
}

export class ContactBook {
  private readonly pending = new Map<string, string>();
  private readonly names = new Map<string, string>();
  /** The identity key the ledger holds per contact, as last read. */
  private readonly ledgerKeys = new Map<string, string>();

  /** `pins` is the backup contents' contact record, edited in place. */
  constructor(private readonly pins: Record<string, BackupContact>) {}

  /**
   * Pins unknown contacts, notes changed keys, and returns the users with their pinned
   * identity key in place of the served one (the directory then checks device
   * certificates against the pin). `self` is the account's own id and key: a served
   * own key that differs is replaced by the real one, so its devices fail the check.
   */
  observe(users: UserKeys[], self: { userId: string; identityPublicKey: string }): { pinned: UserKeys[]; newPins: boolean } {
    let newPins = false;
    const pinned = users.map((u) => {
      if (u.userId === self.userId) return { ...u, identityPublicKey: self.identityPublicKey };
      this.names.set(u.userId, u.username);
      let pin = this.pins[u.userId];
      if (!pin) {
        pin = { identityPublicKey: u.identityPublicKey, verified: false };
        this.pins[u.userId] = pin;
        newPins = true;
      }
      if (pin.identityPublicKey === u.identityPublicKey) this.pending.delete(u.userId);
      else this.pending.set(u.userId, u.identityPublicKey);
      return { ...u, identityPublicKey: pin.identityPublicKey };
    });
    return { pinned, newPins };
  }

  /** Usernames by pinned identity key, for contacts seen in this session. */
  namesByKey(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [userId, pin] of Object.entries(this.pins)) {
      const name = this.names.get(userId);
      if (name !== undefined) out.set(pin.identityPublicKey, name);
    }
    return out;
  }

  /** @throws Error for a user never seen */
  status(userId: string): ContactStatus {
    const pin = this.pins[userId];
    if (!pin) throw new Error("unknown contact");
    const next = this.pending.get(userId) ?? null;
    return {
      userId,
      username: this.names.get(userId) ?? userId,
      identityPublicKey: pin.identityPublicKey,
      verified: pin.verified,
      changed: next !== null,
      newIdentityPublicKey: next,
      ledgerIdentityPublicKey: this.ledgerConflict(userId),
    };
  }

  /** The first of `userIds` whose key changed and was not accepted, or that the ledger contradicts. */
  blocking(userIds: Iterable<string>): ContactStatus | undefined {
    for (const id of userIds) if (this.pending.has(id) || this.ledgerConflict(id) !== null) return this.status(id);
    return undefined;
  }

  /** Whether `userId` was ever pinned (their status can be read). */
  known(userId: string): boolean {
    return this.pins[userId] !== undefined;
  }

  /** Records the identity key the ledger holds for a known contact (null: no record, or unreadable). */
  noteLedger(userId: string, identityPublicKey: string | null): void {
    if (!this.pins[userId]) return;
    if (identityPublicKey === null) this.ledgerKeys.delete(userId);
    else this.ledgerKeys.set(userId, identityPublicKey);
  }

  /** Keeps the pinned key although the ledger holds `ledgerKey`. Returns whether anything changed. */
  keepAgainstLedger(userId: string, ledgerKey: string): boolean {
    const pin = this.pins[userId];
    if (!pin || this.ledgerConflict(userId) !== ledgerKey) return false;
    pin.ledgerOverride = ledgerKey;
    return true;
  }

  /** Pins the key the server now serves for `userId` (unverified). Returns whether anything changed. */
  accept(userId: string, identityPublicKey: string): boolean {
    if (this.pending.get(userId) !== identityPublicKey) return false;
    this.pins[userId] = { identityPublicKey, verified: false };
    this.pending.delete(userId);
    return true;
  }

  /** Marks the pinned key (verified or not). Returns whether anything changed. */
  setVerified(userId: string, identityPublicKey: string, verified: boolean): boolean {
    const pin = this.pins[userId];
    if (!pin || pin.identityPublicKey !== identityPublicKey || pin.verified === verified) return false;
    pin.verified = verified;
    return true;
  }

  private ledgerConflict(userId: string): string | null {
    const pin = this.pins[userId];
    const onLedger = this.ledgerKeys.get(userId);
    if (!pin || onLedger === undefined || onLedger === pin.identityPublicKey || pin.ledgerOverride === onLedger) return null;
    return onLedger;
  }
}
