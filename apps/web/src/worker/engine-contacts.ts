/**
 * The engine's directory and contacts: verifies a room's member keys against the
 * pinned identity keys (contacts.ts, directory.ts), computes safety numbers, and
 * records accepting a changed key or verifying a contact (both part of the backup).
 */
import { safetyNumber, safetyNumberGroups } from "@cairn/crypto";
import { fromBase64Url, toBase64Url, type UserKeys } from "@cairn/protocol";
import type { SafetyNumberView } from "./api";
import type { ContactStatus } from "./contacts";
import { verifyMembers } from "./directory";
import { changed, saveBackup } from "./engine-backup";
import type { EngineContext } from "./engine-context";

export class EngineContacts {
  constructor(private readonly ctx: EngineContext) {}

  async setRoomMembers(
    roomId: string,
    users: UserKeys[],
  ): Promise<{ trusted: number; rejected: string[]; contacts: ContactStatus[] }> {
    const { ctx } = this;
    const s = ctx.unlocked();
    const self = { userId: s.keys.userId, identityPublicKey: toBase64Url(s.keys.identity.publicKey) };
    const { pinned, newPins } = s.contacts.observe(users, self);
    const { members, rejected } = verifyMembers(pinned);
    ctx.rooms.set(roomId, members);
    for (const d of members.devices) ctx.devices.set(d.deviceId, d);
    if (newPins) {
      changed(ctx, s);
      await saveBackup(ctx, s);
    }
    const contacts = users.filter((u) => u.userId !== self.userId).map((u) => s.contacts.status(u.userId));
    return { trusted: members.devices.length, rejected, contacts };
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

  async setContactVerified(userId: string, identityPublicKey: string, verified: boolean): Promise<ContactStatus> {
    const s = this.ctx.unlocked();
    if (s.contacts.setVerified(userId, identityPublicKey, verified)) {
      changed(this.ctx, s);
      await saveBackup(this.ctx, s);
    }
    return s.contacts.status(userId);
  }
}
