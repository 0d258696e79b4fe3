"use client";
/**
 * The browser checks "anchored" itself (docs/audit.md "Clients that check"): for each
 * message it shows, it recomputes the audit leaf from the envelope, room sequence
 * number and server time, and checks the server's inclusion proof against the root of
 * the checkpoint the ledger holds (read through the relay's ledger view). It keeps the
 * newest checkpoint it has checked (per account, in localStorage) and accepts a newer
 * one only with a consistency proof from it, so a server that rewrites history, or
 * shows this browser a log that does not extend the one it saw before, is caught. A
 * failed proof raises an alarm that stays (also across reloads) until the user has
 * seen it; a proof that cannot be fetched yet leaves the message "anchored".
 *
 * Whose word the roots are: the relay's reading of the ledger (witnessed checkpoints
 * are not built), so the check binds the server's proofs to what the relay says the
 * chain holds, and to what this browser saw before.
 */
import {
  checkpointBody,
  cosignatureClaims,
  leafHashOfMessage,
  parseVerifierKey,
  SIG_TYPE_COSIGNATURE_V1,
  verifyConsistency,
  verifyInclusion,
  type VerifierKey,
} from "@cairn/audit";
import { envelopeFromWire, fromHex, ledgerViewClient, type AuditConsistencyResponse, type AuditCosignaturesResponse, type AuditProofsResponse, type StoredMessage } from "@cairn/protocol";

export interface AuditCheckerDeps {
  /** The ledger's checkpoint of that size (null: the ledger holds none). */
  checkpoint(treeSize: number): Promise<{ treeSize: number; rootHash: string } | null>;
  proofs(treeSize: number, leaves: readonly number[]): Promise<AuditProofsResponse>;
  consistency(from: number, to: number): Promise<AuditConsistencyResponse>;
  /** The witnesses' cosignatures stored for a checkpoint. */
  cosignatures?(treeSize: number): Promise<AuditCosignaturesResponse>;
  /** The witness keys to count cosignatures of (the server names them: its word). */
  witnesses?: readonly VerifierKey[];
  /** Ed25519 checks (in the crypto worker, where libsodium runs). */
  verifySignatures?: (jobs: { publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array }[]) => Promise<boolean[]>;
  storage: Pick<Storage, "getItem" | "setItem">;
  /** Storage key prefix, per account. */
  key: string;
}

export type AuditVerdict = "verified" | "failed";

/** How many of the named witnesses cosigned the checkpoint a message was verified against. */
export interface Witnessed {
  count: number;
  of: number;
}

interface Checked {
  treeSize: number;
  rootHash: string;
}

/** Most leaves per proofs request (the server's limit). */
const CHUNK = 200;

/** The audit leaf hash of a stored message, as the log holds it. */
export function messageLeafHash(m: StoredMessage): Uint8Array {
  return leafHashOfMessage({ envelope: envelopeFromWire(m.envelope), roomSeq: m.roomSeq, serverTimeMs: Date.parse(m.serverTime) });
}

/** Distinct named witnesses whose cosignature/v1 over the checkpoint's note verifies. */
async function countCosigners(
  origin: string,
  cp: Checked,
  lines: readonly string[],
  keys: readonly VerifierKey[],
  verify: NonNullable<AuditCheckerDeps["verifySignatures"]>,
): Promise<number> {
  let body: string;
  try {
    body = checkpointBody({ origin, treeSize: cp.treeSize, rootHash: fromHex(cp.rootHash) });
  } catch {
    return 0;
  }
  const claims = cosignatureClaims(body, lines, keys);
  const ok = claims.length > 0 ? await verify(claims.map(({ publicKey, message, signature }) => ({ publicKey, message, signature }))) : [];
  return new Set(claims.filter((_, i) => ok[i]).map((c) => c.name)).size;
}

export class AuditChecker {
  private newest: Checked | null;
  private alarm: string | null;
  private readonly listeners = new Set<() => void>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly cosigned = new Map<number, Witnessed>();

  constructor(private readonly deps: AuditCheckerDeps) {
    this.newest = this.read<Checked>("newest");
    this.alarm = this.read<string>("alarm");
  }

  readonly subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  /** The persistent warning, or null while every proof held. */
  readonly getAlarm = (): string | null => this.alarm;

