import "server-only";
import type { BundleKeyRecord } from "@cairn/audit";
import { SESSION_COOKIE } from "@cairn/db";
import { CairnError } from "@cairn/protocol";
import { z } from "zod";

/**
 * Where the exporter gets each sender's chain record and on-chain pseudonym
 * (userRef = HMAC(serverSecret, userId), DESIGN §1). The web app holds neither the
 * ledger credentials nor the server secret: the relay does, and serves the registry
 * record (which carries the userRef) through its read-only ledger view. So the web
 * export asks the relay, on behalf of the logged-in admin (their session cookie).
 */
export interface KeyDirectory {
  /** @throws CairnError LEDGER_UNAVAILABLE when the relay cannot answer or the chain has no record */
  keysOf(userId: string): Promise<{ userRef: string; record: BundleKeyRecord }>;
}

const Device = z.object({
  deviceId: z.string(),
  signingPublicKey: z.string(),
  agreementPublicKey: z.string(),
  signature: z.string(),
  registeredTxId: z.string(),
  registeredAt: z.string(),
  revokedAtMs: z.number().nullable(),
  revokedTxId: z.string().nullable(),
});
const Record = z.object({
  userRef: z.string().regex(/^[0-9a-f]{64}$/),
  identityPublicKey: z.string(),
  registeredTxId: z.string(),
  registeredAt: z.string(),
  devices: z.array(Device),
});

/** The relay's GET /ledger/users/:id/keys, as the exporter needs it (only the bundle's fields are kept). */
export function relayKeyDirectory(relayUrl: string, sessionToken: string, fetchImpl: typeof fetch = fetch): KeyDirectory {
  const base = relayUrl.replace(/\/$/, "");
  return {
    async keysOf(userId) {
      let res: Response;
      try {
        res = await fetchImpl(`${base}/ledger/users/${encodeURIComponent(userId)}/keys`, {
          headers: { cookie: `${SESSION_COOKIE}=${sessionToken}` },
          cache: "no-store",
        });
      } catch (err) {
        throw new CairnError("LEDGER_UNAVAILABLE", "The relay's ledger view cannot be reached.", { cause: err });
      }
      if (res.status === 404) {
        throw new CairnError("LEDGER_UNAVAILABLE", `User ${userId} has no keys on the ledger yet; try again once their registration is anchored.`);
      }
      if (!res.ok) throw new CairnError("LEDGER_UNAVAILABLE", `The relay's ledger view answered ${res.status}.`);
      const parsed = Record.safeParse(await res.json().catch(() => null));
      if (!parsed.success) throw new CairnError("LEDGER_UNAVAILABLE", "The relay's ledger view sent an unexpected record.");
      const r = parsed.data;
      return {
        userRef: r.userRef,
        record: {
          userRef: r.userRef,
          identityPublicKey: r.identityPublicKey,
          registeredTxId: r.registeredTxId,
          registeredAt: r.registeredAt,
          devices: r.devices.map((d) => ({ ...d })),
        },
      };
    },
  };
}
