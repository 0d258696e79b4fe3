/**
 * Access control from the client identity (see chaincode/README.md, "Access control").
 *
 * - admin: X.509 subject with OU=admin (Fabric NodeOUs, as cryptogen and fabric-ca
 *   issue admin certificates) or the attribute cairn.role=admin (fabric-ca).
 * - appender (the relay / web server's service identity): attribute
 *   cairn.role=relay, or an identity an admin authorised on chain with
 *   Audit:AuthorizeAppender(mspId, idHash), idHash = SHA-256 hex of getID().
 */
import { createHash } from "node:crypto";
import { readJson, type CairnContext } from "./context";
import { ChaincodeError } from "./errors";

export const ROLE_ATTRIBUTE = "cairn.role";

/** SHA-256 hex of the client identity's id string (subject and issuer DN). */
export function identityHash(ctx: CairnContext): string {
  return createHash("sha256").update(ctx.clientIdentity.getID(), "utf8").digest("hex");
}

/** Organisational units of the subject DN of a fabric-shim id "x509::<subject>::<issuer>". */
export function subjectOUs(id: string): string[] {
  if (!id.startsWith("x509::")) return [];
  const rest = id.slice("x509::".length);
  const end = rest.indexOf("::");
  const subject = end === -1 ? rest : rest.slice(0, end);
  // Components are "/KEY=value"; a "/" inside a value is escaped as "\/".
  return subject
    .split(/(?<!\\)\//)
    .filter((part) => part.startsWith("OU="))
    .map((part) => part.slice(3).replace(/\\\//g, "/"));
}

export function isAdmin(ctx: CairnContext): boolean {
  const id = ctx.clientIdentity;
  return id.getAttributeValue(ROLE_ATTRIBUTE) === "admin" || subjectOUs(id.getID()).includes("admin");
}

export function appenderKey(mspId: string, idHash: string): string {
  return `acl/appender/${mspId}/${idHash}`;
}

export async function isAppender(ctx: CairnContext): Promise<boolean> {
  if (ctx.clientIdentity.getAttributeValue(ROLE_ATTRIBUTE) === "relay") return true;
  const grant = await readJson<unknown>(ctx, appenderKey(ctx.clientIdentity.getMSPID(), identityHash(ctx)));
  return grant !== null;
}

/** The author of a change, as recorded on chain: MSP and identity hash, nothing personal. */
export function authorOf(ctx: CairnContext): { mspId: string; idHash: string } {
  return { mspId: ctx.clientIdentity.getMSPID(), idHash: identityHash(ctx) };
}

/** @throws ChaincodeError FORBIDDEN unless the caller is an admin */
export function requireAdmin(ctx: CairnContext, action: string): void {
  if (!isAdmin(ctx)) throw new ChaincodeError("FORBIDDEN", `${action} needs an admin identity`);
}

/** @throws ChaincodeError FORBIDDEN unless the caller is the relay (appender) or an admin */
export async function requireService(ctx: CairnContext, action: string, allowAdmin: boolean): Promise<void> {
  if (allowAdmin && isAdmin(ctx)) return;
  if (!(await isAppender(ctx))) throw new ChaincodeError("FORBIDDEN", `${action} needs the relay's identity`);
}
