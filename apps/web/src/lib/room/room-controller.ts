/**
 * One open room, outside React: loads the room, its members' keys (checked by the
 * crypto worker, then against the ledger) and its history; decrypts live messages,
 * retries those waiting for a session share when shares arrive, marks lines anchored
 * as checkpoints come, refetches after a reconnect, and sends; follows members leaving
 * or being removed, this user included (issue 9). Member keys are kept current from
 * events (members added, keys changed) and refreshed on reconnect, never per message
 * (issue 13). The UI subscribes to its snapshots
 * and only renders them (useRoom). A little over 300 lines: one room's whole state.
 */
import type {
  KeysChangedEvent,
  MembersAddedEvent,
  MembershipRemovalReason,
  MembersRemovedEvent,
  RoomEventView,
  RoomView,
  SendMessageAck,
  StoredMessage,
  UserKeys,
  WireMembershipEvent,
} from "@cairn/protocol";
import type { LedgerCheck } from "../ledger";
import type { ContactStatus, CryptoApi, Fork, MembershipView } from "../../worker/api";
import type { Line } from "./line";
import { withMembershipEvent } from "./membership";

/** What the controller needs from the web API, the crypto worker, the relay and the ledger view. */
export interface RoomDeps {
  self: { id: string; username: string };
  api: {
    room(roomId: string): Promise<{ room: RoomView }>;
    roomKeys(roomId: string): Promise<{ users: UserKeys[]; events: RoomEventView[] }>;
    messages(roomId: string, beforeSeq?: number): Promise<{ messages: StoredMessage[] }>;
    userKeys(username: string): Promise<{ user: UserKeys }>;
    addMember(roomId: string, username: string, event: WireMembershipEvent): Promise<{ room: RoomView }>;
    removeMember(roomId: string, userId: string, event: WireMembershipEvent): Promise<{ room: RoomView }>;
    leaveRoom(roomId: string, event: WireMembershipEvent): Promise<{ ok: true }>;
  };
  crypto: Pick<CryptoApi, "setRoomMembers" | "signMembership" | "decrypt" | "noteLedgerIdentities">;
  relay: {
    readonly connected: boolean;
    subscribe(roomId: string): void;
    send(roomId: string, text: string): Promise<SendMessageAck>;
    onMessage(l: (m: StoredMessage) => void): () => void;
    onSharesOpened(l: (count: number) => void): () => void;
    onCheckpoint(l: (cp: { treeSize: number }) => void): () => void;
    onStatus(l: (up: boolean) => void): () => void;
    /** Members left or were removed (`room:members-removed`); without it, removal shows at the next refused request. */
    onMembersRemoved?(l: (e: MembersRemovedEvent) => void): () => void;
    /** Users were added (`room:members-added`); without it, they get the session after a reconnect or reload. */
    onMembersAdded?(l: (e: MembersAddedEvent) => void): () => void;
    /** Members registered or revoked a device (`room:keys-changed`). */
    onKeysChanged?(l: (e: KeysChangedEvent) => void): () => void;
  };
  /** The chain's verdict on the keys the server serves for one user. */
  checkLedger(user: UserKeys): Promise<LedgerCheck>;
  /** Checks anchored messages' inclusion proofs itself (audit-checker.ts); without it lines stay "anchored". */
  audit?: {
    verify(
      items: readonly { leafIndex: number; leafHash: Uint8Array }[],
      treeSize: number,
    ): Promise<{ verdicts: Map<number, "verified" | "failed">; treeSize: number; witnessed: { count: number; of: number } | null }>;
    leafHash(message: StoredMessage): Uint8Array;
  };
}

export interface RoomSnapshot {
  room: RoomView | null;
  /** Why the room cannot be shown (not found, not a member, unreachable). */
  error: string | null;
  /** History loaded and keys checked: the composer may send. */
  ready: boolean;
  /** Stored messages in room order, then the ones being sent. */
  lines: Line[];
  contacts: ContactStatus[];
  /** The ledger's verdict per member user id. */
  ledger: Record<string, LedgerCheck>;
  forks: Fork[];
  /** Older history exists on the server. */
  hasEarlier: boolean;
  /**
   * This user is no longer a member: they left, a room admin removed them, or an admin
   * deactivated their account. The lines already shown stay; nothing new arrives or is sent.
   */
  removed: MembershipRemovalReason | null;
  /** The member list as this client verified it against the room's signed membership chain. */
  membership: MembershipView | null;
}

