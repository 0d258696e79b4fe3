/**
 * The crypto worker's RPC surface, shared by the worker (which implements it) and the
 * main thread (which calls it through lib/crypto-client.ts). Private keys never cross
 * this boundary: only public keys, wire envelopes, shares and plaintext do.
 */
import type {
  DeliveredShare,
  DeviceRegistration,
  MembershipKind,
  RoomEventView,
  SignupBody,
  StoredMessage,
  UserKeys,
  WireEnvelope,
  WireMembershipEvent,
  WireSessionShare,
} from "@cairn/protocol";
import type { ContactStatus } from "./contacts";
import type { MembershipLine, MembershipView } from "./membership";
import type { Fork } from "./transcript";

export type { ContactStatus, Fork, MembershipLine, MembershipView };

/** What the worker made of a room's member list (engine-contacts.ts). */
export interface RoomMembersVerdict {
  /** Devices this client will share sessions with. */
  trusted: number;
  /** Devices whose certificate did not verify. */
  rejected: string[];
  contacts: ContactStatus[];
  membership: MembershipView;
}

/** The identity key the ledger holds for a user, as the relay read it. */
export interface LedgerIdentity {
  userId: string;
  identityPublicKey: string | null;
}

/** Error codes the engine throws (as EngineError) besides crypto failures. */
export type EngineErrorCode =
  | "LOCKED"
  | "NO_LOCAL_KEYS"
  | "KEYSTORE_MISMATCH"
  | "ROOM_KEYS_MISSING"
  | "NO_PENDING_ACCOUNT"
  | "BAD_INPUT"
  | "KEY_CHANGED"
  | "LEDGER_MISMATCH"
  | "BAD_RECOVERY_KEY"
  | "NO_BACKUP"
  | "BACKUP_MISMATCH"
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

export type DecryptResult = (
  | { kind: "text"; body: string }
  /** No session share for this envelope yet: retry after shares arrive. */
  | { kind: "waiting" }
  /** The sending device is not in the verified directory: refresh the room's keys. */
  | { kind: "unknown-device" }
  | { kind: "failed"; reason: string }
) & {
  /** Transcript forks this envelope revealed (transcript.ts). */
  forks?: Fork[];
};

/**
 * One message's disclosure for an export bundle (docs/bundle-format.md, "message"):
 * its message key mk_i and its plaintext bytes, both base64url.
 */
export type DiscloseResult =
  | { kind: "disclosed"; messageKey: string; body: string }
  /** This device holds no state of the envelope's session (or none that reaches its index). */
  | { kind: "waiting" }
  /** The sending device is not in the verified directory: load the room's keys first. */
  | { kind: "unknown-device" }
  | { kind: "failed"; reason: string };

/** A sealed backup as the server stores it. */
export interface SealedBackup {
  ciphertext: string;
  version: number;
}

export interface BackupUpload extends SealedBackup {
  /** Pass back to backupUploaded: changes made after sealing keep the backup dirty. */
  generation: number;
}

export interface BackupStatus {
  /** Whether this account has a recovery key on this device. */
  enabled: boolean;
  /** Server version this device's backup state includes. */
  version: number;
  /** Changes not uploaded yet. */
  dirty: boolean;
}

export interface SafetyNumberView {
  userId: string;
  username: string;
  /** 60 digits. */
  digits: string;
  /** 12 groups of 5. */
  groups: string[];
  /** The contact identity key the number is computed from (the new one when changed). */
  identityPublicKey: string;
  status: ContactStatus;
}

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

/** Shortest passphrase sign-up and a passphrase change accept. */
export const MIN_PASSPHRASE_CHARS = 8;

/** POST /api/auth/passphrase's secrets (the caller adds endOtherSessions). */
export interface PassphraseChange {
  currentAuthSecret: string;
  newSalt: string;
  newAuthSecret: string;
}

