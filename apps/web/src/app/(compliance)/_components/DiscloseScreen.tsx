"use client";
/**
 * Adding plaintext to an export, from a member's browser (docs/bundle-format.md): for
 * every message this device can decrypt, the message key and plaintext go into the
 * bundle in the one form the verifier accepts (lib/verify-client-disclose.ts), and the
 * verifier checks each by decryption.
 *
 * Not available yet: the crypto worker's RPC (worker/api.ts) has `decrypt`, which
 * returns the text but not the message key mk_i, and the format needs the key (so a
 * verifier can check the disclosure without trusting the discloser). The page says
 * so instead of producing bundles that cannot be checked.
 */
export function DiscloseScreen() {
  return (
    <main className="page">
      <h1>Add plaintext to an export</h1>
      <p>
        Only members hold a room&apos;s keys, so only a member&apos;s browser can add the plaintext of the messages it can read to an exported
        bundle. For each message it adds that message&apos;s own key (which reveals no other message) and the text; the compliance page then checks
        every disclosure by decrypting it.
      </p>
      <p className="banner" role="status" data-testid="disclose-unavailable">
        Not available yet: this browser&apos;s encryption engine can show you your messages but cannot yet hand out a single message&apos;s key, which
        the bundle needs so that a verifier can check the plaintext without trusting you.
      </p>
      <label>
        Bundle (.jsonl)
        <input type="file" disabled />
      </label>
      <button type="button" disabled>
        Add plaintext
      </button>
    </main>
  );
}
