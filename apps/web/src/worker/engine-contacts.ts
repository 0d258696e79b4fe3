/**
 * The engine's directory and contacts: verifies a room's member keys against the
 * pinned identity keys (contacts.ts, directory.ts), computes safety numbers, and
 * records accepting a changed key or verifying a contact (both part of the backup).
 */
import { safetyNumber, safetyNumberGroups } from "@cairn/crypto";
import { fromBase64Url, toBase64Url, type RoomEventView, type UserKeys } from "@cairn/protocol";
import type { LedgerIdentity, RoomMembersVerdict, SafetyNumberView } from "./api";
import type { ContactStatus } from "./contacts";
import { verifyMembers } from "./directory";
import { changed, saveBackup } from "./engine-backup";
import type { EngineContext } from "./engine-context";
import { verifyMembership } from "./membership";

export class EngineContacts {
  constructor(private readonly ctx: EngineContext) {}

  /**
   * Judges the server's member list against the room's membership chain and the pins:
   * only members the chain vouches for (by their pinned key) enter the verified
   * directory, so only they get this device's sessions.
   */
  async setRoomMembers(roomId: string, users: UserKeys[], events: RoomEventView[]): Promise<RoomMembersVerdict> {
    const { ctx } = this;
    const s = ctx.unlocked();
    const self = { userId: s.keys.userId, identityPublicKey: toBase64Url(s.keys.identity.publicKey) };
    const { pinned, newPins } = s.contacts.observe(users, self);
    const seen = ctx.membership.get(roomId);
    const heads = (s.backup.contents.membershipHeads ??= {});
    const stored = heads[roomId];
    const pinnedHead = seen?.head ?? (stored ? { seq: stored.seq, hash: fromBase64Url(stored.hash) } : null);
    const verified = verifyMembership(roomId, pinned, events, pinnedHead, s.contacts.namesByKey());
    // A chain that broke keeps the last good head pinned: the next honest one must still hold it.
    if (!verified.view.problem || !seen) ctx.membership.set(roomId, verified.state);
    const { members, rejected } = verifyMembers(verified.members);
    ctx.rooms.set(roomId, members);
    for (const d of members.devices) ctx.devices.set(d.deviceId, d);
    // The head outlives the tab (in the key backup): a reload or another device holds the server to it.
    const head = verified.view.problem ? null : verified.state.head;
    const headMoved = head !== null && (stored === undefined || head.seq > stored.seq);
    if (headMoved) heads[roomId] = { seq: head.seq, hash: toBase64Url(head.hash) };
    if (newPins || headMoved) {
      changed(ctx, s);
      await saveBackup(ctx, s);
    }
    const contacts = users.filter((u) => u.userId !== self.userId).map((u) => s.contacts.status(u.userId));
    return { trusted: members.devices.length, rejected, contacts, membership: verified.view };
  }

  safetyNumber(userId: string): Promise<SafetyNumberView> {
    const s = this.ctx.unlocked();
    const status = s.contacts.status(userId);
    const theirs = status.newIdentityPublicKey ?? status.identityPublicKey;
    const digits = safetyNumber(s.keys.identity.publicKey, fromBase64Url(theirs));
    return Promise.resolve({
      userId,
      username: status.username,
      digits,
      groups: safetyNumberGroups(digits),
      identityPublicKey: theirs,
      status,
    });
  }

  async acceptIdentityKey(userId: string, identityPublicKey: string): Promise<ContactStatus> {
    const { ctx } = this;
    const s = ctx.unlocked();
    if (s.contacts.accept(userId, identityPublicKey)) {
      // Devices were verified against the old pin: the next setRoomMembers re-checks them.
      for (const [id, d] of ctx.devices) if (d.userId === userId) ctx.devices.delete(id);
      changed(ctx, s);
      await saveBackup(ctx, s);
    }
    return s.contacts.status(userId);
  }

  async noteLedgerIdentities(records: LedgerIdentity[]): Promise<ContactStatus[]> {
    const s = this.ctx.unlocked();
    const out: ContactStatus[] = [];
    for (const r of records) {
      if (!s.contacts.known(r.userId)) continue;
      s.contacts.noteLedger(r.userId, r.identityPublicKey);
      out.push(s.contacts.status(r.userId));
    }
    return Promise.resolve(out);
  }

  async keepKeyAgainstLedger(userId: string, ledgerIdentityPublicKey: string): Promise<ContactStatus> {
    const s = this.ctx.unlocked();
    if (s.contacts.keepAgainstLedger(userId, ledgerIdentityPublicKey)) {
      changed(this.ctx, s);
      await saveBackup(this.ctx, s);
    }
    return s.contacts.status(userId);
  }

  async setContactVerified(userId: string, identityPublicKey: string, verified: boolean): Promise<ContactStatus> {
    const s = this.ctx.unlocked();
    if (s.contacts.setVerified(userId, identityPublicKey, verified)) {
      changed(this.ctx, s);
      await saveBackup(this.ctx, s);
    }
    return s.contacts.status(userId);
  }
}
