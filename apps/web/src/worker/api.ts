/**
 * The crypto worker's RPC surface, shared by the worker (which implements it) and the
 * main thread (which calls it through lib/crypto-client.ts). Private keys never cross
 * this boundary: only public keys, wire envelopes, shares and plaintext do.
 */
import type { DeliveredShare, SignupBody, StoredMessage, UserKeys, WireEnvelope, WireSessionShare } from "@cairn/protocol";

/** Error codes the engine throws (as EngineError) besides crypto failures. */
export type EngineErrorCode =
  | "LOCKED"
  | "NO_LOCAL_KEYS"
  | "KEYSTORE_MISMATCH"
  | "ROOM_KEYS_MISSING"
  | "NO_PENDING_ACCOUNT"
  | "BAD_INPUT"
  | "INTERNAL";

export class EngineError extends Error {
  override readonly name = "EngineError";
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The account the server returned after sign-up or log-in. */
export interface AccountInfo {
  id: string;
  username: string;
  identityPublicKey: string;
}

export type DecryptResult =
  | { kind: "text"; body: string }
  /** No session share for this envelope yet: retry after shares arrive. */
  | { kind: "waiting" }
  /** The sending device is not in the verified directory: refresh the room's keys. */
  | { kind: "unknown-device" }
  | { kind: "failed"; reason: string };

export interface EncryptResult {
  clientMsgId: string;
  envelope: WireEnvelope;
  /** Session shares to send (before the envelope) to devices that lack this session. */
  shares: WireSessionShare[];
}

export interface OpenSharesResult {
  /** Share ids to acknowledge to the relay (opened, or rejected for good). */
  done: string[];
  /** Rooms whose member keys are needed to check the remaining shares. */
  needKeysFor: string[];
  /** How many new inbound sessions were stored. */
  opened: number;
}

export interface CryptoApi {
  prepareSignup(username: string, passphrase: string): Promise<SignupBody>;
  completeSignup(account: AccountInfo): Promise<{ deviceId: string }>;
  prepareLogin(passphrase: string, salt: string): Promise<{ authSecret: string }>;
  completeLogin(account: AccountInfo): Promise<{ deviceId: string }>;
  resume(userId: string): Promise<{ deviceId: string } | null>;
  lock(): Promise<void>;
  setRoomMembers(roomId: string, users: UserKeys[]): Promise<{ trusted: number; rejected: string[] }>;
  encrypt(roomId: string, text: string): Promise<EncryptResult>;
  sharesFailed(roomId: string): Promise<void>;
  decrypt(message: StoredMessage): Promise<DecryptResult>;
  openShares(delivered: DeliveredShare[], dropUnknown: boolean): Promise<OpenSharesResult>;
}

export type CryptoMethod = keyof CryptoApi;

/** Every method of {@link CryptoApi}: the worker dispatches these and nothing else. */
export const CRYPTO_METHODS = [
  "prepareSignup",
  "completeSignup",
  "prepareLogin",
  "completeLogin",
  "resume",
  "lock",
  "setRoomMembers",
  "encrypt",
  "sharesFailed",
  "decrypt",
  "openShares",
] as const satisfies readonly CryptoMethod[];

export interface RpcRequest {
  id: number;
  method: CryptoMethod;
  args: unknown[];
}

export type RpcResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { name: string; code: string; message: string } };