/** Ledger reads in flight at once while every member's keys are compared with the chain. */
const LEDGER_PARALLEL = 6;

export class RoomController {
  private snapshot: RoomSnapshot = { room: null, error: null, ready: false, lines: [], contacts: [], ledger: {}, forks: [], hasEarlier: false, removed: null, membership: null };
  private readonly listeners = new Set<() => void>();
  private readonly lines = new Map<number, Line>();
  private pending: Line[] = [];
  private readonly stored = new Map<number, StoredMessage>();
  /** Room sequence numbers of messages whose session share has not arrived yet. */
  private readonly waiting = new Set<number>();
  private checkpoint = 0;
  private oldestSeq: number | null = null;
  private users: UserKeys[] = [];
  private closed = false;
  /** The key refresh in flight, if any: a send waits for it. */
  private refreshing: Promise<void> | null = null;
  private auditTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    readonly roomId: string,
    private readonly deps: RoomDeps,
  ) {}

  /** For useSyncExternalStore. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  readonly getSnapshot = (): RoomSnapshot => this.snapshot;

  /** Loads the room and starts following the relay; resolves once the room is shown (or failed). */
  async open(): Promise<void> {
    const { relay } = this.deps;
    this.unsubscribe.push(
      relay.onMessage((msg) => {
        if (msg.roomId === this.roomId) void this.show(msg);
      }),
      relay.onSharesOpened(() => {
        for (const seq of [...this.waiting]) {
          const msg = this.stored.get(seq);
          if (msg) void this.show(msg);
        }
      }),
      relay.onCheckpoint((cp) => this.markAnchored(cp.treeSize)),
    );
    if (relay.onMembersRemoved) {
      this.unsubscribe.push(
        relay.onMembersRemoved((e) => {
          if (e.roomId === this.roomId) void this.membersRemoved(e);
        }),
      );
    }
    if (relay.onMembersAdded) {
      this.unsubscribe.push(
        relay.onMembersAdded((e) => {
          if (e.roomId === this.roomId) void this.membersAdded();
        }),
      );
    }
    if (relay.onKeysChanged) {
      this.unsubscribe.push(
        relay.onKeysChanged((e) => {
          if (e.roomId === this.roomId && !this.closed && !this.snapshot.removed) {
            void this.refreshKeys().catch((err: unknown) => this.refusedAsNonMember(err));
          }
        }),
      );
    }
    let wasConnected = relay.connected;
    this.unsubscribe.push(
      relay.onStatus((up) => {
        // After a reconnect, fetch what fan-out may have missed (and fresher audit status),
        // and the member keys: events sent while away were lost.
        if (up && !wasConnected && !this.snapshot.removed) {
          void this.refreshKeys().catch((err: unknown) => this.refusedAsNonMember(err));
          void this.loadHistory().catch((err: unknown) => this.refusedAsNonMember(err));
        }
        wasConnected = up;
      }),
    );
    try {
      const { room } = await this.deps.api.room(this.roomId);
      if (this.closed) return;
      this.update({ room });
      relay.subscribe(this.roomId);
      await this.refreshKeys();
      await this.loadHistory();
      if (!this.closed) this.update({ ready: true });
    } catch (err) {
      if (this.closed) return;
      const code = (err as { code?: unknown }).code;
      const gone = code === "ROOM_NOT_FOUND" || code === "VALIDATION_FAILED";
      this.update({ error: gone ? "No such room, or you are not a member of it." : err instanceof Error ? err.message : String(err) });
    }
  }

  close(): void {
    this.closed = true;
    if (this.auditTimer !== null) clearTimeout(this.auditTimer);
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /**
   * Fetches member keys, has the crypto worker judge them, and checks changed ones
   * against the ledger. A call while one is in flight starts another after it (the
   * event that asked may postdate the first request); sends wait for the latest.
   */
  refreshKeys(): Promise<void> {
    const previous = this.refreshing ?? Promise.resolve();
    const run: Promise<void> = previous
      .catch(() => undefined)
      .then(() => this.fetchKeys())
      .finally(() => {
        if (this.refreshing === run) this.refreshing = null;
      });
    this.refreshing = run;
    return run;
  }

  private async fetchKeys(): Promise<void> {
    const { users, events } = await this.deps.api.roomKeys(this.roomId);
    const verdict = await this.deps.crypto.setRoomMembers(this.roomId, users, events);
    this.update({ contacts: verdict.contacts, membership: verdict.membership });
    if (JSON.stringify(users) === JSON.stringify(this.users)) return;
    this.users = users;
    // Best effort: an unreadable ledger blocks nothing and is shown as "ledger unreachable".
    void this.checkLedger(users).catch(() => undefined);
  }

  async loadEarlier(): Promise<void> {
    const oldest = Math.min(...this.stored.keys());
    if (!Number.isFinite(oldest) || oldest <= 1) return;
    const { messages } = await this.deps.api.messages(this.roomId, oldest);
    for (const msg of messages) await this.show(msg);
    this.setOldest(Math.min(oldest, ...messages.map((m) => m.roomSeq)));
  }

  /**
   * Encrypts and sends; the line shows "sending…" until the relay acks, "not sent"
   * (with the reason) when it refuses. Never throws.
   */
  async send(text: string): Promise<void> {
    const line: Line = {
      key: `p${Date.now()}-${Math.random()}`,
      roomSeq: null,
      leafIndex: null,
      sender: this.deps.self.username,
      mine: true,
      time: new Date().toISOString(),
      anchoredTreeSize: null,
      state: "sending",
      text,
    };
    this.pending = [...this.pending, line];
    this.publish();
    try {
      // No request per send: keys follow events. A refresh already under way (a member
      // or device just added) finishes first, so this message is shared with them.
      if (this.refreshing) await this.refreshing;
      const ack = await this.deps.relay.send(this.roomId, text);
      if (!this.lines.has(ack.roomSeq)) {
        this.lines.set(ack.roomSeq, {
          ...line,
          key: `s${ack.roomSeq}`,
          roomSeq: ack.roomSeq,
          leafIndex: ack.leafIndex,
          time: ack.serverTime,
          state: "text",
          anchoredTreeSize: this.checkpoint > ack.leafIndex ? this.checkpoint : null,
        });
      }
      this.pending = this.pending.filter((p) => p.key !== line.key);
    } catch (err) {
      const note = err instanceof Error ? err.message : String(err);
      this.pending = this.pending.map((p) => (p.key === line.key ? { ...p, state: "send-failed", note } : p));
      await this.refusedAsNonMember(err);
    }
    this.publish();
  }

  /** Leaves the room: the screen then says so and offers no composer. @throws ApiError with the server's reason */
  async leave(): Promise<void> {
    try {
      await this.signed("leave", [], (event) => this.deps.api.leaveRoom(this.roomId, event));
    } catch (err) {
      // Already out (left from another tab): the outcome the user asked for.
      if ((err as { code?: unknown }).code !== "ROOM_NOT_FOUND") throw err;
    }
    this.update({ removed: "left", ready: false });
  }

  /**
   * Removes a member (the room's creator or an org admin may); the next message then
   * starts a new session that is not shared with them.
   * @throws ApiError with the server's reason (FORBIDDEN, NOT_FOUND)
   */
  async removeMember(userId: string): Promise<void> {
    const target = this.users.find((u) => u.userId === userId);
    if (!target) throw new Error("That user is not a member of this room.");
    const { room } = await this.signed("remove", [target], (event) => this.deps.api.removeMember(this.roomId, userId, event));
    this.update({ room });
    await this.refreshKeys();
  }

  /** A membership change signed over the verified chain head (re-signed once if it moved). */
  private signed<T>(kind: "add" | "remove" | "leave", targets: UserKeys[], send: (event: WireMembershipEvent) => Promise<T>): Promise<T> {
    return withMembershipEvent(this.deps.crypto, this.roomId, kind, targets, send, () => this.refreshKeys());
  }

  /** `room:members-removed` for this room: this user is out, or the member list (and keys) shrank. */
  private async membersRemoved(e: MembersRemovedEvent): Promise<void> {
    if (this.closed) return;
    if (e.userIds.includes(this.deps.self.id)) {
      this.update({ removed: e.reason, ready: false });
      return;
    }
    const room = this.snapshot.room;
    if (room) this.update({ room: { ...room, members: room.members.filter((m) => !e.userIds.includes(m.userId)) } });
    await this.refreshKeys().catch((err: unknown) => this.refusedAsNonMember(err));
  }

  /** `room:members-added` for this room: the member list and the keys grew. */
  private async membersAdded(): Promise<void> {
    if (this.closed || this.snapshot.removed) return;
    const keys = this.refreshKeys();
    try {
      const { room } = await this.deps.api.room(this.roomId);
      if (!this.closed) this.update({ room });
      await keys;
    } catch (err) {
      await keys.catch(() => undefined);
      await this.refusedAsNonMember(err);
    }
  }

  /**
   * A refusal that may mean this user is no longer a member (the removal event was
   * missed, e.g. while offline). NOT_A_MEMBER also names a stale recipient of shares,
   * so the server is asked: only "no such room" for this user counts as removed.
   */
  private async refusedAsNonMember(err: unknown): Promise<void> {
    const code = (err as { code?: unknown }).code;
    if (code !== "NOT_A_MEMBER" && code !== "ROOM_NOT_FOUND") return;
    if (this.closed || this.snapshot.removed || !this.snapshot.room) return;
    const gone = await this.deps.api.room(this.roomId).then(
      () => false,
      (e: unknown) => (e as { code?: unknown }).code === "ROOM_NOT_FOUND",
    );
    if (gone && !this.closed && !this.snapshot.removed) this.update({ removed: "removed", ready: false });
  }

  /** Adds a member by username. @throws ApiError with the server's reason */
  async addMember(username: string): Promise<void> {
    const name = username.trim().toLowerCase();
    const { user } = await this.deps.api.userKeys(name);
    const { room } = await this.signed("add", [user], (event) => this.deps.api.addMember(this.roomId, name, event));
    this.update({ room });
    await this.refreshKeys();
  }

  private async loadHistory(): Promise<void> {
    const { messages } = await this.deps.api.messages(this.roomId);
    for (const msg of messages) await this.show(msg);
    this.setOldest(Math.min(this.oldestSeq ?? Infinity, ...messages.map((m) => m.roomSeq)));
  }

  private async show(msg: StoredMessage, retried = false): Promise<void> {
    this.stored.set(msg.roomSeq, msg);
    let result = await this.deps.crypto.decrypt(msg);
    if (result.kind === "unknown-device" && !retried) {
      await this.refreshKeys();
      result = await this.deps.crypto.decrypt(msg);
    }
    if (this.closed) return;
    const forks = result.forks;
    if (forks && forks.length > 0) this.update({ forks: [...this.snapshot.forks, ...forks] });
    if (result.kind === "waiting") this.waiting.add(msg.roomSeq);
    else this.waiting.delete(msg.roomSeq);
    const old = this.lines.get(msg.roomSeq);
    this.lines.set(msg.roomSeq, {
      key: `s${msg.roomSeq}`,
      roomSeq: msg.roomSeq,
      leafIndex: msg.leafIndex,
      sender: msg.senderUsername,
      mine: msg.senderUserId === this.deps.self.id,
      time: msg.serverTime,
      anchoredTreeSize: old?.anchoredTreeSize ?? msg.anchoredTreeSize ?? (this.checkpoint > msg.leafIndex ? this.checkpoint : null),
      ...(old?.audit ? { audit: old.audit } : {}),
      ...(result.kind === "text"
        ? { state: "text", text: result.body }
        : result.kind === "waiting"
          ? { state: "waiting", text: null }
          : { state: "failed", text: null, note: result.kind === "failed" ? result.reason : "unknown sending device" }),
    });
    this.pending = this.pending.filter((p) => p.roomSeq !== msg.roomSeq);
    this.publish();
    this.scheduleAudit();
  }

  /** Checks, soon and in one batch, the proofs of anchored lines this browser has not checked yet. */
  private scheduleAudit(): void {
    if (!this.deps.audit || this.auditTimer !== null) return;
    this.auditTimer = setTimeout(() => {
      this.auditTimer = null;
      void this.runAudit().catch(() => undefined);
    }, 50);
  }

  private async runAudit(): Promise<void> {
    const audit = this.deps.audit;
    if (!audit || this.closed) return;
    // Unchecked lines, and verified ones whose checkpoint lacked cosignatures when a newer checkpoint exists.
    const uncosigned = (l: Line) => l.audit?.verdict === "verified" && l.audit.witnessed !== null && l.audit.witnessed.count < l.audit.witnessed.of && l.audit.treeSize < this.checkpoint;
    const todo = [...this.lines.values()].filter((l) => (l.audit === undefined || uncosigned(l)) && l.anchoredTreeSize !== null && l.roomSeq !== null && l.leafIndex !== null);
    if (todo.length === 0) return;
    const treeSize = Math.max(this.checkpoint, ...todo.map((l) => l.anchoredTreeSize as number));
    const items = todo.flatMap((l) => {
      const msg = this.stored.get(l.roomSeq as number);
      return msg ? [{ leafIndex: msg.leafIndex, leafHash: audit.leafHash(msg) }] : [];
    });
    const checked = await audit.verify(items, treeSize);
    if (this.closed || checked.verdicts.size === 0) return;
    for (const [seq, line] of this.lines) {
      const verdict = line.leafIndex === null ? undefined : checked.verdicts.get(line.leafIndex);
      if (verdict) this.lines.set(seq, { ...line, audit: { verdict, treeSize: checked.treeSize, witnessed: checked.witnessed } });
    }
    this.publish();
  }

  private markAnchored(treeSize: number): void {
    this.checkpoint = Math.max(this.checkpoint, treeSize);
    let changed = false;
    for (const [seq, line] of this.lines) {
      if (line.anchoredTreeSize === null && line.leafIndex !== null && line.leafIndex < treeSize) {
        this.lines.set(seq, { ...line, anchoredTreeSize: treeSize });
        changed = true;
      }
    }
    if (changed) this.publish();
    this.scheduleAudit();
  }

  /**
   * Compares every member's served keys with the chain, then tells the worker what the
   * chain holds: a pinned key the ledger contradicts blocks sending in every room.
   */
  private async checkLedger(users: UserKeys[]): Promise<void> {
    const out: Record<string, LedgerCheck> = {};
    let next = 0;
    const worker = async () => {
      while (next < users.length && !this.closed) {
        const u = users[next++] as UserKeys;
        out[u.userId] = await this.deps.checkLedger(u);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LEDGER_PARALLEL, users.length) }, worker));
    if (this.closed || users !== this.users) return;
    const records = Object.entries(out).map(([userId, c]) => ({ userId, identityPublicKey: c.identityOnChain }));
    const statuses = new Map((await this.deps.crypto.noteLedgerIdentities(records)).map((c) => [c.userId, c]));
    if (this.closed || users !== this.users) return;
    this.update({ ledger: out, contacts: this.snapshot.contacts.map((c) => statuses.get(c.userId) ?? c) });
  }

  private setOldest(seq: number): void {
    this.oldestSeq = Number.isFinite(seq) ? seq : null;
    this.update({ hasEarlier: this.oldestSeq !== null && this.oldestSeq > 1 });
  }

  private update(part: Partial<RoomSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...part };
    this.notify();
  }

  private publish(): void {
    const stored = [...this.lines.values()].sort((a, b) => (a.roomSeq ?? 0) - (b.roomSeq ?? 0));
    this.update({ lines: [...stored, ...this.pending] });
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}
