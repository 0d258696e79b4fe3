/**
 * The bundle verifier (DESIGN §4 "verify"), isomorphic: it streams the lines once and
 * checks every envelope signature against the bundle's device keys, those keys
 * against the chain's registry (identity signature included), every leaf hash
 * recomputed from the envelope, room sequence number and server time, every inclusion
 * proof, every checkpoint against the LEDGER's own record, room sequence continuity,
 * the trailer hash and the export's own record on chain. Each problem becomes a named
 * {@link Finding} pointing at the line and message it concerns.
 */
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import {
  auditExportData,
  auditLeafData,
  deviceCertificateBytes,
  envelopeSigningBytes,
  equalBytes,
  fromBase64Url,
  type Envelope,
} from "@cairn/protocol";
import {
  BUNDLE_FORMAT,
  type BundleHeader,
  type BundleKeys,
  type BundleLine,
  type BundleMessage,
  type BundleTrailer,
} from "./format";
import { FINDING_CODES, type Finding, type FindingCode } from "./findings";
import { decodeHex, encodeHex } from "./hex";
import { BundleParseError, parseBundleLine } from "./parse";
import { PathCache } from "./path-cache";
import { checkSequence } from "./sequence";
import type { SignatureJob, VerifyDeps } from "./verify-deps";

/** The input cannot be verified at all (not a bundle, unknown version): exit status 2. */
export class BundleUnusableError extends Error {
  readonly code = "BUNDLE_UNUSABLE";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BundleUnusableError";
  }
}

export interface VerifyReport {
  /** True when there is no finding. */
  ok: boolean;
  header: BundleHeader;
  lines: number;
  messages: number;
  /** Messages whose inclusion proof verified against a checkpoint the ledger holds. */
  anchored: number;
  checkpoints: number;
  senders: number;
  plaintextChecked: number;
  plaintextUnchecked: number;
  trailer: BundleTrailer | null;
  findingCounts: Partial<Record<FindingCode, number>>;
  findings: Finding[];
  /** True when more findings existed than were kept (maxFindings). */
  findingsTruncated: boolean;
}

interface DeviceState {
  signingKey: Uint8Array | null;
  revokedAtMs: number | null;
}

interface CheckpointState {
  line: number;
  time: number;
  cache: PathCache | null;
  problem: string | null;
  reported: boolean;
}

const encoder = new TextEncoder();
/** Signatures per batch when a batch verifier is given. */
const BATCH = 512;
/** Batches verified concurrently before parsing waits. */
const IN_FLIGHT = 4;

const PLAINTEXT_MARK = ',"plaintext":';
const PLAINTEXT_RULE =
  'disclosed plaintext must be the last field of its line, exactly {"messageKey":…,"body":…}';

/**
 * The text a line contributes to the trailer hash. Plaintext is disclosed after export
 * (by a member's browser), so a message line counts as exported, with `"plaintext":null`:
 * the disclosure must be the line's last field in canonical form, so nothing else can
 * hide in it; the disclosure itself is checked by decryption.
 */
function hashedForm(text: string, line: BundleLine, malformed: () => void): string {
  if (line.type !== "message" || line.plaintext === null) return text;
  const at = text.lastIndexOf(PLAINTEXT_MARK);
  const canonical = JSON.stringify({
    messageKey: line.plaintext.messageKey,
    body: line.plaintext.body,
  });
  if (at < 0 || text.slice(at + PLAINTEXT_MARK.length) !== `${canonical}}`) {
    malformed();
    return text;
  }
  return `${text.slice(0, at)}${PLAINTEXT_MARK}null}`;
}

function nobleLineHash() {
  const h = nobleSha256.create();
  return { update: (text: string) => h.update(encoder.encode(text)), digest: () => h.digest() };
}

/**
 * Verifies a bundle given as its lines (without "\n"), in file order.
 * @returns the report; `ok` is false when there is any finding
 * @throws BundleUnusableError when the first line is not a bundle header of a known version
 * @throws Error from the ledger when it cannot be reached (the bundle was not judged)
 */