  /**
   * Verifies leaves against the ledger's checkpoint of `treeSize` (adopted first, by a
   * consistency proof from the newest one checked before). Leaves not covered, or whose
   * proofs cannot be fetched now, are left out of the answer.
   */
  verify(items: readonly { leafIndex: number; leafHash: Uint8Array }[], treeSize: number): Promise<{ verdicts: Map<number, AuditVerdict>; treeSize: number; witnessed: Witnessed | null }> {
    const run = this.queue.then(() => this.run(items, treeSize));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(
    items: readonly { leafIndex: number; leafHash: Uint8Array }[],
    treeSize: number,
  ): Promise<{ verdicts: Map<number, AuditVerdict>; treeSize: number; witnessed: Witnessed | null }> {
    const out = new Map<number, AuditVerdict>();
    const target = await this.adopt(treeSize).catch(() => null);
    if (!target) return { verdicts: out, treeSize, witnessed: null };
    const covered = items.filter((i) => i.leafIndex < target.treeSize);
    const root = fromHex(target.rootHash);
    for (let at = 0; at < covered.length; at += CHUNK) {
      const chunk = covered.slice(at, at + CHUNK);
      let answer: AuditProofsResponse;
      try {
        answer = await this.deps.proofs(target.treeSize, chunk.map((i) => i.leafIndex));
      } catch {
        continue;
      }
      const paths = new Map(answer.proofs.map((p) => [p.leafIndex, p.path]));
      for (const item of chunk) {
        const path = paths.get(item.leafIndex);
        if (!path || answer.treeSize !== target.treeSize) continue;
        const ok = verifyInclusion(item.leafHash, item.leafIndex, target.treeSize, path.map(fromHex), root);
        out.set(item.leafIndex, ok ? "verified" : "failed");
        if (!ok) this.raise(`The server's proof for audit leaf ${item.leafIndex} does not lead to checkpoint ${target.treeSize} as the ledger holds it: this message may not be in the log the ledger anchors.`);
      }
    }
    return { verdicts: out, treeSize: target.treeSize, witnessed: await this.witnessed(target).catch(() => null) };
  }

  /** How many of the named witnesses validly cosigned `cp` (null when none are named). */
  private async witnessed(cp: Checked): Promise<Witnessed | null> {
    const keys = this.deps.witnesses ?? [];
    const { verifySignatures } = this.deps;
    if (keys.length === 0 || !this.deps.cosignatures || !verifySignatures) return null;
    const known = this.cosigned.get(cp.treeSize);
    if (known !== undefined && known.count === keys.length) return known;
    const answer = await this.deps.cosignatures(cp.treeSize);
    const count = answer.origin === null ? 0 : await countCosigners(answer.origin, cp, answer.cosignatures, keys, verifySignatures);
    const result = { count, of: keys.length };
    this.cosigned.set(cp.treeSize, result);
    return result;
  }

  /** The checkpoint to verify against: the newest checked one when it covers `treeSize`, else the ledger's, once consistent. */
  private async adopt(treeSize: number): Promise<Checked | null> {
    const newest = this.newest;
    if (newest && newest.treeSize >= treeSize) return newest;
    const cp = await this.deps.checkpoint(treeSize);
    if (!cp) return newest;
    if (newest) {
      const proof = await this.deps.consistency(newest.treeSize, cp.treeSize);
      const ok = verifyConsistency(newest.treeSize, cp.treeSize, fromHex(newest.rootHash), fromHex(cp.rootHash), proof.path.map(fromHex));
      if (!ok) {
        this.raise(`Checkpoint ${cp.treeSize} does not extend checkpoint ${newest.treeSize} that this browser checked before: the audit log it is shown was rewritten or forked.`);
        return newest;
      }
    }
    this.newest = { treeSize: cp.treeSize, rootHash: cp.rootHash };
    this.write("newest", this.newest);
    return this.newest;
  }

  private raise(message: string): void {
    if (this.alarm) return;
    this.alarm = message;
    this.write("alarm", message);
    for (const l of this.listeners) l();
  }

  private read<T>(name: string): T | null {
    try {
      const raw = this.deps.storage.getItem(`${this.deps.key}.${name}`);
      return raw === null ? null : (JSON.parse(raw) as T);
    } catch {
      return null;
    }
  }

  private write(name: string, value: unknown): void {
    try {
      this.deps.storage.setItem(`${this.deps.key}.${name}`, JSON.stringify(value));
    } catch {
      // Storage full or blocked: the check still holds for this tab.
    }
  }
}

const checkers = new Map<string, AuditChecker>();

/** The tab's checker for this account: one newest checkpoint and one alarm across rooms, kept in localStorage. */
export function auditCheckerFor(
  userId: string,
  relayUrl: string,
  api: Pick<AuditCheckerDeps, "proofs" | "consistency" | "cosignatures" | "verifySignatures">,
  witnessKeys: readonly string[] = [],
): AuditChecker {
  const key = `${userId}|${relayUrl}`;
  let checker = checkers.get(key);
  if (!checker) {
    const view = ledgerViewClient(relayUrl, { init: { credentials: "include" } });
    checker = new AuditChecker({
      checkpoint: (treeSize) => view.read("checkpoint", treeSize),
      proofs: api.proofs,
      consistency: api.consistency,
      ...(api.cosignatures ? { cosignatures: api.cosignatures } : {}),
      ...(api.verifySignatures ? { verifySignatures: api.verifySignatures } : {}),
      witnesses: witnessKeys.flatMap((k) => {
        try {
          const key = parseVerifierKey(k);
          return key.type === SIG_TYPE_COSIGNATURE_V1 ? [key] : [];
        } catch {
          return [];
        }
      }),
      storage: window.localStorage,
      key: `cairn.audit.${userId}`,
    });
    checkers.set(key, checker);
  }
  return checker;
}
