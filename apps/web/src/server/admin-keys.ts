import "server-only";
import type { BundleKeyRecord } from "@cairn/audit";
import { SESSION_COOKIE } from "@cairn/db";
import { CairnError } from "@cairn/protocol";
import { z } from "zod";
import { userRef } from "./user-ref";

/**
 * Where the exporter gets each sender's chain record and on-chain pseudonym
 * (userRef = HMAC(serverSecret, userId), DESIGN §1). The web app holds no ledger
 * credentials: the relay does, and serves the registry record (which carries the
 * userRef) through its read-only ledger view, on behalf of the logged-in admin (their
 * session cookie). When the web app is given the server secret (CAIRN_SERVER_SECRET),
 * it computes pseudonyms itself ({@link secretKeyDirectory}), so a sender whose keys
 * are not on the chain yet is exported with `record: null` (the verifier reports it)
 * instead of blocking the export; without it, every sender needs a chain record
 * ({@link relayKeyDirectory}).
 */
export interface KeyDirectory {
  /** @throws CairnError LEDGER_UNAVAILABLE when the pseudonym cannot be resolved */
  keysOf(userId: string): Promise<{ userRef: string; record: BundleKeyRecord | null }>;
}

/** The relay's ledger view of one user's registry record (null: the chain has none). */
export type KeyRecords = (userId: string) => Promise<BundleKeyRecord | null>;

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

/**
 * The relay's GET /ledger/users/:id/keys, as the exporter needs it (only the bundle's fields are kept).
 * @throws CairnError LEDGER_UNAVAILABLE (from the returned function) when the relay cannot answer
 */
export function relayKeyRecords(relayUrl: string, sessionToken: string, fetchImpl: typeof fetch = fetch): KeyRecords {
  const base = relayUrl.replace(/\/$/, "");
  return async (userId) => {
    let res: Response;
    try {
      res = await fetchImpl(`${base}/ledger/users/${encodeURIComponent(userId)}/keys`, {
        headers: { cookie: `${SESSION_COOKIE}=${sessionToken}` },
        cache: "no-store",
      });
    } catch (err) {
      throw new CairnError("LEDGER_UNAVAILABLE", "The relay's ledger view cannot be reached.", { cause: err });
    }
    if (res.status === 404) return null;
    if (!res.ok) throw new CairnError("LEDGER_UNAVAILABLE", `The relay's ledger view answered ${res.status}.`);
    const parsed = Record.safeParse(await res.json().catch(() => null));
    if (!parsed.success) throw new CairnError("LEDGER_UNAVAILABLE", "The relay's ledger view sent an unexpected record.");
    const r = parsed.data;
    return {
      userRef: r.userRef,
      identityPublicKey: r.identityPublicKey,
      registeredTxId: r.registeredTxId,
      registeredAt: r.registeredAt,
      devices: r.devices.map((d) => ({ ...d })),
    };
  };
}

/** Without the server secret: each user's pseudonym is their chain record's, so each needs one. */
export function relayKeyDirectory(records: KeyRecords): KeyDirectory {
  return {
    async keysOf(userId) {
      const record = await records(userId);
      if (!record) {
        throw new CairnError("LEDGER_UNAVAILABLE", `User ${userId} has no keys on the ledger yet; try again once their registration is anchored.`);
      }
      return { userRef: record.userRef, record };
    },
  };
}

/**
 * With the server secret: pseudonyms computed here, chain records from the relay
 * (null when the chain has none yet).
 * @throws CairnError INTERNAL (from keysOf) when the chain's record carries another pseudonym:
 *   this app's CAIRN_SERVER_SECRET is not the relay's
 */
export function secretKeyDirectory(serverSecretHex: string, records: KeyRecords): KeyDirectory {
  return {
    async keysOf(userId) {
      const ref = userRef(serverSecretHex, userId);
      const record = await records(userId);
      if (record && record.userRef !== ref) {
        throw new CairnError("INTERNAL", "CAIRN_SERVER_SECRET differs from the relay's: the chain's pseudonyms do not match.");
      }
      return { userRef: ref, record };
    },
  };
}
