/**
 * The browser's end-to-end encryption engine, run inside the crypto Web Worker:
 * holds the unwrapped keys in memory only, keeps one outbound sender-key session per
 * room and the inbound sessions other devices shared, keeps the key backup's contents
 * current, pins contacts' identity keys, checks each room's transcript, and persists
 * all of it wrapped under the keystore key.
 *
 * This class is the composition only: each concept lives in its own module over one
 * shared {@link EngineContext} — account (engine-account.ts), key backup
 * (engine-backup.ts), directory and contacts (engine-contacts.ts), sending
 * (engine-send.ts), receiving (engine-receive.ts), disclosure (engine-disclose.ts) and
 * membership events (engine-membership.ts).
 */
import { verifyEd25519 } from "@cairn/crypto";
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
} from "@cairn/protocol";
import type {
  AccountInfo,
  BackupStatus,
  BackupUpload,
  CryptoApi,
  DecryptResult,
  DiscloseResult,
  EncryptResult,
  LedgerIdentity,
  OpenSharesResult,
  PassphraseChange,
  RoomMembersVerdict,
  SafetyNumberView,
  SealedBackup,
} from "./api";
import type { ContactStatus } from "./contacts";
import { EngineAccount } from "./engine-account";
import { EngineBackup } from "./engine-backup";
import { EngineContacts } from "./engine-contacts";
import { EngineContext } from "./engine-context";
import { EngineDisclose } from "./engine-disclose";
import { EngineMembership } from "./engine-membership";
import { EngineReceive } from "./engine-receive";
import { EngineSend } from "./engine-send";
import type { KeyValueStore } from "./store";

export { MAX_MESSAGE_CHARS } from "./engine-send";

export class CryptoEngine implements CryptoApi {
  private readonly account: EngineAccount;
  private readonly backup: EngineBackup;
  private readonly contacts: EngineContacts;
  private readonly sending: EngineSend;
  private readonly receiving: EngineReceive;
  private readonly disclosure: EngineDisclose;
  private readonly membership: EngineMembership;

  constructor(store: KeyValueStore) {
    const ctx = new EngineContext(store);
    this.account = new EngineAccount(ctx);
    this.backup = new EngineBackup(ctx);
    this.contacts = new EngineContacts(ctx);
    this.sending = new EngineSend(ctx);
    this.receiving = new EngineReceive(ctx);
    this.disclosure = new EngineDisclose(ctx);
    this.membership = new EngineMembership(ctx);
  }

  // ---- account ------------------------------------------------------------

  prepareSignup(username: string, passphrase: string): Promise<SignupBody> {
    return this.account.prepareSignup(username, passphrase);
  }
  pendingRecoveryWords(): Promise<string> {
    return this.account.pendingRecoveryWords();
  }
  completeSignup(account: AccountInfo): Promise<{ deviceId: string }> {
    return this.account.completeSignup(account);
  }
  prepareLogin(passphrase: string, salt: string): Promise<{ authSecret: string }> {
    return this.account.prepareLogin(passphrase, salt);
  }
  completeLogin(account: AccountInfo): Promise<{ deviceId: string }> {
    return this.account.completeLogin(account);
  }
  prepareRestore(words: string, backup: SealedBackup): Promise<DeviceRegistration> {
    return this.account.prepareRestore(words, backup);
  }
  completeRestore(): Promise<{ deviceId: string }> {
    return this.account.completeRestore();
  }
  resume(userId: string): Promise<{ deviceId: string } | null> {
    return this.account.resume(userId);
  }
  lock(): Promise<void> {
    return this.account.lock();
  }
  signRevocation(deviceId: string): Promise<{ revokedAtMs: number; signature: string }> {
    return this.account.signRevocation(deviceId);
  }
  preparePassphraseChange(current: string, next: string, salt: string): Promise<PassphraseChange> {
    return this.account.preparePassphraseChange(current, next, salt);
  }
  finishPassphraseChange(accepted: boolean): Promise<void> {
    return this.account.finishPassphraseChange(accepted);
  }

  // ---- key backup ---------------------------------------------------------

  backupStatus(): Promise<BackupStatus> {
    return this.backup.backupStatus();
  }
  backupToUpload(): Promise<BackupUpload | null> {
    return this.backup.backupToUpload();
  }
  backupUploaded(version: number, generation: number): Promise<void> {
    return this.backup.backupUploaded(version, generation);
  }
  backupConflict(remote: SealedBackup): Promise<void> {
    return this.backup.backupConflict(remote);
  }

  // ---- directory and contacts ---------------------------------------------

  setRoomMembers(roomId: string, users: UserKeys[], events: RoomEventView[]): Promise<RoomMembersVerdict> {
    return this.contacts.setRoomMembers(roomId, users, events);
  }

  signMembership(roomId: string, kind: MembershipKind, targets: UserKeys[]): Promise<WireMembershipEvent> {
    return this.membership.sign(roomId, kind, targets);
  }

  safetyNumber(userId: string): Promise<SafetyNumberView> {
    return this.contacts.safetyNumber(userId);
  }
  acceptIdentityKey(userId: string, identityPublicKey: string): Promise<ContactStatus> {
    return this.contacts.acceptIdentityKey(userId, identityPublicKey);
  }
  noteLedgerIdentities(records: LedgerIdentity[]): Promise<ContactStatus[]> {
    return this.contacts.noteLedgerIdentities(records);
  }
  keepKeyAgainstLedger(userId: string, ledgerIdentityPublicKey: string): Promise<ContactStatus> {
    return this.contacts.keepKeyAgainstLedger(userId, ledgerIdentityPublicKey);
  }
  setContactVerified(userId: string, identityPublicKey: string, verified: boolean): Promise<ContactStatus> {
    return this.contacts.setContactVerified(userId, identityPublicKey, verified);
  }

  // ---- sending ------------------------------------------------------------

  encrypt(roomId: string, text: string): Promise<EncryptResult> {
    return this.sending.encrypt(roomId, text);
  }
  messageFailed(roomId: string, envelope: WireEnvelope): Promise<void> {
    return this.sending.messageFailed(roomId, envelope);
  }
  sharesFailed(roomId: string): Promise<void> {
    return this.sending.sharesFailed(roomId);
  }

  // ---- receiving ----------------------------------------------------------

  decrypt(message: StoredMessage): Promise<DecryptResult> {
    return this.receiving.decrypt(message);
  }
  openShares(delivered: DeliveredShare[], dropUnknown: boolean): Promise<OpenSharesResult> {
    return this.receiving.openShares(delivered, dropUnknown);
  }

  // ---- disclosure ---------------------------------------------------------

  discloseMessage(wire: WireEnvelope): Promise<DiscloseResult> {
    return this.disclosure.discloseMessage(wire);
  }

  verifySignatures(jobs: { publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array }[]): Promise<boolean[]> {
    return Promise.resolve(jobs.map((j) => verifyEd25519(j.publicKey, j.message, j.signature)));
  }
}
