/**
 * Contacts' identity keys, pinned on first sight (trust on first use) and optionally
 * verified by comparing safety numbers. When the server later serves another identity
 * key for a contact, the pin stays: the contact's devices are checked against the
 * pinned key (so devices certified only by the new key are not trusted) and sending in
 * rooms with them is blocked until the user accepts the new key (docs/protocol.md safety
 * numbers). Accepting clears "verified": the new key has not been compared yet.
 */
import type { UserKeys } from "@cairn/protocol";
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
}

export class ContactBook {
  private readonly pending = new Map<string, string>();
  private readonly names = new Map<string, string>();

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
    };
  }

  /** The first of `userIds` whose key changed and was not accepted. */
  blocking(userIds: Iterable<string>): ContactStatus | undefined {
    for (const id of userIds) if (this.pending.has(id)) return this.status(id);
    return undefined;
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
}
