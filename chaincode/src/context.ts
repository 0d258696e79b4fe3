/**
 * The part of Fabric's transaction context the contracts use. fabric-contract-api's
 * `Context` (stub + clientIdentity) satisfies it on a peer; the embedded ledger and
 * the unit tests provide their own implementations of the same calls.
 */
import { fromStateBytes, toStateBytes } from "./serialize";

export interface StateKV {
  key: string;
  value: Uint8Array;
}

/** Fabric's StateQueryIterator, reduced to what the contracts call. */
export interface StateIterator {
  next(): Promise<{ value?: StateKV; done?: boolean }>;
  close(): Promise<unknown>;
}

export interface CairnStub {
  /** Committed value, or an empty array when absent. Writes of the same transaction are NOT visible. */
  getState(key: string): Promise<Uint8Array>;
  putState(key: string, value: Uint8Array): Promise<void>;
  deleteState(key: string): Promise<void>;
  /** Keys in [startKey, endKey), ascending, committed state only. */
  getStateByRange(startKey: string, endKey: string): Promise<StateIterator>;
  getTxID(): string;
  /** The transaction's timestamp (same on every endorser). */
  getDateTimestamp(): Date;
  /** Sets the transaction's chaincode event (Fabric keeps one per transaction; the last call wins). */
  setEvent(name: string, payload: Uint8Array): void;
}

export interface CairnClientIdentity {
  getMSPID(): string;
  /** "x509::<subject DN>::<issuer DN>", as fabric-shim formats it. */
  getID(): string;
  getAttributeValue(name: string): string | null;
}

export interface CairnContext {
  stub: CairnStub;
  clientIdentity: CairnClientIdentity;
}

export async function readJson<T>(ctx: CairnContext, key: string): Promise<T | null> {
  return fromStateBytes<T>(await ctx.stub.getState(key));
}

export async function writeJson(ctx: CairnContext, key: string, value: unknown): Promise<void> {
  await ctx.stub.putState(key, toStateBytes(value));
}

/** First entry of a range, closing the iterator. */
export async function firstInRange(ctx: CairnContext, startKey: string, endKey: string): Promise<StateKV | null> {
  const iterator = await ctx.stub.getStateByRange(startKey, endKey);
  try {
    const result = await iterator.next();
    return result.done || !result.value ? null : result.value;
  } finally {
    await iterator.close();
  }
}

/** Every entry of a range, in key order. */
export async function allInRange(ctx: CairnContext, startKey: string, endKey: string): Promise<StateKV[]> {
  const iterator = await ctx.stub.getStateByRange(startKey, endKey);
  const out: StateKV[] = [];
  try {
    for (;;) {
      const result = await iterator.next();
      if (result.done || !result.value) break;
      out.push(result.value);
    }
  } finally {
    await iterator.close();
  }
  return out;
}

/** The transaction time as an ISO string (millisecond precision). */
export function txTime(ctx: CairnContext): string {
  return ctx.stub.getDateTimestamp().toISOString();
}

/** A zero-padded decimal so that key order is numeric order (16 digits > 2^53). */
export function padIndex(n: number): string {
  return n.toString().padStart(16, "0");
}
