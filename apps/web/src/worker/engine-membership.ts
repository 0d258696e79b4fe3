/**
 * The engine's membership events (docs/protocol.md "Membership"): signs create, add,
 * leave and remove with the identity key, naming the head of the room's chain this
 * client verified last (engine-contacts.ts keeps it), and the pinned identity keys of
 * the people it names — never a key the server just served in place of a pinned one.
 */
import { signMembershipEvent } from "@cairn/crypto";
import { fromBase64Url, MEMBERSHIP_GENESIS, toBase64Url, type MembershipKind, type UserKeys, type WireMembershipEvent } from "@cairn/protocol";
import { EngineError } from "./api";
import { blockedError } from "./contacts";
import { changed, saveBackup } from "./engine-backup";
import type { EngineContext } from "./engine-context";

export class EngineMembership {
  constructor(private readonly ctx: EngineContext) {}

  /**
   * @param targets the people the event names besides this user (create: the first
   *   members; add: who is added; remove: who is removed; leave: none)
   * @throws EngineError ROOM_KEYS_MISSING (the room's chain was not loaded), KEY_CHANGED
   *   (a target's key differs from the pinned one), LEDGER_MISMATCH (the ledger holds another key), BAD_INPUT
   */
  async sign(roomId: string, kind: MembershipKind, targets: UserKeys[]): Promise<WireMembershipEvent> {
    const { ctx } = this;
    const s = ctx.unlocked();
    const self = { userId: s.keys.userId, identityPublicKey: toBase64Url(s.keys.identity.publicKey) };
    const { pinned, newPins } = s.contacts.observe(targets, self);
    if (newPins) {
      changed(ctx, s);
      await saveBackup(ctx, s);
    }
    const blocked = s.contacts.blocking(targets.map((t) => t.userId));
    if (blocked) throw blockedError(blocked);
    const others = pinned.filter((u) => u.userId !== self.userId).map((u) => fromBase64Url(u.identityPublicKey));
    let head: { seq: number; hash: Uint8Array } | null;
    if (kind === "create") {
      head = null;
    } else {
      const state = ctx.membership.get(roomId);
      if (!state?.head) throw new EngineError("ROOM_KEYS_MISSING", "Load the room's members first.");
      head = state.head;
    }
    const named = kind === "create" ? [s.keys.identity.publicKey, ...others] : kind === "leave" ? [s.keys.identity.publicKey] : others;
    if (named.length === 0) throw new EngineError("BAD_INPUT", "A membership change names someone.");
    let event;
    try {
      event = signMembershipEvent(s.keys.identity, {
        roomId,
        seq: head ? head.seq + 1 : 0,
        kind,
        targets: named,
        prevHash: head?.hash ?? MEMBERSHIP_GENESIS,
        timeMs: Date.now(),
      });
    } catch (err) {
      throw new EngineError("BAD_INPUT", err instanceof Error ? err.message : String(err));
    }
    return { body: toBase64Url(event.body), signature: toBase64Url(event.signature) };
  }
}
