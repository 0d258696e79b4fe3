/**
 * In-process transaction dispatch with fabric-shim's rules, for the embedded ledger:
 * with no @Transaction decorators, fabric-shim (ChaincodeFromContract
 * ._processContractTransactions) exposes every function on the contract's OWN
 * prototype except the constructor, names starting with "_" and Contract's own
 * methods, and requires exactly as many string arguments as the function declares
 * after ctx. Calls run beforeTransaction -> aroundTransaction -> afterTransaction.
 */
import { Contract } from "fabric-contract-api";
import type { CairnClientIdentity, CairnStub } from "./context";

type AnyFn = (...args: unknown[]) => unknown;

const CONTRACT_OWN = new Set(Object.getOwnPropertyNames(Contract.prototype));

/** Transaction names and their argument counts, as fabric-shim derives them. */
export function transactionsOf(contract: Contract): Map<string, number> {
  const out = new Map<string, number>();
  const proto = Object.getPrototypeOf(contract) as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const fn = proto[name];
    if (typeof fn !== "function" || name === "constructor" || name.startsWith("_") || CONTRACT_OWN.has(name)) continue;
    out.set(name, Math.max(0, fn.length - 1));
  }
  return out;
}

export class UnknownTransactionError extends Error {
  override readonly name = "UnknownTransactionError";
}

/**
 * Invokes "Contract:Function" with string arguments on a fresh context, like a peer.
 * @returns the transaction's string result
 * @throws whatever the transaction throws; UnknownTransactionError for unknown names
 */
export async function invokeTransaction(
  contracts: readonly Contract[],
  stub: CairnStub,
  clientIdentity: CairnClientIdentity,
  qualifiedName: string,
  args: readonly string[],
): Promise<string> {
  const sep = qualifiedName.indexOf(":");
  const [contractName, fnName] =
    sep === -1 ? [contracts[0]?.getName(), qualifiedName] : [qualifiedName.slice(0, sep), qualifiedName.slice(sep + 1)];
  const contract = contracts.find((c) => c.getName() === contractName);
  if (!contract) throw new UnknownTransactionError(`Contract name is not known: ${contractName}`);
  const arity = transactionsOf(contract).get(fnName);
  if (arity === undefined) throw new UnknownTransactionError(`You've asked to invoke a function that does not exist: ${fnName}`);
  if (arity !== args.length) throw new UnknownTransactionError(`Expected ${arity} parameters, but ${args.length} have been supplied`);
  for (const a of args) if (typeof a !== "string") throw new TypeError("transaction arguments must be strings");
  const ctx = contract.createContext() as unknown as { stub: CairnStub; clientIdentity: CairnClientIdentity };
  ctx.stub = stub;
  ctx.clientIdentity = clientIdentity;
  const fabricCtx = ctx as unknown as Parameters<Contract["beforeTransaction"]>[0];
  await contract.beforeTransaction(fabricCtx);
  const result: unknown = await (contract.aroundTransaction as unknown as AnyFn).call(contract, fabricCtx, fnName, [...args]);
  await contract.afterTransaction(fabricCtx, result);
  if (typeof result !== "string") throw new TypeError(`${qualifiedName} returned a non-string result`);
  return result;
}
