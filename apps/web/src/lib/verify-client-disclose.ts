/**
 * Adding plaintext to an exported bundle (docs/bundle-format.md, "message"): for each
 * message the discloser can decrypt, the line's final `null}` becomes
 * `{"messageKey":"…","body":"…"}}` — exactly these two keys, in this order, no spaces —
 * so the trailer hash and the export's record on chain still hold (the verifier hashes
 * a disclosed line as if it still ended in `"plaintext":null}`), and the verifier checks
 * each disclosure by decrypting the ciphertext under the disclosed message key.
 */
import type { BundlePlaintext } from "@cairn/audit";
import type { WireEnvelope } from "@cairn/protocol";

const TAIL = ',"plaintext":null}';
const B64URL = /^[A-Za-z0-9_-]*$/;

export class DisclosureError extends Error {
  override readonly name = "DisclosureError";
}

/** The message a line holds, if it is an undisclosed message line. */
export function undisclosedMessage(line: string): { roomSeq: number; envelope: WireEnvelope } | null {
  if (!line.endsWith(TAIL)) return null;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  const m = v as { type?: unknown; roomSeq?: unknown; envelope?: unknown; plaintext?: unknown };
  if (m.type !== "message" || typeof m.roomSeq !== "number" || m.plaintext !== null || typeof m.envelope !== "object" || m.envelope === null) return null;
  return { roomSeq: m.roomSeq, envelope: m.envelope as WireEnvelope };
}

/**
 * The line with `plaintext` disclosed.
 * @throws TypeError when the disclosure is not two base64url strings
 * @throws RangeError when the message key is not 32 bytes (43 base64url characters)
 * @throws DisclosureError when the line is not an undisclosed message line
 */
export function discloseLine(line: string, plaintext: BundlePlaintext): string {
  if (typeof plaintext.messageKey !== "string" || typeof plaintext.body !== "string") throw new TypeError("messageKey and body must be strings");
  if (!B64URL.test(plaintext.messageKey) || !B64URL.test(plaintext.body)) throw new TypeError("messageKey and body must be base64url");
  if (plaintext.messageKey.length !== 43) throw new RangeError("messageKey must be 32 bytes");
  if (!undisclosedMessage(line)) throw new DisclosureError("not an undisclosed message line");
  const canonical = JSON.stringify({ messageKey: plaintext.messageKey, body: plaintext.body });
  return `${line.slice(0, line.length - "null}".length)}${canonical}}`;
}

export interface DiscloseStats {
  messages: number;
  disclosed: number;
}

/**
 * Rewrites a bundle's lines, disclosing every message `open` can decrypt (null: leave
 * it undisclosed). Other lines pass through byte for byte.
 */
export async function* discloseBundle(
  lines: AsyncIterable<string> | Iterable<string>,
  open: (message: { roomSeq: number; envelope: WireEnvelope }) => Promise<BundlePlaintext | null>,
  stats: DiscloseStats = { messages: 0, disclosed: 0 },
): AsyncGenerator<string> {
  for await (const line of lines) {
    const m = undisclosedMessage(line);
    if (!m) {
      yield line;
      continue;
    }
    stats.messages += 1;
    const plaintext = await open(m);
    if (plaintext) {
      stats.disclosed += 1;
      yield discloseLine(line, plaintext);
    } else yield line;
  }
}
