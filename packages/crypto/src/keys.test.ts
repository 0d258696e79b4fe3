import { deviceCertificateBytes, hex } from "@cairn/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import {
  certifyDevice,
  generateDevice,
  generateIdentity,
  signDeviceRevocation,
  signMembershipEvent,
  verifyDeviceCertificate,
  verifyDeviceRevocation,
  verifyEd25519,
} from "./keys";
import { FIXED_DEVICE_ID, flipBit, loadSodium, seededSigning } from "./test-fixtures";

let sodium: Awaited<ReturnType<typeof loadSodium>>;
beforeAll(async () => {
  sodium = await loadSodium();
});

describe("device certificates", () => {
  it("frozen vector: fixed identity and device keys give this exact signature", () => {
    const identity = seededSigning(1);
    const device = seededSigning(2);
    const agreementPublicKey = sodium.crypto_scalarmult_base(new Uint8Array(32).fill(3));
    expect(hex(identity.publicKey)).toBe("8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c");
    expect(hex(device.publicKey)).toBe("8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394");
    expect(hex(agreementPublicKey)).toBe("5dfedd3b6bd47f6fa28ee15d969d5bb0ea53774d488bdaf9df1c6e0124b3ef22");
    const sig = certifyDevice(identity, { deviceId: FIXED_DEVICE_ID, signing: device, agreement: { publicKey: agreementPublicKey } });
    expect(hex(sig)).toBe(
      "4bca55b3176af294c488d18ae163136971146fb23b93acf5c05f91cf7f3fb4f3adc3747e7e665d35c2ad6d15e954168cac2a355fe780abb7c5cd8f7f132b2701",
    );
    // It is a plain Ed25519 signature over the protocol's certificate record.
    const record = deviceCertificateBytes({ identityPublicKey: identity.publicKey, deviceId: FIXED_DEVICE_ID, signingPublicKey: device.publicKey, agreementPublicKey });
    expect(sodium.crypto_sign_verify_detached(sig, record, identity.publicKey)).toBe(true);
  });

  it("verify accepts the real certificate and rejects any changed field", () => {
    const identity = generateIdentity();
    const d = generateDevice();
    const cert = {
      deviceId: d.deviceId,
      signingPublicKey: d.signing.publicKey,
      agreementPublicKey: d.agreement.publicKey,
      signature: certifyDevice(identity, d),
    };
    expect(verifyDeviceCertificate(identity.publicKey, cert)).toBe(true);
    expect(verifyDeviceCertificate(generateIdentity().publicKey, cert)).toBe(false);
    expect(verifyDeviceCertificate(identity.publicKey, { ...cert, deviceId: generateDevice().deviceId })).toBe(false);
    expect(verifyDeviceCertificate(identity.publicKey, { ...cert, signingPublicKey: flipBit(cert.signingPublicKey, 9) })).toBe(false);
    expect(verifyDeviceCertificate(identity.publicKey, { ...cert, agreementPublicKey: flipBit(cert.agreementPublicKey, 9) })).toBe(false);
    // Swapping the two keys is a different certificate.
    expect(verifyDeviceCertificate(identity.publicKey, { ...cert, signingPublicKey: cert.agreementPublicKey, agreementPublicKey: cert.signingPublicKey })).toBe(false);
    for (let bit = 0; bit < 512; bit += 37) {
      expect(verifyDeviceCertificate(identity.publicKey, { ...cert, signature: flipBit(cert.signature, bit) })).toBe(false);
    }
  });

  it("generates distinct devices with 22-character base64url ids and correct key sizes", () => {
    const a = generateDevice();
    const b = generateDevice();
    expect(a.deviceId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a.deviceId).not.toBe(b.deviceId);
    expect(a.signing.publicKey.length).toBe(32);
    expect(a.signing.secretKey.length).toBe(64);
    expect(a.agreement.publicKey.length).toBe(32);
    expect(a.agreement.secretKey.length).toBe(32);
  });

  it("rejects garbage-typed inputs", () => {
    const identity = generateIdentity();
    const d = generateDevice();
    expect(() => certifyDevice(identity, { ...d, deviceId: 7 } as never)).toThrow(TypeError);
    expect(() => certifyDevice({ ...identity, secretKey: new Uint8Array(32) }, d)).toThrow(RangeError);
    expect(() => certifyDevice(null as never, d)).toThrow(TypeError);
    expect(() =>
      verifyDeviceCertificate(identity.publicKey, { deviceId: d.deviceId, signingPublicKey: d.signing.publicKey, agreementPublicKey: d.agreement.publicKey, signature: new Uint8Array(10) }),
    ).toThrow(RangeError);
    expect(() => verifyDeviceCertificate("key" as never, { deviceId: "x", signingPublicKey: d.signing.publicKey, agreementPublicKey: d.agreement.publicKey, signature: new Uint8Array(64) })).toThrow(TypeError);
  });
});

describe("device revocations", () => {
  it("sign and verify; a different time, device or key fails", () => {
    const identity = generateIdentity();
    const signature = signDeviceRevocation(identity, "dev-1", 1_700_000_000_000);
    expect(verifyDeviceRevocation(identity.publicKey, { deviceId: "dev-1", revokedAtMs: 1_700_000_000_000, signature })).toBe(true);
    expect(verifyDeviceRevocation(identity.publicKey, { deviceId: "dev-1", revokedAtMs: 1_700_000_000_001, signature })).toBe(false);
    expect(verifyDeviceRevocation(identity.publicKey, { deviceId: "dev-2", revokedAtMs: 1_700_000_000_000, signature })).toBe(false);
    expect(verifyDeviceRevocation(generateIdentity().publicKey, { deviceId: "dev-1", revokedAtMs: 1_700_000_000_000, signature })).toBe(false);
    expect(() => signDeviceRevocation(identity, "dev-1", -1)).toThrow(RangeError);
  });
});

describe("signMembershipEvent", () => {
  it("frozen vector: the identity key's Ed25519 signature over the event body (deterministic)", () => {
    const identity = seededSigning(9);
    const kp = { publicKey: identity.publicKey };
    const event = signMembershipEvent(identity, {
      roomId: "33333333-3333-4333-8333-333333333333",
      seq: 0,
      kind: "create",
      targets: [kp.publicKey],
      prevHash: new Uint8Array(32),
      timeMs: 1_764_000_000_000,
    });
    expect(hex(event.body)).toContain(hex(kp.publicKey));
    expect(hex(event.signature)).toBe(
      "26ca1132d4d5949ee891d18c2fe84923534c9971fd95bc884977f37c6abd41daaef23a484ee2dfa4de70815f5ac15783685de1190a5579625f1d154645f53d07",
    );
    expect(verifyEd25519(kp.publicKey, event.body, event.signature)).toBe(true);
    const other = generateIdentity();
    expect(verifyEd25519(other.publicKey, event.body, event.signature)).toBe(false);
    expect(verifyEd25519(new Uint8Array(31), event.body, event.signature)).toBe(false);
  });
});
