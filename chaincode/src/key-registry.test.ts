import { deviceCertificateBytes, deviceRevocationBytes, LedgerKeyRecord } from "@cairn/protocol";
import { beforeEach, describe, expect, test } from "vitest";
import { KeyRegistryContract } from "./key-registry";
import type { KeyRecord } from "./key-registry";
import { PolicyContract } from "./policy";
import { canonicalJson } from "./serialize";
import { ADMIN, CLIENT, MemoryWorld, RELAY, b64, ed25519, ref } from "./memory-stub.testutil";

const USER = ref(1);
let world: MemoryWorld;
let identityKey: ReturnType<typeof ed25519>;

function device(id: string, signer = identityKey) {
  const signing = ed25519();
  const agreement = ed25519();
  const cert = deviceCertificateBytes({
    identityPublicKey: identityKey.publicKey,
    deviceId: id,
    signingPublicKey: signing.publicKey,
    agreementPublicKey: agreement.publicKey,
  });
  return { id, signing: signing.publicB64, agreement: agreement.publicB64, signature: b64(signer.sign(cert)) };
}

const register = (d: ReturnType<typeof device>, user = USER) =>
  world.invoke(CLIENT, "KeyRegistry:RegisterDevice", user, d.id, d.signing, d.agreement, d.signature) as Promise<KeyRecord>;

const revocation = (id: string, at: number, signer = identityKey) =>
  b64(signer.sign(deviceRevocationBytes({ identityPublicKey: identityKey.publicKey, deviceId: id, revokedAtMs: at })));

beforeEach(async () => {
  world = new MemoryWorld([new KeyRegistryContract(), new PolicyContract()]);
  identityKey = ed25519();
  await world.invoke(RELAY, "KeyRegistry:RegisterIdentity", USER, identityKey.publicB64);
});

describe("KeyRegistry: identity keys", () => {
  test("first registration wins; the same key again is a no-op", async () => {
    const before = world.snapshot();
    const again = (await world.invoke(RELAY, "KeyRegistry:RegisterIdentity", USER, identityKey.publicB64)) as KeyRecord;
    expect(again.registeredTxId).toBe("tx0001");
    expect(world.snapshot()).toEqual(before);
    await expect(world.invoke(RELAY, "KeyRegistry:RegisterIdentity", USER, ed25519().publicB64)).rejects.toThrow(
      /^CAIRN_E_CONFLICT: /,
    );
  });

  test("only the relay's identity or an admin registers identities", async () => {
    await expect(world.invoke(CLIENT, "KeyRegistry:RegisterIdentity", ref(2), ed25519().publicB64)).rejects.toThrow(
      /^CAIRN_E_FORBIDDEN: /,
    );
    await world.invoke(ADMIN, "KeyRegistry:RegisterIdentity", ref(2), ed25519().publicB64);
  });

  test("userRef must be a 64-hex keyed hash: nothing personal on chain", async () => {
    for (const bad of ["alice@example.com", ref(1).slice(1), ref(1).toUpperCase().replace(/0/g, "A"), ""]) {
      await expect(world.invoke(RELAY, "KeyRegistry:RegisterIdentity", bad, identityKey.publicB64)).rejects.toThrow(
        /^CAIRN_E_INVALID_ARGUMENT: /,
      );
    }
    await expect(world.invoke(RELAY, "KeyRegistry:RegisterIdentity", ref(3), "AAAA")).rejects.toThrow(
      /^CAIRN_E_INVALID_ARGUMENT: identityPublicKey/,
    );
  });

  test("GetKeys returns null for an unknown user", async () => {
    expect(await world.invoke(CLIENT, "KeyRegistry:GetKeys", ref(9))).toBeNull();
  });
});

