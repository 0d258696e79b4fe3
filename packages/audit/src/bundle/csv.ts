/**
 * The CSV view of a bundle, for spreadsheets: one row per message, no proofs. It is a
 * view, not evidence: verify the JSON Lines bundle (docs/bundle-format.md).
 */
import type { BundleCheckpoint, BundleMessage } from "./format";

export const CSV_COLUMNS = [
  "roomSeq",
  "leafIndex",
  "serverTime",
  "senderUserId",
  "senderDeviceId",
  "ciphertextBytes",
  "leafHash",
  "anchored",
  "checkpointTreeSize",
  "checkpointTxId",
  "checkpointTime",
] as const;

/** RFC 4180 field: quoted when it holds a comma, quote or line break; formula-leading characters are neutralised. */
export function csvField(value: string | number | null): string {
  if (value === null) return "";
  let s = String(value);
  // A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeaderRow(): string {
  return `${CSV_COLUMNS.join(",")}\r\n`;
}

/** One row; `checkpoint` is the checkpoint the message's proof names, if any. */
export function csvRow(m: Omit<BundleMessage, "type">, checkpoint: Omit<BundleCheckpoint, "type"> | null): string {
  const ciphertextBytes = Math.floor((m.envelope.ciphertext.length * 3) / 4);
  return `${[
    m.roomSeq,
    m.leafIndex,
    m.serverTime,
    m.senderUserId,
    m.senderDeviceId,
    ciphertextBytes,
    m.leafHash,
    m.proof ? "yes" : "no",
    checkpoint?.treeSize ?? null,
    checkpoint?.txId ?? null,
    checkpoint?.time ?? null,
  ]
    .map(csvField)
    .join(",")}\r\n`;
}