export interface CryptoApi {
  prepareSignup(username: string, passphrase: string): Promise<SignupBody>;
  completeSignup(account: AccountInfo): Promise<{ deviceId: string }>;
  prepareLogin(passphrase: string, salt: string): Promise<{ authSecret: string }>;
  completeLogin(account: AccountInfo): Promise<{ deviceId: string }>;
  resume(userId: string): Promise<{ deviceId: string } | null>;
  lock(): Promise<void>;
  /** Words of the recovery key prepareSignup generated (shown once, before sign-up completes). */
  pendingRecoveryWords(): Promise<string>;
  /** After completeLogin threw NO_LOCAL_KEYS: opens the backup and certifies a new device key. */
  prepareRestore(words: string, backup: SealedBackup): Promise<DeviceRegistration>;
  /** After the server registered the new device: stores keys and sessions, unlocks. */
  completeRestore(): Promise<{ deviceId: string }>;
  backupStatus(): Promise<BackupStatus>;
  /** The sealed backup to PUT (version = synced + 1), or null when nothing changed. */
  backupToUpload(): Promise<BackupUpload | null>;
  backupUploaded(version: number, generation: number): Promise<void>;
  /** The PUT hit CONFLICT: merge another device's upload (and read its sessions too). */
  backupConflict(remote: SealedBackup): Promise<void>;
  signRevocation(deviceId: string): Promise<{ revokedAtMs: number; signature: string }>;
  /**
   * Passphrase change, step 1: derives the current secrets (with the account's `salt`)
   * and the new ones (with a new random salt), and records the intent that lets the new
   * passphrase open this browser's keys if the tab dies after the server switched.
   */
  preparePassphraseChange(current: string, next: string, salt: string): Promise<PassphraseChange>;
  /**
   * Step 2, once the server answered: accepted re-wraps every local key under the new
   * passphrase (one transaction); refused forgets the change. Do not call it when the
   * answer is unknown (network error): the next log-in settles it.
   */
  finishPassphraseChange(accepted: boolean): Promise<void>;
  /** Judges the listed members against the room's membership chain (only vouched members get keys). */
  setRoomMembers(roomId: string, users: UserKeys[], events: RoomEventView[]): Promise<RoomMembersVerdict>;
  /**
   * Signs a membership event naming the head of the room's chain as last verified
   * (create: a new chain for `roomId`); `targets` are the people named besides oneself.
   */
  signMembership(roomId: string, kind: MembershipKind, targets: UserKeys[]): Promise<WireMembershipEvent>;
  safetyNumber(userId: string): Promise<SafetyNumberView>;
  acceptIdentityKey(userId: string, identityPublicKey: string): Promise<ContactStatus>;
  setContactVerified(userId: string, identityPublicKey: string, verified: boolean): Promise<ContactStatus>;
  /**
   * The identity keys the ledger holds for contacts (null: no record or unreadable); a
   * pinned key the ledger contradicts blocks sending (LEDGER_MISMATCH). Returns the
   * statuses of the contacts named.
   */
  noteLedgerIdentities(records: LedgerIdentity[]): Promise<ContactStatus[]>;
  /** Keeps the pinned key although the ledger holds `ledgerIdentityPublicKey` (unblocks, saved in the backup). */
  keepKeyAgainstLedger(userId: string, ledgerIdentityPublicKey: string): Promise<ContactStatus>;
  encrypt(roomId: string, text: string): Promise<EncryptResult>;
  sharesFailed(roomId: string): Promise<void>;
  /** The relay refused the last message (it was not stored). */
  messageFailed(roomId: string, envelope: WireEnvelope): Promise<void>;
  decrypt(message: StoredMessage): Promise<DecryptResult>;
  openShares(delivered: DeliveredShare[], dropUnknown: boolean): Promise<OpenSharesResult>;
  /** mk_i and plaintext of one envelope, for adding plaintext to an export bundle. */
  discloseMessage(envelope: WireEnvelope): Promise<DiscloseResult>;
  /** Ed25519 checks of public data (witness cosignatures), in the worker where libsodium runs; results in job order. */
  verifySignatures(jobs: { publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array }[]): Promise<boolean[]>;
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
  "pendingRecoveryWords",
  "prepareRestore",
  "completeRestore",
  "backupStatus",
  "backupToUpload",
  "backupUploaded",
  "backupConflict",
  "signRevocation",
  "preparePassphraseChange",
  "finishPassphraseChange",
  "setRoomMembers",
  "signMembership",
  "safetyNumber",
  "acceptIdentityKey",
  "setContactVerified",
  "noteLedgerIdentities",
  "keepKeyAgainstLedger",
  "encrypt",
  "sharesFailed",
  "messageFailed",
  "decrypt",
  "openShares",
  "discloseMessage",
  "verifySignatures",
] as const satisfies readonly CryptoMethod[];

export interface RpcRequest {
  id: number;
  method: CryptoMethod;
  args: unknown[];
}

export type RpcResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { name: string; code: string; message: string } };
