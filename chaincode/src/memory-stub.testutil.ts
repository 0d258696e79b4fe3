/**
 * A small in-memory world state with Fabric's transaction semantics, for unit tests:
 * reads see only committed state (a transaction never reads its own writes), writes
 * are buffered and committed only when the transaction succeeds.
 */
import { generateKeyPairSync, sign } from "node:crypto";
import type { Contract } from "fabric-contract-api";
import type { CairnClientIdentity, CairnStub, StateIterator, StateKV } from "./context";
import { invokeTransaction } from "./dispatch";

export class TxStub implements CairnStub {
  readonly writes = new Map<string, Uint8Array | null>();
  constructor(
    private readonly committed: ReadonlyMap<string, Uint8Array>,
    private readonly txId: string,
    private readonly time: Date,
  ) {}
  getState(key: string): Promise<Uint8Array> {
    return Promise.resolve(this.committed.get(key)?.slice() ?? new Uint8Array(0));
  }
  putState(key: string, value: Uint8Array): Promise<void> {
    this.writes.set(key, value.slice());
    return Promise.resolve();
  }
  deleteState(key: string): Promise<void> {
    this.writes.set(key, null);
    return Promise.resolve();
  }
  getStateByRange(startKey: string, endKey: string): Promise<StateIterator> {
    const rows: StateKV[] = [...this.committed.keys()]
      .filter((k) => k >= startKey && k < endKey)
      .sort()
      .map((key) => ({ key, value: (this.committed.get(key) as Uint8Array).slice() }));
    let at = 0;
    return Promise.resolve({
      next: () => Promise.resolve(at < rows.length ? { value: rows[at++], done: false } : { done: true }),
      close: () => Promise.resolve(),
    });
  }
  getTxID(): string {
    return this.txId;
  }
  getDateTimestamp(): Date {
    return new Date(this.time);
  }
  /** The transaction's chaincode event, as a peer would put it in the block. */
  event: { name: string; payload: Uint8Array } | null = null;
  setEvent(name: string, payload: Uint8Array): void {
    this.event = { name, payload };
  }
}

export interface TestIdentity extends CairnClientIdentity {
  readonly label: string;
}

/** A client identity shaped like fabric-shim's, with the given OU and attributes. */
export function identity(opts: { mspId?: string; ou: string; cn: string; attrs?: Record<string, string> }): TestIdentity {
  const mspId = opts.mspId ?? "Org1MSP";
  const id = `x509::/C=US/ST=California/L=San Francisco/OU=${opts.ou}/CN=${opts.cn}::/C=US/ST=California/L=San Francisco/O=org1.example.com/CN=ca.org1.example.com`;
  return {
    label: opts.cn,
    getMSPID: () => mspId,
    getID: () => id,
    getAttributeValue: (name) => opts.attrs?.[name] ?? null,
  };
}

export const RELAY = identity({ ou: "client", cn: "relay@org1", attrs: { "cairn.role": "relay" } });
export const ADMIN = identity({ ou: "admin", cn: "Admin@org1.example.com" });
export const CLIENT = identity({ ou: "client", cn: "User1@org1.example.com" });

export class MemoryWorld {
  readonly state = new Map<string, Uint8Array>();
  private tx = 0;
  private clock = Date.parse("2026-01-01T00:00:00.000Z");
  /** The chaincode event of the last successful transaction, as a peer would commit it. */
  lastEvent: { name: string; payload: Uint8Array } | null = null;

  constructor(private readonly contracts: readonly Contract[]) {}

  /** Runs one transaction; commits its writes only if it succeeds. Returns the parsed JSON result. */
  async invoke(who: CairnClientIdentity, name: string, ...args: string[]): Promise<unknown> {
    this.tx += 1;
    this.clock += 1000;
    const stub = new TxStub(this.state, `tx${this.tx.toString().padStart(4, "0")}`, new Date(this.clock));
    const result = await invokeTransaction(this.contracts, stub, who, name, args);
    for (const [key, value] of stub.writes) {
      if (value === null) this.state.delete(key);
      else this.state.set(key, value);
    }
    this.lastEvent = stub.event;
    return JSON.parse(result) as unknown;
  }

  /** Runs a callback as one transaction against a raw stub (to test stub semantics). */
  async raw(fn: (stub: CairnStub) => Promise<void>): Promise<void> {
    const stub = new TxStub(this.state, "raw", new Date(this.clock));
    await fn(stub);
    for (const [key, value] of stub.writes) {
      if (value === null) this.state.delete(key);
      else this.state.set(key, value);
    }
  }

  snapshot(): Map<string, string> {
    return new Map([...this.state].map(([k, v]) => [k, Buffer.from(v).toString("hex")]));
  }
}

/** An Ed25519 key pair with its raw public key in base64url. */
export function ed25519(): { publicKey: Uint8Array; publicB64: string; sign(message: Uint8Array): Uint8Array } {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const jwk = publicKey.export({ format: "jwk" }) as { x: string };
  return {
    publicKey: new Uint8Array(Buffer.from(jwk.x, "base64url")),
    publicB64: jwk.x,
    sign: (message) => new Uint8Array(sign(null, message, privateKey)),
  };
}

export const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
export const ref = (n: number) => n.toString(16).padStart(64, "0");
