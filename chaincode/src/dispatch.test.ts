import { createRequire } from "node:module";
import { JSONSerializer } from "fabric-contract-api";
import { describe, expect, test } from "vitest";
import { AuditContract } from "./audit";
import { invokeTransaction, transactionsOf, UnknownTransactionError } from "./dispatch";
import { contracts } from "./index";
import { KeyRegistryContract } from "./key-registry";
import { CLIENT, MemoryWorld } from "./memory-stub.testutil";
import { PolicyContract } from "./policy";
import { GovernanceContract } from "./governance";

const require = createRequire(import.meta.url);

interface FabricTx {
  name: string;
  parameters?: unknown[];
}

describe("transaction exposure without decorators", () => {
  test("fabric-shim itself exposes exactly the contracts' own public methods, with their arities", () => {
    // fabric-shim's own introspection (ChaincodeFromContract._processContractTransactions): with no
    // @Transaction metadata it lists the own-prototype functions except constructor and "_"-names.
    const ChaincodeFromContract = require("fabric-shim/lib/contract-spi/chaincodefromcontract.js") as new (
      ...args: unknown[]
    ) => { metadata: { contracts: Record<string, { transactions: FabricTx[] }> } };
    const chaincode = new ChaincodeFromContract(
      [...contracts],
      { transaction: "jsonSerializer", serializers: { jsonSerializer: JSONSerializer } },
      {},
      "cairn",
      "test",
    );
    const ours = [new KeyRegistryContract(), new AuditContract(), new PolicyContract(), new GovernanceContract()];
    for (const contract of ours) {
      const fabric = chaincode.metadata.contracts[contract.getName()]?.transactions ?? [];
      const fromShim = new Map(fabric.map((t) => [t.name, t.parameters?.length ?? 0]));
      expect(fromShim).toEqual(transactionsOf(contract));
    }
    expect([...transactionsOf(new AuditContract()).keys()].sort()).toEqual([
      "AppendBatch",
      "AuthorizeAppender",
      "GetBatch",
      "GetCheckpoint",
      "GetLatestCheckpoint",
      "GetLeaf",
      "GetRoomHead",
      "RevokeAppender",
      "WhoAmI",
    ]);
    expect(transactionsOf(new KeyRegistryContract())).toEqual(
      new Map([
        ["RegisterIdentity", 2],
        ["RegisterDevice", 5],
        ["RevokeDevice", 4],
        ["RecoverIdentity", 3],
        ["DeactivateUser", 2],
        ["GetKeys", 1],
      ]),
    );
  });

  test("unknown contracts, functions and wrong argument counts are refused like a peer does", async () => {
    const world = new MemoryWorld([new AuditContract()]);
    await expect(world.invoke(CLIENT, "Nope:GetLeaf", "0")).rejects.toThrow(UnknownTransactionError);
    await expect(world.invoke(CLIENT, "Audit:beforeTransaction")).rejects.toThrow(UnknownTransactionError);
    await expect(world.invoke(CLIENT, "Audit:GetLeaf")).rejects.toThrow(/Expected 1 parameters/);
    await expect(world.invoke(CLIENT, "Audit:GetLeaf", "0", "1")).rejects.toThrow(/Expected 1 parameters/);
    await expect(
      invokeTransaction([new AuditContract()], {} as never, CLIENT, "Audit:GetLeaf", [1 as unknown as string]),
    ).rejects.toThrow(TypeError);
  });
});

describe("in-memory stub semantics (Fabric's)", () => {
  test("a transaction does not read its own writes; a failed one writes nothing", async () => {
    const world = new MemoryWorld([]);
    await world.raw(async (stub) => {
      await stub.putState("k", new Uint8Array([1]));
      expect(await stub.getState("k")).toEqual(new Uint8Array(0));
      const it = await stub.getStateByRange("", "~");
      expect((await it.next()).done).toBe(true);
    });
    expect(world.state.get("k")).toEqual(new Uint8Array([1]));
    await expect(
      world.raw(async (stub) => {
        await stub.putState("j", new Uint8Array([2]));
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(world.state.has("j")).toBe(false);
  });
});
