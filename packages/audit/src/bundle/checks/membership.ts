/**
 * The room's signed membership chain (docs/protocol.md "Membership"): each `membership`
 * line replayed under the chain rules every client applies (@cairn/audit
 * membership-chain), its leaf hash recomputed and its inclusion proof checked, so the
 * chain's order against the messages is the audit log's, not the exporter's. Then each
 * message's sender must have been a member, by identity key, at the message's leaf.
 *
 * A bundle without membership lines (version 1, or a room older than signed
 * membership) is "not checked", which the report says; nothing is assumed.
 */
import { membershipLeafData, toBase64Url, type SignedMembershipEvent } from "@cairn/protocol";
import { applyMembershipEvent, emptyMembership, MembershipChainError, type MembershipState } from "../../membership-chain";
import type { BundleMembership } from "../format";
import { encodeHex } from "../hex";
import type { Checkpoints } from "./checkpoints";
import type { FindingAt, VerifyContext } from "./context";

export interface MembershipReport {
  /** `absent`: the bundle carries no membership chain, so senders were not checked against one. */
  status: "verified" | "absent" | "broken";
  /** Membership lines read. */
  events: number;
  /** Members at the chain's last valid event. */
  members: number;
  /** Messages logged after the chain broke, whose sender's membership could not be judged. */
  unchecked: number;
}

/** A member's spans in leaf order: member from leaf `from` (exclusive) until leaf `to` (exclusive), `to` null while still one. */
type Span = { from: number; to: number | null };

export class MembershipCheck {
  private state: MembershipState | null = null;
  private readonly spans = new Map<string, Span[]>();
  private events = 0;
  private lastLeaf = -1;
  /** The leaf of the first event that broke the chain: membership after it is unknown. */
  private brokenAt: number | null = null;
  private sawMessage = false;
  private unchecked = 0;

  constructor(
    private readonly ctx: VerifyContext,
    private readonly checkpoints: Checkpoints,
  ) {}

  add(line: BundleMembership, roomId: string, lineNo: number): void {
    const { report } = this.ctx.findings;
    const at: FindingAt = { line: lineNo, leafIndex: line.leafIndex };
    this.events += 1;
    if (this.sawMessage) report("reordered", "a membership event after the first message: the chain comes first", at);
    if (line.leafIndex <= this.lastLeaf) report("reordered", `membership leaf ${line.leafIndex} comes after leaf ${this.lastLeaf}`, at);
    this.lastLeaf = Math.max(this.lastLeaf, line.leafIndex);

    let event: SignedMembershipEvent;
    let leaf: Uint8Array;
    try {
      event = { body: this.ctx.b64(line.body), signature: this.ctx.b64(line.signature) };
      leaf = this.ctx.leafHash(membershipLeafData(event));
    } catch (err) {
      report("malformed-line", `membership event: ${(err as Error).message}`, at);
      this.breakAt(line.leafIndex);
      return;
    }
    if (encodeHex(leaf) !== line.leafHash) report("leaf-hash-mismatch", "the stated leaf hash is not the hash of this membership event", at);
    const timeMs = Date.parse(line.createdAt);
    const signatureOk = this.apply(event, line, roomId, at);
    this.checkpoints.proves({ what: "membership event", leafIndex: line.leafIndex, proof: line.proof, time: line.createdAt, timeMs }, leaf, signatureOk, at);
  }

  /**
   * Replays one event (reporting a broken rule); once the chain broke, later events are
   * only hashed and proved.
   * @returns false when its signature failed (the proof check then does not also call it inserted)
   */
  private apply(event: SignedMembershipEvent, line: BundleMembership, roomId: string, at: FindingAt): boolean {
    if (this.brokenAt !== null) return true;
    const { report } = this.ctx.findings;
    try {
      const verify = (key: Uint8Array, message: Uint8Array, signature: Uint8Array) => this.ctx.deps.verifyEd25519(key, message, signature);
      const next = applyMembershipEvent(this.state ?? emptyMembership(roomId), event, verify);
      if (next.event.seq !== line.seq) report("membership-invalid", `the line says seq ${line.seq}, the event ${next.event.seq}`, at);
      this.state = next.state;
      const targets = next.event.targets.map(toBase64Url);
      if (next.event.kind === "create" || next.event.kind === "add") {
        for (const t of targets) this.spans.set(t, [...(this.spans.get(t) ?? []), { from: line.leafIndex, to: null }]);
      } else {
        for (const t of targets) {
          const last = this.spans.get(t)?.at(-1);
          if (last) last.to = line.leafIndex;
        }
      }
      return true;
    } catch (err) {
      if (!(err instanceof MembershipChainError)) throw err;
      report("membership-invalid", `event ${line.seq}: ${err.message} (${err.code})`, at);
      this.breakAt(line.leafIndex);
      return err.code !== "BAD_SIGNATURE";
    }
  }

  private breakAt(leafIndex: number): void {
    this.brokenAt ??= leafIndex;
  }

  /**
   * Judges the sender of the message at `leafIndex`, by the identity key of their
   * keys line (null when the bundle has none: reported there as an unknown sender).
   */
  checkSender(identityKey: string | null, userId: string, leafIndex: number, at: FindingAt): void {
    this.sawMessage = true;
    if (this.events === 0 || identityKey === null) return;
    if (this.brokenAt !== null && leafIndex > this.brokenAt) {
      this.unchecked += 1;
      return;
    }
    let key: string;
    try {
      key = toBase64Url(this.ctx.b64(identityKey));
    } catch {
      return;
    }
    const member = (this.spans.get(key) ?? []).some((s) => s.from < leafIndex && (s.to === null || leafIndex < s.to));
    if (!member) {
      this.ctx.findings.report("sender-not-member", `user ${userId} was not a member of the room at leaf ${leafIndex} by its signed membership chain`, at);
    }
  }

  report(): MembershipReport {
    return {
      status: this.events === 0 ? "absent" : this.brokenAt === null ? "verified" : "broken",
      events: this.events,
      members: this.state?.members.size ?? 0,
      unchecked: this.unchecked,
    };
  }
}
