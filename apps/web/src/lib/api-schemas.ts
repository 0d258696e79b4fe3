/**
 * REST response shapes that @cairn/protocol does not define (yet). Request bodies
 * and shared views (RoomView, UserKeys, StoredMessage) come from the protocol.
 */
import { z } from "zod";
import { PublicKey, RoomView, StoredMessage, UserKeys, Uuid } from "@cairn/protocol";

/** The logged-in user, as /api/auth/me, /signup and /login return it. */
export const MeResponse = z.object({
  user: z.object({
    id: Uuid,
    username: z.string(),
    role: z.string(),
    identityPublicKey: PublicKey,
  }),
});
export type MeResponse = z.infer<typeof MeResponse>;

/** Browser configuration: where the relay listens. */
export const ConfigResponse = z.object({ relayUrl: z.string() });
export type ConfigResponse = z.infer<typeof ConfigResponse>;

export const RoomsResponse = z.object({ rooms: z.array(RoomView) });
export const RoomResponse = z.object({ room: RoomView });
export const MessagesResponse = z.object({ messages: z.array(StoredMessage) });
export const RoomKeysResponse = z.object({ users: z.array(UserKeys) });
export const UserKeysResponse = z.object({ user: UserKeys });

/** A bare acknowledgement (logout). */
export const OkResponse = z.object({ ok: z.literal(true) });
