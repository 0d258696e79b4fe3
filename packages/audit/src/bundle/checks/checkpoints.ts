/**
 * Checkpoints and inclusion proofs: each `checkpoint` line against the LEDGER's own
 * record of that tree size (never Cairn's database), and each message's (and membership
 * event's) proof against
 * the checkpoint it names, with a path cache so proofs sharing nodes are hashed once.
 */
import type { BundleCheckpoint, BundleProof } from "../format";
import { decodeHex } from "../hex";
import { checkpointBody, cosignatureClaims } from "../../note/signed-note";
import { PathCache } from "../path-cache";
import type { FindingAt, VerifyContext } from "./context";

interface CheckpointState {
  line: number;
  time: number;
  /** Null when the checkpoint is not the chain's: `problem` says why. */
  cache: PathCache | null;
  problem: string | null;
  reported: boolean;
}

/** A line whose leaf is proved: a message, or a membership event. */
export interface ProvedLine {
  what: "message" | "membership event";
  leafIndex: number;
  proof: BundleProof | null;
  /** The server's time of the line (ISO 8601), and in ms. */
  time: string;
  timeMs: number;
}

/** How many of the policy's witnesses validly cosigned the checkpoint note of `cp`. */
function witnessesOf(cp: BundleCheckpoint, ctx: VerifyContext): number {
  const policy = ctx.deps.witnessPolicy;
  if (!policy || !cp.witnessed) return 0;
  let body: string;
  try {
    body = checkpointBody({ origin: cp.witnessed.origin, treeSize: cp.treeSize, rootHash: decodeHex(cp.rootHash) });
  } catch {
    return 0;
  }
  const counted = new Set<string>();
  for (const c of cosignatureClaims(body, cp.witnessed.cosignatures, policy.witnesses)) {
    if (!counted.has(c.name) && ctx.deps.verifyEd25519(c.publicKey, c.message, c.signature)) counted.add(c.name);
  }
  return counted.size;
}

export class Checkpoints {
  private readonly byTreeSize = new Map<number, CheckpointState>();
  /** Checkpoints that met the witness policy. */
  witnessed = 0;

  constructor(private readonly ctx: VerifyContext) {}

  get count(): number {
    return this.byTreeSize.size;
  }

  async add(cp: BundleCheckpoint, line: number): Promise<void> {
    const chain = await this.ctx.deps.ledger.getCheckpoint(cp.treeSize);
    let problem: string | null = null;
    if (!chain) problem = "the ledger has no checkpoint of this size";
    else if (chain.rootHash !== cp.rootHash) problem = "its root differs from the ledger's";
    else if (chain.txId !== cp.txId) problem = "its transaction id differs from the ledger's";
    else if (Date.parse(chain.time) !== Date.parse(cp.time)) problem = "its time differs from the ledger's";
    const policy = this.ctx.deps.witnessPolicy;
    if (policy && policy.required > 0) {
      const n = witnessesOf(cp, this.ctx);
      if (n >= policy.required) this.witnessed++;
      else {
        this.ctx.findings.report("unwitnessed-checkpoint", `checkpoint ${cp.treeSize} is cosigned by ${n} of the ${policy.required} witnesses the policy requires`, { line });
      }
    }
    this.byTreeSize.set(cp.treeSize, {
      line,
      time: Date.parse(cp.time),
      cache: problem ? null : new PathCache(cp.treeSize, decodeHex(cp.rootHash), this.ctx.nodeHash),
      problem,
      reported: false,
    });
  }

  /**
   * Judges the inclusion proof of `m`, whose leaf hash (recomputed) is `leaf`.
   * @param signatureOk a line whose signature failed is already reported, not also as inserted
   * @returns true when the proof verified against a checkpoint the ledger holds
   */
  proves(m: ProvedLine, leaf: Uint8Array, signatureOk: boolean, at: FindingAt): boolean {
    const { report } = this.ctx.findings;
    if (m.proof === null) {
      report("unanchored-message", `no inclusion proof: the ${m.what} was not anchored when exported`, at);
      return false;
    }
    const cp = this.byTreeSize.get(m.proof.treeSize);
    if (!cp) {
      report("missing-checkpoint", `the proof names checkpoint ${m.proof.treeSize}, which the bundle does not contain`, at);
      return false;
    }
    if (!cp.cache) {
      if (!cp.reported) report("forged-checkpoint", `checkpoint ${m.proof.treeSize} (line ${cp.line}): ${cp.problem ?? ""}`, at);
      cp.reported = true;
      return false;
    }
    let path: Uint8Array[];
    try {
      path = m.proof.path.map(decodeHex);
    } catch {
      path = [];
    }
    if (!cp.cache.verify(leaf, m.leafIndex, path)) {
      if (signatureOk) {
        report("inserted-message", `the audit log does not hold this ${m.what} at leaf ${m.leafIndex} (checkpoint ${m.proof.treeSize})`, at);
      }
      return false;
    }
    if (m.timeMs > cp.time) report("time-after-checkpoint", `server time ${m.time} is after its checkpoint's ledger time`, at);
    return true;
  }

  /** Reports the checkpoints the ledger does not hold that no message's proof named. */
  reportUnused(): void {
    for (const [treeSize, cp] of this.byTreeSize) {
      if (cp.problem && !cp.reported) this.ctx.findings.report("forged-checkpoint", `checkpoint ${treeSize}: ${cp.problem}`, { line: cp.line });
    }
  }
}
