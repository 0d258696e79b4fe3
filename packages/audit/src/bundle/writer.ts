/**
 * Writing a bundle as a stream of lines: each line is serialised once, hashed into
 * the running SHA-256 and handed to `sink`, so an export of any size keeps only the
 * current line in memory. The trailer closes the stream with the count and hash.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { hex } from "@cairn/protocol";
import {
  toBundleKeyRecord,
  type BundleCheckpoint,
  type BundleHeader,
  type BundleKeys,
  type BundleMembership,
  type BundleMessage,
  type BundleTrailer,
} from "./format";

/** Where lines go (a file stream, an HTTP response, an array in tests). */
export type LineSink = (line: string) => void | Promise<void>;

/** An incremental SHA-256 (node:crypto's createHash("sha256") fits; default @noble/hashes). */
export interface Sha256Stream {
  update(data: Uint8Array): unknown;
  digest(): Uint8Array;
}

const encoder = new TextEncoder();

export class BundleWriter {
  private readonly hash: Sha256Stream;
  private digested: Uint8Array | null = null;
  private lines = 0;
  private messages = 0;
  private closed = false;

  constructor(
    private readonly sink: LineSink,
    createHash: () => Sha256Stream = () => sha256.create(),
  ) {
    this.hash = createHash();
  }

  private async put(value: object): Promise<void> {
    if (this.closed || this.digested) throw new Error("bundle already digested or closed");
    const line = `${JSON.stringify(value)}\n`;
    this.hash.update(encoder.encode(line));
    this.lines += 1;
    await this.sink(line);
  }

  /** @throws Error when it is not the first line */
  async header(h: Omit<BundleHeader, "type">): Promise<void> {
    if (this.lines !== 0) throw new Error("the header must be the first line");
    await this.put({ type: "header", ...h });
  }

  /** `record` may be the chain's whole LedgerKeyRecord: only the bundle's fields are written. */
  async keys(k: Omit<BundleKeys, "type">): Promise<void> {
    await this.put({ type: "keys", userId: k.userId, userRef: k.userRef, record: k.record && toBundleKeyRecord(k.record) });
  }

  async checkpoint(c: Omit<BundleCheckpoint, "type">): Promise<void> {
    await this.put({ type: "checkpoint", ...c });
  }

  /** @throws Error after the first message: the chain comes first, so a streaming reader knows the members */
  async membership(m: Omit<BundleMembership, "type">): Promise<void> {
    if (this.messages > 0) throw new Error("membership events go before the first message");
    await this.put({ type: "membership", ...m });
  }

  async message(m: Omit<BundleMessage, "type">): Promise<void> {
    this.messages += 1;
    await this.put({ type: "message", ...m });
  }

  /** The SHA-256 of every line written; after this only {@link close} may follow. */
  digest(): Uint8Array {
    this.digested ??= new Uint8Array(this.hash.digest());
    return this.digested;
  }

  get messageCount(): number {
    return this.messages;
  }

  /** Writes the trailer; nothing may follow. */
  async close(exportLeafIndex: number | null): Promise<BundleTrailer> {
    const trailer: BundleTrailer = {
      type: "trailer",
      messages: this.messages,
      lines: this.lines,
      sha256: hex(this.digest()),
      exportLeafIndex,
    };
    await this.sink(`${JSON.stringify(trailer)}\n`);
    this.closed = true;
    return trailer;
  }
}
