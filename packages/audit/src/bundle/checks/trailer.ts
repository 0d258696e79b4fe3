/**
 * The end of the bundle: the trailer's counts and hash over the lines, and the
 * export's own audit record on chain (a leaf that commits to exporter, room, time and
 * this exact bundle's hash).
 */
import { auditExportData } from "@cairn/protocol";
import type { BundleHeader, BundleTrailer } from "../format";
import { encodeHex } from "../hex";
import type { VerifyContext } from "./context";

export interface BundleEnd {
  header: BundleHeader;
  /** Null when the bundle has no trailer. */
  trailer: BundleTrailer | null;
  /** Hash of the lines before the trailer (null without one). */
  digest: Uint8Array | null;
  /** Lines read, the trailer included. */
  lines: number;
  messages: number;
}

export async function checkTrailer(ctx: VerifyContext, end: BundleEnd): Promise<void> {
  const { report } = ctx.findings;
  const { header, trailer, digest } = end;
  if (!trailer || !digest) {
    report("truncated-bundle", `no trailer: the bundle ends after line ${end.lines}`, { line: end.lines });
    return;
  }
  const lines = end.lines - 1;
  const counts = `the trailer counts ${trailer.lines} lines and ${trailer.messages} messages; the bundle has ${lines} and ${end.messages}`;
  if (trailer.lines > lines || trailer.messages > end.messages) report("truncated-bundle", counts);
  else if (trailer.lines !== lines || trailer.messages !== end.messages) report("bundle-hash-mismatch", counts);
  if (encodeHex(digest) !== trailer.sha256) report("bundle-hash-mismatch", "the SHA-256 of the lines differs from the trailer's");
  if (trailer.exportLeafIndex === null) {
    report("export-unrecorded", "the bundle names no audit record of its export");
    return;
  }
  const expected = ctx.leafHash(
    auditExportData({
      exporterRef: header.exporterRef,
      roomId: header.roomId,
      exportedAtMs: Date.parse(header.exportedAt),
      bundleSha256: digest,
    }),
  );
  const onChain = await ctx.deps.ledger.getLeaf(trailer.exportLeafIndex);
  if (!onChain) {
    report(
      "export-unrecorded",
      `audit leaf ${trailer.exportLeafIndex} (this export's record) is not on the ledger yet; verify again once it is anchored`,
    );
  } else if (onChain.leafHash !== encodeHex(expected)) {
    report("export-record-mismatch", `the ledger's leaf ${trailer.exportLeafIndex} is not the record of this exact bundle`);
  }
}
