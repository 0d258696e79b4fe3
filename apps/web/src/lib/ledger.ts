"use client";
/**
 * The relay's read-only view of the ledger's key registry (GET {relay}/ledger/users/:id/keys),
 * and the comparison of the keys Cairn's server serves with what the chain holds: a key
 * the server shows but the chain does not (or holds differently) is flagged, so a
 * server that substitutes a key is caught by anyone looking.
 */
import { ledgerViewClient, type LedgerDeviceRecord, type LedgerKeyRecord, type UserKeys } from "@cairn/protocol";

/** The part of the chain's key record that the comparison reads. */
export interface ChainKeys {
  identityPublicKey: string;
  devices: Pick<LedgerDeviceRecord, "deviceId" | "signingPublicKey" | "agreementPublicKey" | "revokedAtMs">[];
}

/** How one key compares with the chain. */
export type LedgerMark =
  | "match"
  /** Registered on the chain and revoked there. */
  | "revoked"
  /** The chain has no such key (yet: registrations are queued; or never: a substituted key). */
  | "absent"
  /** The chain holds different keys under this id: the server's copy is not the registered one. */
  | "differs"
  /** The ledger view could not be read. */
  | "unknown";

export interface LedgerCheck {
  identity: LedgerMark;
  devices: Record<string, LedgerMark>;
  /** The identity key the chain holds for the user; null when it holds none or could not be read. */
  identityOnChain: string | null;
}

/**
 * Whose word a ledger record is. The relay reads the chain through its own gateway and
 * passes the answer on; the peer's endorsement does not reach the browser, so a relay
 * that lies about the chain and about the keys at once is not caught here (the
 * exported audit trail, checked by `cairn verify`, is where that is caught).
 */
export const LEDGER_SOURCE = "as read by the relay from the ledger (this browser cannot verify the peer's answer)";

/**
 * The user's record on the chain, or null when the chain has none (404).
 * @throws CairnError LEDGER_UNAVAILABLE when the view is unreachable or answers an invalid record
 */
export function fetchLedgerKeys(relayUrl: string, userId: string): Promise<LedgerKeyRecord | null> {
  return ledgerViewClient(relayUrl, { init: { credentials: "include" } }).read("keys", userId);
}

/** Compares what the server serves for a user with the chain's record. */
export function compareWithLedger(served: UserKeys, chain: ChainKeys | null): LedgerCheck {
  const devices: Record<string, LedgerMark> = {};
  if (!chain) {
    for (const d of served.devices) devices[d.deviceId] = "absent";
    return { identity: "absent", devices, identityOnChain: null };
  }
  const identity: LedgerMark = chain.identityPublicKey === served.identityPublicKey ? "match" : "differs";
  for (const d of served.devices) {
    const onChain = chain.devices.find((c) => c.deviceId === d.deviceId);
    if (!onChain) devices[d.deviceId] = "absent";
    else if (onChain.signingPublicKey !== d.signingPublicKey || onChain.agreementPublicKey !== d.agreementPublicKey) {
      devices[d.deviceId] = "differs";
    } else devices[d.deviceId] = onChain.revokedAtMs !== null ? "revoked" : "match";
  }
  return { identity, devices, identityOnChain: chain.identityPublicKey };
}

/** compareWithLedger, or every mark "unknown" when the ledger view cannot be read. */
export async function checkAgainstLedger(relayUrl: string, served: UserKeys): Promise<LedgerCheck> {
  try {
    return compareWithLedger(served, await fetchLedgerKeys(relayUrl, served.userId));
  } catch {
    return {
      identity: "unknown",
      devices: Object.fromEntries(served.devices.map((d) => [d.deviceId, "unknown" as const])),
      identityOnChain: null,
    };
  }
}

export const LEDGER_LABEL: Record<LedgerMark, string> = {
  match: "on the ledger",
  revoked: "revoked on the ledger",
  absent: "not on the ledger",
  differs: "DIFFERS from the ledger",
  unknown: "ledger unreachable",
};
