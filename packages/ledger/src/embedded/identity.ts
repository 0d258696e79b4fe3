/**
 * The creator identity the embedded ledger presents to the contracts, shaped like a
 * Fabric client identity so the same access rules apply (chaincode/README.md):
 * OU=<role> in the subject and the attribute cairn.role=<role>.
 */
import { ROLE_ATTRIBUTE, type CairnClientIdentity } from "@cairn/chaincode";

export type EmbeddedRole = "relay" | "admin" | "client";

export interface EmbeddedIdentity {
  mspId: string;
  role: EmbeddedRole;
}

export const DEFAULT_EMBEDDED_IDENTITY: EmbeddedIdentity = { mspId: "CairnEmbeddedMSP", role: "relay" };

const MSP_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** @throws TypeError on an unknown role or a malformed MSP id */
export function clientIdentityOf(identity: EmbeddedIdentity): CairnClientIdentity {
  if (!["relay", "admin", "client"].includes(identity.role)) throw new TypeError("unknown embedded role");
  if (typeof identity.mspId !== "string" || !MSP_ID.test(identity.mspId)) throw new TypeError("invalid mspId");
  const id = `x509::/OU=${identity.role}/CN=cairn-embedded-${identity.role}::/CN=cairn-embedded-ca`;
  return {
    getMSPID: () => identity.mspId,
    getID: () => id,
    getAttributeValue: (name) => (name === ROLE_ATTRIBUTE ? identity.role : null),
  };
}

/** How the block log names a creator. */
export function creatorName(identity: EmbeddedIdentity): string {
  return `${identity.mspId}/${identity.role}`;
}
