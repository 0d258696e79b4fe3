/**
 * Each message line: leaf order, the envelope's room and sender, the sender's
 * membership at its leaf (./membership), its signature under
 * the sender's device key, the device's revocation, the leaf hash recomputed from
 * envelope, room sequence number and server time, its inclusion proof, and disclosed
 * plaintext against the ciphertext.
 */
import { auditLeafData, envelopeSigningBytes, equalBytes, type Envelope, type WireEnvelope } from "@cairn/protocol";
import type { BundleHeader, BundleMessage, BundlePlaintext } from "../format";
import { encodeHex } from "../hex";
import type { Checkpoints } from "./checkpoints";
import type { FindingAt, VerifyContext } from "./context";
import type { MembershipCheck } from "./membership";
import type { Senders } from "./senders";
import type { SignatureChecks } from "./signatures";

export class Messages {
  count = 0;
  anchored = 0;
  plaintextChecked = 0;
  plaintextUnchecked = 0;
  /** Room sequence numbers in line order, and the line of each (for checkSequence). */
  readonly seqs: number[] = [];
  readonly seqLines: number[] = [];
  /** Each message line's leaf index, in line order. */
  readonly leaves: number[] = [];
  private lastLeaf = -1;

  constructor(
    private readonly ctx: VerifyContext,
    private readonly senders: Senders,
    private readonly checkpoints: Checkpoints,
    private readonly signatures: SignatureChecks,
    private readonly membership: MembershipCheck,
  ) {}

  add(m: BundleMessage, header: BundleHeader, line: number): void {
    const { report } = this.ctx.findings;
    const at = { line, roomSeq: m.roomSeq, leafIndex: m.leafIndex };
    this.count += 1;
    this.seqs.push(m.roomSeq);
    this.seqLines.push(line);
    this.leaves.push(m.leafIndex);
    if (m.leafIndex <= this.lastLeaf) {
      report("reordered", `leaf ${m.leafIndex} comes after leaf ${this.lastLeaf}: leaf order must follow room order`, at);
    }
    this.lastLeaf = Math.max(this.lastLeaf, m.leafIndex);
    let envelope: Envelope;
    let signing: Uint8Array;
    try {
      envelope = this.decodeEnvelope(m.envelope);
      signing = envelopeSigningBytes(envelope);
    } catch (err) {
      report("malformed-line", `envelope: ${(err as Error).message}`, at);
      return;
    }
    if (envelope.roomId !== header.roomId || envelope.senderDeviceId !== m.senderDeviceId) {
      report("room-mismatch", `the envelope names room ${envelope.roomId}, device ${envelope.senderDeviceId}`, at);
    }
    this.membership.checkSender(this.senders.identityKey(m.senderUserId), m.senderUserId, m.leafIndex, at);
    const serverTimeMs = Date.parse(m.serverTime);
    const device = this.senders.device(m, at);
    if (device.revokedAtMs !== null && serverTimeMs > device.revokedAtMs) {
      report("revoked-device", `stored at ${m.serverTime}, after the device's revocation`, at);
    }
    const job =
      device.signingKey && envelope.signature.length === 64
        ? { publicKey: device.signingKey, message: signing, signature: envelope.signature }
        : null;
    this.signatures.check(job, (signatureOk) => {
      if (device.signingKey && !signatureOk) {
        report("edited-ciphertext", "the envelope's signature does not verify under its sender's device key", at);
      }
      this.checkLeaf(m, envelope, serverTimeMs, signatureOk, at);
      if (m.plaintext) this.checkPlaintext(envelope, m.plaintext, at);
    });
  }

  private decodeEnvelope(w: WireEnvelope): Envelope {
    const { b64 } = this.ctx;
    return {
      version: w.version,
      roomId: w.roomId,
      senderDeviceId: w.senderDeviceId,
      sessionId: b64(w.sessionId),
      index: w.index,
      prevHash: b64(w.prevHash),
      nonce: b64(w.nonce),
      ciphertext: b64(w.ciphertext),
      signature: b64(w.signature),
    };
  }

  private checkLeaf(m: BundleMessage, envelope: Envelope, serverTimeMs: number, signatureOk: boolean, at: FindingAt): void {
    const { report } = this.ctx.findings;
    let leaf: Uint8Array;
    try {
      leaf = this.ctx.leafHash(auditLeafData({ envelope, roomSeq: m.roomSeq, serverTimeMs }));
    } catch (err) {
      report("malformed-line", `leaf data: ${(err as Error).message}`, at);
      return;
    }
    if (encodeHex(leaf) !== m.leafHash) report("leaf-hash-mismatch", "the stated leaf hash is not the hash of this message", at);
    const proved = { what: "message", leafIndex: m.leafIndex, proof: m.proof, time: m.serverTime, timeMs: serverTimeMs } as const;
    if (this.checkpoints.proves(proved, leaf, signatureOk, at)) this.anchored += 1;
  }

  private checkPlaintext(envelope: Envelope, plaintext: BundlePlaintext, at: FindingAt): void {
    const { deps } = this.ctx;
    if (!deps.openEnvelope) {
      this.plaintextUnchecked += 1;
      return;
    }
    this.plaintextChecked += 1;
    let agree = false;
    try {
      const opened = deps.openEnvelope(envelope, this.ctx.b64(plaintext.messageKey));
      agree = opened !== null && equalBytes(opened, this.ctx.b64(plaintext.body));
    } catch {
      agree = false;
    }
    if (!agree) {
      this.ctx.findings.report("plaintext-mismatch", "the ciphertext does not decrypt to the disclosed plaintext under the disclosed key", at);
    }
  }
}