describe("KeyRegistry: device keys", () => {
  test("a device signed by the identity key is registered, with its transaction", async () => {
    const d = device("dev-1");
    const record = await register(d);
    expect(record.devices).toEqual([
      {
        deviceId: "dev-1",
        signingPublicKey: d.signing,
        agreementPublicKey: d.agreement,
        signature: d.signature,
        registeredTxId: "tx0002",
        registeredAt: "2026-01-01T00:00:02.000Z",
        revokedAtMs: null,
        revokedTxId: null,
        revokedAt: null,
        revocationSignature: null,
      },
    ]);
    expect(await world.invoke(CLIENT, "KeyRegistry:GetKeys", USER)).toEqual(record);
  });

  test("a device signed by another key is rejected", async () => {
    await expect(register(device("dev-1", ed25519()))).rejects.toThrow(/^CAIRN_E_BAD_SIGNATURE: /);
  });

  test("an unsigned device (zero signature) is rejected", async () => {
    const d = { ...device("dev-1"), signature: b64(new Uint8Array(64)) };
    await expect(register(d)).rejects.toThrow(/^CAIRN_E_BAD_SIGNATURE: /);
  });

  test("a signature for another device id or keys does not carry over", async () => {
    const a = device("dev-1");
    const b = device("dev-2");
    await expect(register({ ...b, signature: a.signature })).rejects.toThrow(/^CAIRN_E_BAD_SIGNATURE: /);
    await expect(register({ ...a, agreement: b.agreement })).rejects.toThrow(/^CAIRN_E_BAD_SIGNATURE: /);
    expect(((await world.invoke(CLIENT, "KeyRegistry:GetKeys", USER)) as KeyRecord).devices).toEqual([]);
  });

  test("re-registration is idempotent; other keys for the same id conflict", async () => {
    const d = device("dev-1");
    await register(d);
    const before = world.snapshot();
    await register(d);
    expect(world.snapshot()).toEqual(before);
    await expect(register({ ...device("dev-1") })).rejects.toThrow(/^CAIRN_E_CONFLICT: /);
  });

  test("devices of unknown users are refused", async () => {
    await expect(register(device("dev-1"), ref(7))).rejects.toThrow(/^CAIRN_E_NOT_FOUND: /);
  });

  test("revocation needs the identity signature and keeps the history", async () => {
    await register(device("dev-1"));
    await register(device("dev-2"));
    const at = 1_767_225_600_000;
    await expect(
      world.invoke(CLIENT, "KeyRegistry:RevokeDevice", USER, "dev-1", String(at), revocation("dev-1", at, ed25519())),
    ).rejects.toThrow(/^CAIRN_E_BAD_SIGNATURE: /);
    await expect(
      world.invoke(CLIENT, "KeyRegistry:RevokeDevice", USER, "dev-1", String(at + 1), revocation("dev-1", at)),
    ).rejects.toThrow(/^CAIRN_E_BAD_SIGNATURE: /);
    const record = (await world.invoke(CLIENT, "KeyRegistry:RevokeDevice", USER, "dev-1", String(at), revocation("dev-1", at))) as KeyRecord;
    expect(record.devices.map((d) => [d.deviceId, d.revokedAtMs, d.revokedTxId])).toEqual([
      ["dev-1", at, "tx0006"],
      ["dev-2", null, null],
    ]);
    // revoking again is a no-op; the device cannot come back
    const before = world.snapshot();
    await world.invoke(CLIENT, "KeyRegistry:RevokeDevice", USER, "dev-1", String(at), revocation("dev-1", at));
    expect(world.snapshot()).toEqual(before);
    await expect(register(device("dev-1"))).rejects.toThrow(/^CAIRN_E_CONFLICT: device was revoked/);
    await expect(
      world.invoke(CLIENT, "KeyRegistry:RevokeDevice", USER, "dev-9", String(at), revocation("dev-9", at)),
    ).rejects.toThrow(/^CAIRN_E_NOT_FOUND: /);
  });

  test("the org policy's maxDevicesPerUser is enforced on active devices", async () => {
    await world.invoke(ADMIN, "Policy:SetOrgPolicy", JSON.stringify({ retentionSeconds: null, maxDevicesPerUser: 1, forwardingAllowed: true }));
    await register(device("dev-1"));
    await expect(register(device("dev-2"))).rejects.toThrow(/^CAIRN_E_POLICY_VIOLATION: /);
    await world.invoke(CLIENT, "KeyRegistry:RevokeDevice", USER, "dev-1", "5", revocation("dev-1", 5));
    await register(device("dev-2"));
  });

  test("malformed arguments are rejected before any state access", async () => {
    const d = device("dev-1");
    const cases: string[][] = [
      [USER, "dev 1", d.signing, d.agreement, d.signature],
      [USER, "x".repeat(65), d.signing, d.agreement, d.signature],
      [USER, d.id, d.signing + "A", d.agreement, d.signature],
      [USER, d.id, d.signing, d.agreement, d.signature.slice(2)],
      [USER, d.id, d.signing, "!!", d.signature],
    ];
    for (const args of cases) {
      await expect(world.invoke(CLIENT, "KeyRegistry:RegisterDevice", ...args)).rejects.toThrow(/^CAIRN_E_INVALID_ARGUMENT: /);
    }
    await expect(world.invoke(CLIENT, "KeyRegistry:RevokeDevice", USER, "dev-1", "-1", d.signature)).rejects.toThrow(
      /^CAIRN_E_INVALID_ARGUMENT: revokedAtMs/,
    );
  });
});

