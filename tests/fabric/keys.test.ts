import { afterAll, describe, expect, it } from "vitest";
import { deviceRegistration, ed25519, ledgerAs, randomRef } from "./helpers";

const ledger = ledgerAs("org1Appender");
afterAll(() => ledger.close());

describe("KeyRegistry on a real Fabric network", () => {
  it("registers an identity and a device and reads them back through the gateway", async () => {
    const userRef = randomRef();
    const identity = ed25519();
    const idReceipt = await ledger.registerIdentity({ userRef, identityPublicKey: identity.publicKey });
    expect(idReceipt.txId).toMatch(/^[0-9a-f]{64}$/);
    const device = deviceRegistration(userRef, identity, identity, "laptop");
    const devReceipt = await ledger.registerDevice(device);
    expect(devReceipt.txId).not.toBe(idReceipt.txId);

    const keys = await ledger.getKeys(userRef);
    expect(keys).toMatchObject({ userRef, identityPublicKey: identity.publicKey, registeredTxId: idReceipt.txId });
    expect(keys?.devices).toEqual([
      expect.objectContaining({
        deviceId: "laptop",
        signingPublicKey: device.signingPublicKey,
        agreementPublicKey: device.agreementPublicKey,
        signature: device.signature,
        registeredTxId: devReceipt.txId,
        revokedTxId: null,
      }),
    ]);
  });

  it("registering the same identity key again is a no-op with the original receipt", async () => {
    const userRef = randomRef();
    const identity = ed25519();
    const first = await ledger.registerIdentity({ userRef, identityPublicKey: identity.publicKey });
    const again = await ledger.registerIdentity({ userRef, identityPublicKey: identity.publicKey });
    expect(again.txId).toBe(first.txId);
  });

  it("answers null for an unknown user", async () => {
    expect(await ledger.getKeys(randomRef())).toBeNull();
  });

  it("the peer rejects an unsigned device key", async () => {
    const userRef = randomRef();
    const identity = ed25519();
    await ledger.registerIdentity({ userRef, identityPublicKey: identity.publicKey });
    const device = { ...deviceRegistration(userRef, identity, identity, "phone"), signature: Buffer.alloc(64).toString("base64url") };
    await expect(ledger.registerDevice(device)).rejects.toMatchObject({
      code: "BAD_SIGNATURE",
    });
    expect((await ledger.getKeys(userRef))?.devices).toEqual([]);
  });

  it("the peer rejects a device key signed by another identity key", async () => {
    const userRef = randomRef();
    const identity = ed25519();
    await ledger.registerIdentity({ userRef, identityPublicKey: identity.publicKey });
    const device = deviceRegistration(userRef, identity, ed25519(), "tablet");
    await expect(ledger.registerDevice(device)).rejects.toMatchObject({ code: "BAD_SIGNATURE" });
    expect((await ledger.getKeys(userRef))?.devices).toEqual([]);
  });
});
