/**
 * The log's signed checkpoints and their witnesses (docs/audit.md "Witnessed
 * checkpoints"): each checkpoint the chain commits is also a C2SP checkpoint note signed
 * by the log's key, sent to every configured witness (`cairn witness`, run by another
 * organisation) with a consistency proof from the last size that witness cosigned; each
 * cosignature is stored (CheckpointCosignature) and exported with the checkpoint, so a
 * verifier's policy can require k of n witnesses. The log key is derived from the
 * server secret, so every relay signs with the same key and nothing new is stored.
 */
import { createHash, createHmac } from "node:crypto";
import {
  checkpointBody,
  formatSignedNote,
  formatVerifierKey,
  noteBytes,
  noteKeyId,
  parseSignatureLine,
  SIG_TYPE_ED25519,
  storedConsistencyProof,
} from "@cairn/audit";
import { ed25519Signer } from "@cairn/audit/node";
import { auditNodeStore, type PrismaClient } from "@cairn/db";
import { fromHex } from "@cairn/protocol";
import type { LedgerCheckpoint } from "@cairn/ledger";
import type { Logger } from "@cairn/log";

export interface LogSigner {
  origin: string;
  /** "<origin>+<key id>+<key>": what witnesses and verifiers are given. */
  verifierKey: string;
  /** The checkpoint as a signed note. */
  signedNote(cp: Pick<LedgerCheckpoint, "treeSize" | "rootHash">): string;
}

/** The log's key, derived from the server secret; `origin` defaults to one named after the key. */
export function logSigner(serverSecretHex: string, origin?: string): LogSigner {
  const seed = createHmac("sha256", Buffer.from(serverSecretHex, "hex")).update("cairn/log-signing-key/v1").digest();
  const signer = ed25519Signer(seed);
  const name = origin ?? `cairn.audit/${createHash("sha256").update(signer.publicKey).digest("hex").slice(0, 16)}`;
  const keyId = noteKeyId(name, SIG_TYPE_ED25519, signer.publicKey);
  return {
    origin: name,
    verifierKey: formatVerifierKey(name, SIG_TYPE_ED25519, signer.publicKey),
    signedNote(cp) {
      const body = checkpointBody({ origin: name, treeSize: cp.treeSize, rootHash: fromHex(cp.rootHash) });
      return formatSignedNote(body, [{ name, keyId, payload: signer.sign(noteBytes(body)) }]);
    },
  };
}

/** What each witness last cosigned, as far as this process knows (learned from 409 answers too). */
const knownSizes = new Map<string, number>();

/**
 * Sends the checkpoint to each witness and stores the cosignatures they return. A
 * witness that is down or refuses is logged and skipped: anchoring never waits on it.
 * @returns the witnesses that cosigned
 */
export async function witnessCheckpoint(
  prisma: PrismaClient,
  cp: LedgerCheckpoint,
  log: LogSigner,
  witnesses: readonly string[],
  logger: Logger,
  fetchImpl: typeof fetch = fetch,
): Promise<string[]> {
  const note = log.signedNote(cp);
  const read = auditNodeStore(prisma).read;
  const cosigned: string[] = [];
  for (const url of witnesses) {
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const old = knownSizes.get(url) ?? 0;
        const proof = old > 0 && old < cp.treeSize ? await storedConsistencyProof(read, old, cp.treeSize) : [];
        const body = `old ${old}\n${proof.map((h) => `${Buffer.from(h).toString("base64")}\n`).join("")}\n${note}`;
        const res = await fetchImpl(`${url.replace(/\/$/, "")}/add-checkpoint`, { method: "POST", body, signal: AbortSignal.timeout(10_000) });
        const text = await res.text();
        if (res.status === 409 && attempt === 0 && /^\d+\n$/.test(text) && Number(text) <= cp.treeSize) {
          knownSizes.set(url, Number(text));
          continue;
        }
        if (res.status !== 200) {
          logger.warn("witness refused the checkpoint", { witness: url, status: res.status, treeSize: cp.treeSize, answer: text.slice(0, 200) });
          break;
        }
        const line = text.trimEnd();
        const witness = parseSignatureLine(line).name;
        await prisma.checkpointCosignature.upsert({
          where: { treeSize_witness: { treeSize: BigInt(cp.treeSize), witness } },
          create: { treeSize: BigInt(cp.treeSize), witness, origin: log.origin, line },
          update: { origin: log.origin, line },
        });
        knownSizes.set(url, cp.treeSize);
        cosigned.push(witness);
        break;
      }
    } catch (err) {
      logger.warn("witness unreachable", { witness: url, treeSize: cp.treeSize, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return cosigned;
}
