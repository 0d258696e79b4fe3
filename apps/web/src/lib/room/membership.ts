/**
 * Membership changes from this browser (docs/protocol.md "Membership"): each one is a
 * membership event the crypto worker signs over the room's chain head as it last
 * verified it. When the chain moved on meanwhile (MEMBERSHIP_STALE: someone else
 * changed the room), the caller re-reads the chain and the event is signed again, once.
 */
import type { MembershipKind, RoomView, UserKeys, WireMembershipEvent } from "@cairn/protocol";
import type { CryptoApi } from "../../worker/api";

/**
 * Signs a `kind` event naming `targets`, hands it to `send`; on MEMBERSHIP_STALE runs
 * `reload` (re-verify the chain) and tries once more.
 */
export async function withMembershipEvent<T>(
  crypto: Pick<CryptoApi, "signMembership">,
  roomId: string,
  kind: MembershipKind,
  targets: UserKeys[],
  send: (event: WireMembershipEvent) => Promise<T>,
  reload: () => Promise<void>,
): Promise<T> {
  try {
    return await send(await crypto.signMembership(roomId, kind, targets));
  } catch (err) {
    if ((err as { code?: unknown }).code !== "MEMBERSHIP_STALE") throw err;
    await reload();
    return send(await crypto.signMembership(roomId, kind, targets));
  }
}

/**
 * Creates a room: the browser picks its id, looks up each first member's keys and signs
 * the create event naming them (by their pinned keys) and itself.
 * @throws ApiError (USER_NOT_FOUND for an unknown username), EngineError KEY_CHANGED
 */
export async function createRoom(
  deps: {
    api: {
      userKeys(username: string): Promise<{ user: UserKeys }>;
      createRoom(body: { id: string; name: string; members: string[]; event: WireMembershipEvent }): Promise<{ room: RoomView }>;
    };
    crypto: Pick<CryptoApi, "signMembership">;
  },
  name: string,
  usernames: string[],
): Promise<RoomView> {
  const members = [...new Set(usernames)];
  const keys = await Promise.all(members.map(async (u) => (await deps.api.userKeys(u)).user));
  const id = crypto.randomUUID();
  const event = await deps.crypto.signMembership(id, "create", keys);
  return (await deps.api.createRoom({ id, name, members, event })).room;
}
