/**
 * Sender keys: each `keys` line against the chain's registry record for its userRef,
 * and each sending device's certificate (the identity key's signature) and its
 * revocation time, judged once per device, on its first message.
 */
import { deviceCertificateBytes } from "@cairn/protocol";
import type { BundleKeys, BundleMessage } from "../format";
import type { LedgerView } from "../verify-deps";
import type { FindingAt, VerifyContext } from "./context";

type ChainKeys = Awaited<ReturnType<LedgerView["getKeys"]>>;

export interface DeviceState {
  /** The device's signing key when the bundle holds it, else null (its messages cannot be checked). */
  signingKey: Uint8Array | null;
  /** The chain's revocation time when the bundle's keys match the chain's. */
  revokedAtMs: number | null;
}

export class Senders {
  private readonly users = new Map<string, { keys: BundleKeys; chain: ChainKeys }>();
  private readonly devices = new Map<string, DeviceState>();

  constructor(private readonly ctx: VerifyContext) {}

  get count(): number {
    return this.users.size;
  }

  async addKeys(keys: BundleKeys, line: number): Promise<void> {
    this.users.set(keys.userId, { keys, chain: await this.ctx.deps.ledger.getKeys(keys.userRef) });
    if (keys.record && keys.record.userRef !== keys.userRef) {
      this.ctx.findings.report("substituted-key", `the keys line for user ${keys.userId} carries another user's record`, { line });
    }
  }

  /** The identity key (base64url) of the bundle's keys line for `userId`, null when it has none. */
  identityKey(userId: string): string | null {
    return this.users.get(userId)?.keys.record?.identityPublicKey ?? null;
  }

  /** The sending device of `m`, judged against the bundle's keys and the chain on first use. */
  device(m: BundleMessage, at: FindingAt): DeviceState {
    const id = `${m.senderUserId}\u0000${m.senderDeviceId}`;
    const known = this.devices.get(id);
    if (known) return known;
    const state: DeviceState = { signingKey: null, revokedAtMs: null };
    this.devices.set(id, state);
    this.judge(m, state, at);
    return state;
  }

  private judge(m: BundleMessage, state: DeviceState, at: FindingAt): void {
    const { b64, findings, deps } = this.ctx;
    const who = `device ${m.senderDeviceId} of user ${m.senderUserId}`;
    const user = this.users.get(m.senderUserId);
    const record = user?.keys.record;
    const device = record?.devices.find((d) => d.deviceId === m.senderDeviceId);
    if (!user || !record || !device) {
      findings.report("unknown-sender-key", `no registry record in the bundle for ${who}`, at);
      return;
    }
    try {
      state.signingKey = b64(device.signingPublicKey);
      const certificate = deviceCertificateBytes({
        identityPublicKey: b64(record.identityPublicKey),
        deviceId: device.deviceId,
        signingPublicKey: state.signingKey,
        agreementPublicKey: b64(device.agreementPublicKey),
      });
      if (!deps.verifyEd25519(b64(record.identityPublicKey), certificate, b64(device.signature))) {
        findings.report("invalid-device-certificate", `the identity key's signature over ${who} does not verify`, at);
      }
    } catch {
      findings.report("invalid-device-certificate", `malformed keys for ${who}`, at);
    }
    const chain = user.chain;
    const chainDevice = chain?.devices.find((d) => d.deviceId === m.senderDeviceId);
    if (!chain || !chainDevice) {
      findings.report("substituted-key", `the ledger has no registration of ${who}`, at);
    } else if (
      chain.identityPublicKey !== record.identityPublicKey ||
      chain.userRef !== record.userRef ||
      chainDevice.signingPublicKey !== device.signingPublicKey ||
      chainDevice.agreementPublicKey !== device.agreementPublicKey ||
      chainDevice.signature !== device.signature
    ) {
      findings.report("substituted-key", `the keys of ${who} differ from the ledger's registry record`, at);
    } else {
      state.revokedAtMs = chainDevice.revokedAtMs;
    }
  }
}
