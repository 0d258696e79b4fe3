import "server-only";
import { toBundleKeyRecord, type BundleKeyRecord } from "@cairn/audit";
import { SESSION_COOKIE } from "@cairn/db";
import { CairnError, ledgerViewClient } from "@cairn/protocol";
import { roomRef, userRef } from "@cairn/anchoring/export";

/**
 * Where the exporter gets each sender's chain record and on-chain pseudonym
 * (userRef = HMAC(serverSecret, userId), docs/architecture.md, trust model). The web app holds no ledger
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

/** The relay's ledger view, read on behalf of the admin's session (their cookie). */
function relayViewAs(relayUrl: string, sessionToken: string, fetchImpl?: typeof fetch) {
  return ledgerViewClient(relayUrl, { fetch: fetchImpl, init: { headers: { cookie: `${SESSION_COOKIE}=${sessionToken}` } } });
}

/** The relay's ledger view of one user's registry record (null: the chain has none). */
export type KeyRecords = (userId: string) => Promise<BundleKeyRecord | null>;

/**
 * The relay's GET /ledger/users/:id/keys on behalf of the admin's session, reduced to the bundle's fields.
 * @throws CairnError LEDGER_UNAVAILABLE (from the returned function) when the relay cannot answer
 */
export function relayKeyRecords(relayUrl: string, sessionToken: string, fetchImpl?: typeof fetch): KeyRecords {
  const view = relayViewAs(relayUrl, sessionToken, fetchImpl);
  return async (userId) => {
    const record = await view.read("keys", userId);
    return record && toBundleKeyRecord(record);
  };
}

/**
 * The room's on-chain reference for the export header: computed here with the secret,
 * otherwise asked of the relay on behalf of the admin's session.
 * @throws CairnError LEDGER_UNAVAILABLE when the relay cannot answer
 */
export async function exportRoomRef(roomId: string, serverSecretHex: string | undefined, relayUrl: string, sessionToken: string): Promise<string> {
  if (serverSecretHex) return roomRef(serverSecretHex, roomId);
  const answer = await relayViewAs(relayUrl, sessionToken).read("roomRef", roomId);
  if (!answer) throw new CairnError("LEDGER_UNAVAILABLE", "The relay does not know this room's reference.");
  return answer.roomRef;
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
