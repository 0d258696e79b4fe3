/**
 * The contracts through fabric-shim's own invoke path (ChaincodeFromContract with a
 * real ClientIdentity parsed from an X.509 certificate), as a peer runs them.
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { leafHash, rootFromLeaves } from "@cairn/audit";
import { hex } from "@cairn/protocol";
import { JSONSerializer } from "fabric-contract-api";
import { describe, expect, test } from "vitest";
import { ADMIN_CERT_PEM, CLIENT_CERT_PEM } from "./certs.testutil";
import { contracts } from "./index";
import { TxStub } from "./memory-stub.testutil";

const require = createRequire(import.meta.url);
const ChaincodeFromContract = require("fabric-shim/lib/contract-spi/chaincodefromcontract.js") as new (
  ...args: unknown[]
) => { invokeFunctionality(stub: unknown): Promise<{ status: number; payload?: Buffer; message?: string }> };
const { ClientIdentity } = require("fabric-shim") as { ClientIdentity: new (stub: unknown) => { getID(): string } };

const chaincode = new ChaincodeFromContract(
  [...contracts],
  { transaction: "jsonSerializer", serializers: { jsonSerializer: JSONSerializer } },
  {},
  "cairn",
  "test",
);
const state = new Map<string, Uint8Array>();
let tx = 0;

function fabricStub(pem: string, fn: string, args: string[]) {
  tx += 1;
  const inner = new TxStub(state, `fabric-tx-${tx}`, new Date(Date.UTC(2026, 0, 1, 0, 0, tx)));
  return Object.assign(inner, {
    getBufferArgs: () => [fn, ...args].map((a) => Buffer.from(a)),
    getChannelID: () => "cairn",
    getCreator: () => ({ mspid: "Org1MSP", idBytes: Buffer.from(pem) }),
  });
}

async function invoke(pem: string, fn: string, ...args: string[]) {
  const stub = fabricStub(pem, fn, args);
  const response = await chaincode.invokeFunctionality(stub);
  if (response.status === 200) {
    for (const [k, v] of stub.writes) {
      if (v === null) state.delete(k);
      else state.set(k, v);
    }
  }
  return { status: response.status, text: response.payload?.toString() ?? response.message ?? "" };
}

describe("through fabric-shim, as on a peer", () => {
  const leaves = [0, 1, 2].map((i) => leafHash(Uint8Array.of(i)));

  test("roles from real certificates: OU=admin is admin; a client needs an appender grant", async () => {
    const admin = await invoke(ADMIN_CERT_PEM, "Audit:WhoAmI");
    expect(admin.status).toBe(200);
    expect(JSON.parse(admin.text)).toMatchObject({ admin: true, appender: false, mspId: "Org1MSP" });

    const who = JSON.parse((await invoke(CLIENT_CERT_PEM, "Audit:WhoAmI")).text) as { idHash: string; admin: boolean };
    expect(who.admin).toBe(false);
    // idHash is SHA-256 of fabric-shim's own getID() string
    const id = new ClientIdentity(fabricStub(CLIENT_CERT_PEM, "x", [])).getID();
    expect(id).toMatch(/^x509::\/C=US\/ST=California\/L=San Francisco\/OU=client\/CN=User1@org1.example.com::/);
    expect(who.idHash).toBe(createHash("sha256").update(id).digest("hex"));

    const refused = await invoke(CLIENT_CERT_PEM, "Audit:AppendBatch", "0", leaves.map(hex).join(""), "[]");
    expect(refused.status).toBe(500);
    expect(refused.text).toMatch(/^CAIRN_E_FORBIDDEN: /);

    expect((await invoke(CLIENT_CERT_PEM, "Audit:AuthorizeAppender", "Org1MSP", who.idHash)).text).toMatch(/^CAIRN_E_FORBIDDEN/);
    expect((await invoke(ADMIN_CERT_PEM, "Audit:AuthorizeAppender", "Org1MSP", who.idHash)).status).toBe(200);

    const appended = await invoke(CLIENT_CERT_PEM, "Audit:AppendBatch", "0", leaves.map(hex).join(""), "[]");
    expect(appended.status).toBe(200);
    const checkpoint = JSON.parse(appended.text) as { rootHash: string; treeSize: number; txId: string; time: string };
    expect(checkpoint).toEqual({ rootHash: hex(rootFromLeaves(leaves)), time: "2026-01-01T00:00:07.000Z", treeSize: 3, txId: "fabric-tx-7" });
    // the payload is the canonical JSON itself (sorted keys, no whitespace)
    expect(appended.text).toBe(`{"rootHash":"${checkpoint.rootHash}","time":"${checkpoint.time}","treeSize":3,"txId":"fabric-tx-7"}`);
  });

  test("argument count and unknown functions are refused by the shim", async () => {
    expect((await invoke(ADMIN_CERT_PEM, "Audit:GetLeaf")).text).toMatch(/Expected 1 parameters/);
    expect((await invoke(ADMIN_CERT_PEM, "Audit:Nope")).status).toBe(500);
    expect(JSON.parse((await invoke(ADMIN_CERT_PEM, "Audit:GetLeaf", "2")).text)).toMatchObject({ index: 2, leafHash: hex(leaves[2] as Uint8Array) });
  });
});
