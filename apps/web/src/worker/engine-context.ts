/**
 * The state the crypto engine's parts share (engine.ts composes them): the unlocked
 * keys and stores, a sign-up / log-in / restore in progress, and per room the
 * verified directory, the membership chain, the transcript head and the transcript checker. Held in the
 * worker's memory only.
 */
import type { MembershipState } from "@cairn/audit";
import { EngineError, type AccountInfo } from "./api";
import type { BackupContents } from "./backup";
import { ContactBook } from "./contacts";
import type { RoomMembers, TrustedDevice } from "./directory";
import type { Keys } from "./keyring";
import type { LocalBackup } from "./local-backup";
import { SessionStore } from "./session-store";
import type { KeyValueStore } from "./store";
import type { Transcript } from "./transcript";

export interface Pending {
  username: string;
  keystoreKey: Uint8Array;
  identity?: Keys["identity"];
  device?: Keys["device"];
  recoveryKey?: Uint8Array;
  /** Log-in on a browser without keys: the account to restore. */
  account?: AccountInfo;
  restored?: { contents: BackupContents; version: number };
}

export interface Unlocked {
  keys: Keys;
  keystoreKey: Uint8Array;
  sessions: SessionStore;
  backup: LocalBackup;
  contacts: ContactBook;
}

/**
 * A room's transcript head: the newest stored envelope this client saw, and this
 * device's own sent envelopes not yet seen back, oldest first. The next message names
 * the last of those (a device never names one predecessor twice), else the newest
 * seen. A send that fails is dropped from the list, so no message names an envelope
 * that was never stored.
 */
export interface RoomHead {
  seen: { seq: number; hash: Uint8Array } | null;
  pending: Uint8Array[];
}

export class EngineContext {
  state: Unlocked | null = null;
  pending: Pending | null = null;
  readonly rooms = new Map<string, RoomMembers>();
  readonly devices = new Map<string, TrustedDevice>();
  readonly heads = new Map<string, RoomHead>();
  readonly transcripts = new Map<string, Transcript>();
  /** Per room, the membership chain as last verified: the head new events name, and a later chain must hold. */
  readonly membership = new Map<string, MembershipState>();
  /** Bumped on every backup change, so an upload sealed before a change keeps the backup dirty. */
  generation = 0;

  constructor(readonly store: KeyValueStore) {}

  unlocked(): Unlocked {
    if (!this.state) throw new EngineError("LOCKED", "Log in to unlock your keys.");
    return this.state;
  }

  unlockWith(keys: Keys, keystoreKey: Uint8Array, backup: LocalBackup): Unlocked {
    this.clearRooms();
    this.state = {
      keys,
      keystoreKey,
      backup,
      sessions: new SessionStore(this.store, keys.userId, keystoreKey),
      contacts: new ContactBook(backup.contents.contacts),
    };
    return this.state;
  }

  clearRooms(): void {
    this.rooms.clear();
    this.devices.clear();
    this.heads.clear();
    this.transcripts.clear();
    this.membership.clear();
  }
}