describe("KeyRegistry: account recovery by an admin", () => {
  test("replaces the identity key with reason and author, revokes the old devices, accepts new ones", async () => {
    await register(device("dev-1"));
    const lost = identityKey;
    const fresh = ed25519();
    await expect(world.invoke(RELAY, "KeyRegistry:RecoverIdentity", USER, fresh.publicB64, "lost all devices")).rejects.toThrow(
      /^CAIRN_E_FORBIDDEN: /,
    );
    await expect(world.invoke(ADMIN, "KeyRegistry:RecoverIdentity", USER, fresh.publicB64, "")).rejects.toThrow(
      /^CAIRN_E_INVALID_ARGUMENT: reason/,
    );
    const record = (await world.invoke(ADMIN, "KeyRegistry:RecoverIdentity", USER, fresh.publicB64, "lost all devices")) as KeyRecord;
    expect(record.identityPublicKey).toBe(fresh.publicB64);
    expect(record.identityHistory).toEqual([
      expect.objectContaining({ identityPublicKey: lost.publicB64, registeredTxId: "tx0001", reason: "lost all devices", replacedTxId: record.registeredTxId }),
    ]);
    expect(record.identityHistory?.[0]?.replacedBy.mspId).toBe("Org1MSP");
    expect(record.devices[0]).toMatchObject({ deviceId: "dev-1", revokedTxId: record.registeredTxId, revocationSignature: null });
    // devices signed by the old key are refused; the new key signs new ones
    await expect(register(device("dev-2"))).rejects.toThrow(/^CAIRN_E_BAD_SIGNATURE: /);
    identityKey = fresh;
    expect((await register(device("dev-2"))).devices).toHaveLength(2);
    await expect(world.invoke(ADMIN, "KeyRegistry:RecoverIdentity", USER, fresh.publicB64, "again")).rejects.toThrow(/^CAIRN_E_CONFLICT: /);
    await expect(world.invoke(ADMIN, "KeyRegistry:RecoverIdentity", ref(55), fresh.publicB64, "x")).rejects.toThrow(/^CAIRN_E_NOT_FOUND: /);
  });
});

describe("KeyRegistry: deactivation (offboarding)", () => {
  test("revokes every active device unsigned, records who and the audit leaf, refuses new devices, and is idempotent", async () => {
    await register(device("dev-1"));
    await register(device("dev-2"));
    await world.invoke(CLIENT, "KeyRegistry:RevokeDevice", USER, "dev-1", "5", revocation("dev-1", 5));
    await expect(world.invoke(CLIENT, "KeyRegistry:DeactivateUser", USER, "42")).rejects.toThrow(/^CAIRN_E_FORBIDDEN: /);
    await expect(world.invoke(RELAY, "KeyRegistry:DeactivateUser", USER, "-1")).rejects.toThrow(/^CAIRN_E_INVALID_ARGUMENT: auditLeafIndex/);
    await expect(world.invoke(RELAY, "KeyRegistry:DeactivateUser", ref(77), "42")).rejects.toThrow(/^CAIRN_E_NOT_FOUND: /);
    const record = (await world.invoke(RELAY, "KeyRegistry:DeactivateUser", USER, "42")) as KeyRecord;
    const txId = record.deactivation?.txId;
    expect(record.deactivation).toMatchObject({ auditLeafIndex: 42, by: { mspId: "Org1MSP" } });
    // The device the user revoked keeps the user's signed revocation; the other is revoked by this transaction.
    expect(record.devices.map((d) => [d.deviceId, d.revokedTxId === txId, d.revocationSignature === null])).toEqual([
      ["dev-1", false, false],
      ["dev-2", true, true],
    ]);
    await expect(register(device("dev-3"))).rejects.toThrow(/^CAIRN_E_CONFLICT: the account was deactivated/);
    const before = world.snapshot();
    await world.invoke(ADMIN, "KeyRegistry:DeactivateUser", USER, "43");
    expect(world.snapshot()).toEqual(before);
    expect(LedgerKeyRecord.parse(await world.invoke(CLIENT, "KeyRegistry:GetKeys", USER)).deactivation?.auditLeafIndex).toBe(42);
  });
});

describe("KeyRegistry: records are the shared @cairn/protocol shape", () => {
  test("what the registry stores and returns parses as LedgerKeyRecord, losing and adding nothing", async () => {
    await register(device("dev-1"));
    await register(device("dev-2"));
    const at = Date.parse("2026-01-01T00:00:00.000Z");
    await world.invoke(CLIENT, "KeyRegistry:RevokeDevice", USER, "dev-1", String(at), revocation("dev-1", at));
    await world.invoke(ADMIN, "KeyRegistry:RecoverIdentity", USER, ed25519().publicB64, "lost all devices");
    const stored = Buffer.from(world.state.get(`keys/${USER}`) as Uint8Array).toString("utf8");
    const parsed = LedgerKeyRecord.parse(JSON.parse(stored));
    expect(canonicalJson(parsed)).toBe(stored);
    expect(await world.invoke(CLIENT, "KeyRegistry:GetKeys", USER)).toEqual(parsed);
    expect(Object.keys(parsed).sort()).toEqual(["devices", "identityHistory", "identityPublicKey", "registeredAt", "registeredTxId", "userRef"]);
    expect(Object.keys(parsed.devices[0] ?? {}).sort()).toEqual([
      "agreementPublicKey",
      "deviceId",
      "registeredAt",
      "registeredTxId",
      "revocationSignature",
      "revokedAt",
      "revokedAtMs",
      "revokedTxId",
      "signature",
      "signingPublicKey",
    ]);
  });
});