export async function verifyBundle(
  source: AsyncIterable<string> | Iterable<string>,
  deps: VerifyDeps,
): Promise<VerifyReport> {
  const sha256 = deps.sha256 ?? nobleSha256;
  const b64 = deps.decodeBase64Url ?? fromBase64Url;
  const maxFindings = deps.maxFindings ?? 10_000;
  const prefixed = (prefix: number, data: Uint8Array) => {
    const input = new Uint8Array(data.length + 1);
    input[0] = prefix;
    input.set(data, 1);
    return sha256(input);
  };
  const nodeHash = (l: Uint8Array, r: Uint8Array) => {
    const input = new Uint8Array(65);
    input[0] = 1;
    input.set(l, 1);
    input.set(r, 33);
    return sha256(input);
  };

  const findings: Finding[] = [];
  const counts: Partial<Record<FindingCode, number>> = {};
  let truncatedFindings = false;
  const report = (
    code: FindingCode,
    message: string,
    at: Omit<Finding, "code" | "message"> = {},
  ) => {
    counts[code] = (counts[code] ?? 0) + 1;
    if (findings.length < maxFindings) findings.push({ code, message, ...at });
    else truncatedFindings = true;
  };

  const hasher = (deps.createLineHash ?? nobleLineHash)();
  let header: BundleHeader | null = null;
  let trailer: BundleTrailer | null = null;
  let digest: Uint8Array | null = null;
  let lineNo = 0;
  let messages = 0;
  let anchored = 0;
  let plaintextChecked = 0;
  let plaintextUnchecked = 0;
  const users = new Map<
    string,
    { keys: BundleKeys; chain: Awaited<ReturnType<VerifyDeps["ledger"]["getKeys"]>> }
  >();
  const devices = new Map<string, DeviceState>();
  const checkpoints = new Map<number, CheckpointState>();
  const seqs: number[] = [];
  const seqLines: number[] = [];
  let lastLeaf = -1;

  const deviceState = (m: BundleMessage, at: Omit<Finding, "code" | "message">): DeviceState => {
    const id = `${m.senderUserId}\u0000${m.senderDeviceId}`;
    const known = devices.get(id);
    if (known) return known;
    const state: DeviceState = { signingKey: null, revokedAtMs: null };
    devices.set(id, state);
    const who = `device ${m.senderDeviceId} of user ${m.senderUserId}`;
    const user = users.get(m.senderUserId);
    const record = user?.keys.record;
    const device = record?.devices.find((d) => d.deviceId === m.senderDeviceId);
    if (!user || !record || !device) {
      report("unknown-sender-key", `no registry record in the bundle for ${who}`, at);
      return state;
    }
    try {
      state.signingKey = b64(device.signingPublicKey);
      const certificate = deviceCertificateBytes({
        identityPublicKey: b64(record.identityPublicKey),
        deviceId: device.deviceId,
        signingPublicKey: state.signingKey,
        agreementPublicKey: b64(device.agreementPublicKey),
      });
      if (!deps.verifyEd25519(b64(record.identityPublicKey), certificate, b64(device.signature))) {
        report(
          "invalid-device-certificate",
          `the identity key's signature over ${who} does not verify`,
          at,
        );
      }
    } catch {
      report("invalid-device-certificate", `malformed keys for ${who}`, at);
    }
    const chain = user.chain;
    const chainDevice = chain?.devices.find((d) => d.deviceId === m.senderDeviceId);
    if (!chain || !chainDevice) {
      report("substituted-key", `the ledger has no registration of ${who}`, at);
    } else if (
      chain.identityPublicKey !== record.identityPublicKey ||
      chain.userRef !== record.userRef ||
      chainDevice.signingPublicKey !== device.signingPublicKey ||
      chainDevice.agreementPublicKey !== device.agreementPublicKey ||
      chainDevice.signature !== device.signature
    ) {
      report("substituted-key", `the keys of ${who} differ from the ledger's registry record`, at);
    } else {
      state.revokedAtMs = chainDevice.revokedAtMs;
    }
    return state;
  };

  const onMessage = (m: BundleMessage, h: BundleHeader) => {
    const at = { line: lineNo, roomSeq: m.roomSeq, leafIndex: m.leafIndex };
    messages += 1;
    seqs.push(m.roomSeq);
    seqLines.push(lineNo);
    if (m.leafIndex <= lastLeaf) {
      report(
        "reordered",
        `leaf ${m.leafIndex} comes after leaf ${lastLeaf}: leaf order must follow room order`,
        at,
      );
    }
    lastLeaf = Math.max(lastLeaf, m.leafIndex);
    let envelope: Envelope;
    let signing: Uint8Array;
    try {
      const w = m.envelope;
      envelope = {
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
      signing = envelopeSigningBytes(envelope);
    } catch (err) {
      report("malformed-line", `envelope: ${(err as Error).message}`, at);
      return;
    }
    if (envelope.roomId !== h.roomId || envelope.senderDeviceId !== m.senderDeviceId) {
      report(
        "room-mismatch",
        `the envelope names room ${envelope.roomId}, device ${envelope.senderDeviceId}`,
        at,
      );
    }
    const serverTimeMs = Date.parse(m.serverTime);
    const device = deviceState(m, at);
    if (device.revokedAtMs !== null && serverTimeMs > device.revokedAtMs) {
      report("revoked-device", `stored at ${m.serverTime}, after the device's revocation`, at);
    }
    const job =
      device.signingKey && envelope.signature.length === 64
        ? { publicKey: device.signingKey, message: signing, signature: envelope.signature }
        : null;
    const finish = (signatureOk: boolean) => {
      if (device.signingKey && !signatureOk)
        report(
          "edited-ciphertext",
          "the envelope's signature does not verify under its sender's device key",
          at,
        );
      rest(signatureOk);
    };
    const rest = (signatureOk: boolean) => {
      let leaf: Uint8Array;
      try {
        leaf = prefixed(0, auditLeafData({ envelope, roomSeq: m.roomSeq, serverTimeMs }));
      } catch (err) {
        report("malformed-line", `leaf data: ${(err as Error).message}`, at);
        return;
      }
      if (encodeHex(leaf) !== m.leafHash)
        report("leaf-hash-mismatch", "the stated leaf hash is not the hash of this message", at);
      if (m.proof === null) {
        report(
          "unanchored-message",
          "no inclusion proof: the message was not anchored when exported",
          at,
        );
      } else {
        const cp = checkpoints.get(m.proof.treeSize);
        if (!cp) {
          report(
            "missing-checkpoint",
            `the proof names checkpoint ${m.proof.treeSize}, which the bundle does not contain`,
            at,
          );
        } else if (!cp.cache) {
          if (!cp.reported)
            report(
              "forged-checkpoint",
              `checkpoint ${m.proof.treeSize} (line ${cp.line}): ${cp.problem ?? ""}`,
              at,
            );
          cp.reported = true;
        } else {
          let path: Uint8Array[];
          try {
            path = m.proof.path.map(decodeHex);
          } catch {
            path = [];
          }
          if (cp.cache.verify(leaf, m.leafIndex, path)) {
            anchored += 1;
            if (serverTimeMs > cp.time)
              report(
                "time-after-checkpoint",
                `server time ${m.serverTime} is after its checkpoint's ledger time`,
                at,
              );
          } else if (signatureOk) {
            report(
              "inserted-message",
              `the audit log does not hold this message at leaf ${m.leafIndex} (checkpoint ${m.proof.treeSize})`,
              at,
            );
          }
        }
      }
      if (m.plaintext) {
        if (!deps.openEnvelope) {
          plaintextUnchecked += 1;
        } else {
          plaintextChecked += 1;
          let agree = false;
          try {
            const opened = deps.openEnvelope(envelope, b64(m.plaintext.messageKey));
            agree = opened !== null && equalBytes(opened, b64(m.plaintext.body));
          } catch {
            agree = false;
          }
          if (!agree)
            report(
              "plaintext-mismatch",
              "the ciphertext does not decrypt to the disclosed plaintext under the disclosed key",
              at,
            );
        }
      }
    };
    if (!deps.verifyEd25519Batch) {
      finish(job !== null && deps.verifyEd25519(job.publicKey, job.message, job.signature));
      return;
    }
    pending.push({ job, finish });
  };

  // With a batch verifier (worker threads), signatures are checked a batch at a time
  // while this thread parses on: a few batches in flight, each finished in line order
  // (the rest of a message's checks only read state that lines before it created).
  const pending: { job: SignatureJob | null; finish: (ok: boolean) => void }[] = [];
  const inflight: Promise<void>[] = [];
  let chain: Promise<void> = Promise.resolve();
  const flush = async (wait: boolean) => {
    const verifyBatch = deps.verifyEd25519Batch;
    if (pending.length > 0 && verifyBatch) {
      const batch = pending.splice(0, pending.length);
      const jobs = batch.flatMap((p) => (p.job ? [p.job] : []));
      const results = jobs.length > 0 ? verifyBatch(jobs) : Promise.resolve([]);
      chain = Promise.all([chain, results]).then(([, ok]) => {
        let k = 0;
        for (const p of batch) p.finish(p.job ? ok[k++] === true : false);
      });
      inflight.push(chain);
    }
    while (inflight.length > (wait ? 0 : IN_FLIGHT)) await inflight.shift();
  };


  for await (const text of source) {
    lineNo += 1;
    if (trailer) {
      report("bundle-hash-mismatch", "data after the trailer", { line: lineNo });
      continue;
    }
    let parsed;
    try {
      parsed = parseBundleLine(text);
    } catch (err) {
      if (lineNo === 1)
        throw new BundleUnusableError(
          `not a ${BUNDLE_FORMAT} (line 1: ${(err as Error).message})`,
          { cause: err },
        );
      if (!(err instanceof BundleParseError)) throw err;
      hasher.update(`${text}\n`);
      report("malformed-line", err.message, { line: lineNo });
      continue;
    }
    if (lineNo === 1 && parsed.type !== "header")
      throw new BundleUnusableError(`not a ${BUNDLE_FORMAT}: line 1 is not a header`);
    if (parsed.type === "trailer") {
      await flush(true);
      trailer = parsed;
      digest = hasher.digest();
      continue;
    }
    if (pending.length >= BATCH) await flush(false);
    hasher.update(
      `${hashedForm(text, parsed, () => report("malformed-line", PLAINTEXT_RULE, { line: lineNo }))}\n`,
    );
    switch (parsed.type) {
      case "header":
        if (header) report("malformed-line", "a second header", { line: lineNo });
        else header = parsed;
        break;
      case "keys":
        users.set(parsed.userId, {
          keys: parsed,
          chain: await deps.ledger.getKeys(parsed.userRef),
        });
        if (parsed.record && parsed.record.userRef !== parsed.userRef) {
          report(
            "substituted-key",
            `the keys line for user ${parsed.userId} carries another user's record`,
            { line: lineNo },
          );
        }
        break;
      case "checkpoint": {
        const chain = await deps.ledger.getCheckpoint(parsed.treeSize);
        let problem: string | null = null;
        if (!chain) problem = "the ledger has no checkpoint of this size";
        else if (chain.rootHash !== parsed.rootHash) problem = "its root differs from the ledger's";
        else if (chain.txId !== parsed.txId)
          problem = "its transaction id differs from the ledger's";
        else if (Date.parse(chain.time) !== Date.parse(parsed.time))
          problem = "its time differs from the ledger's";
        checkpoints.set(parsed.treeSize, {
          line: lineNo,
          time: Date.parse(parsed.time),
          cache: problem
            ? null
            : new PathCache(parsed.treeSize, decodeHex(parsed.rootHash), nodeHash),
          problem,
          reported: false,
        });
        break;
      }
      case "message":
        onMessage(parsed, header as BundleHeader);
        break;
    }
    if (lineNo % 256 === 0) deps.onProgress?.({ lines: lineNo, messages });
  }
  await flush(true);
  if (!header) throw new BundleUnusableError("empty input: not a bundle");
  deps.onProgress?.({ lines: lineNo, messages });
  findings.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));

  for (const [treeSize, cp] of checkpoints) {
    if (cp.problem && !cp.reported)
      report("forged-checkpoint", `checkpoint ${treeSize}: ${cp.problem}`, { line: cp.line });
  }
  checkSequence(seqs, seqLines, header.extent, trailer !== null, report);

  const linesBeforeTrailer = trailer ? lineNo - 1 : lineNo;
  if (!trailer || !digest) {
    report("truncated-bundle", `no trailer: the bundle ends after line ${lineNo}`, {
      line: lineNo,
    });
  } else {
    if (trailer.lines > linesBeforeTrailer || trailer.messages > messages) {
      report(
        "truncated-bundle",
        `the trailer counts ${trailer.lines} lines and ${trailer.messages} messages; the bundle has ${linesBeforeTrailer} and ${messages}`,
      );
    } else if (trailer.lines !== linesBeforeTrailer || trailer.messages !== messages) {
      report(
        "bundle-hash-mismatch",
        `the trailer counts ${trailer.lines} lines and ${trailer.messages} messages; the bundle has ${linesBeforeTrailer} and ${messages}`,
      );
    }
    if (encodeHex(digest) !== trailer.sha256)
      report("bundle-hash-mismatch", "the SHA-256 of the lines differs from the trailer's");
    if (trailer.exportLeafIndex === null) {
      report("export-unrecorded", "the bundle names no audit record of its export");
    } else {
      const expected = prefixed(
        0,
        auditExportData({
          exporterRef: header.exporterRef,
          roomId: header.roomId,
          exportedAtMs: Date.parse(header.exportedAt),
          bundleSha256: digest,
        }),
      );
      const onChain = await deps.ledger.getLeaf(trailer.exportLeafIndex);
      if (!onChain) {
        report(
          "export-unrecorded",
          `audit leaf ${trailer.exportLeafIndex} (this export's record) is not on the ledger yet; verify again once it is anchored`,
        );
      } else if (onChain.leafHash !== encodeHex(expected)) {
        report(
          "export-record-mismatch",
          `the ledger's leaf ${trailer.exportLeafIndex} is not the record of this exact bundle`,
        );
      }
    }
  }

  return {
    ok: Object.keys(counts).length === 0,
    header,
    lines: lineNo,
    messages,
    anchored,
    checkpoints: checkpoints.size,
    senders: users.size,
    plaintextChecked,
    plaintextUnchecked,
    trailer,
    findingCounts: counts,
    findings,
    findingsTruncated: truncatedFindings,
  };
}

/** One-line description of each finding code, for reports and docs. */
export const FINDING_DESCRIPTIONS: Readonly<Record<FindingCode, string>> = FINDING_CODES;
