/**
 * The trailer's hash over the bundle's lines. Plaintext is disclosed after export (by
 * a member's browser), so a message line counts as exported, with `"plaintext":null`:
 * the disclosure must be the line's last field in canonical form, so nothing else can
 * hide in it; the disclosure itself is checked by decryption (messages.ts).
 */
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import type { BundleLine } from "../format";
import type { VerifyContext } from "./context";

const PLAINTEXT_MARK = ',"plaintext":';
const PLAINTEXT_RULE = 'disclosed plaintext must be the last field of its line, exactly {"messageKey":…,"body":…}';
const encoder = new TextEncoder();

function nobleLineHash() {
  const h = nobleSha256.create();
  return { update: (text: string) => h.update(encoder.encode(text)), digest: () => h.digest() };
}

export class LineHash {
  private readonly hash: { update(text: string): unknown; digest(): Uint8Array };

  constructor(private readonly ctx: VerifyContext) {
    this.hash = (ctx.deps.createLineHash ?? nobleLineHash)();
  }

  /** Adds a line as exported; `parsed` is null for a line that did not parse (hashed as it is). */
  add(text: string, parsed: BundleLine | null, line: number): void {
    this.hash.update(`${parsed ? this.exportedForm(text, parsed, line) : text}\n`);
  }

  digest(): Uint8Array {
    return this.hash.digest();
  }

  private exportedForm(text: string, parsed: BundleLine, line: number): string {
    if (parsed.type !== "message" || parsed.plaintext === null) return text;
    const at = text.lastIndexOf(PLAINTEXT_MARK);
    const canonical = JSON.stringify({ messageKey: parsed.plaintext.messageKey, body: parsed.plaintext.body });
    if (at < 0 || text.slice(at + PLAINTEXT_MARK.length) !== `${canonical}}`) {
      this.ctx.findings.report("malformed-line", PLAINTEXT_RULE, { line });
      return text;
    }
    return `${text.slice(0, at)}${PLAINTEXT_MARK}null}`;
  }
}
