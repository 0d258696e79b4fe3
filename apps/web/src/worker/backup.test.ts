/**
 * Merging two devices' key backups: contacts (a verification or a pin kept against the
 * ledger made on the other device counts here for the same key) and membership heads
 * (the later one per room).
 */
import { describe, expect, it } from "vitest";
import { BACKUP_FORMAT, decodeBackup, encodeBackup, mergeBackups, type BackupContents } from "./backup";

const hash = (c: string) => c.repeat(43);
const base = (over: Partial<BackupContents>): BackupContents => ({
  format: BACKUP_FORMAT,
  userId: "u",
  identity: { publicKey: "pk", secretKey: "sk" },
  sessions: {},
  contacts: {},
  ...over,
});

describe("mergeBackups", () => {
  it("keeps each room's later membership head, from either side", () => {
    const local = base({ membershipHeads: { r1: { seq: 4, hash: hash("a") }, r2: { seq: 1, hash: hash("b") } } });
    const remote = base({ membershipHeads: { r1: { seq: 2, hash: hash("c") }, r2: { seq: 3, hash: hash("d") }, r3: { seq: 1, hash: hash("e") } } });
    expect(mergeBackups(local, remote)?.membershipHeads).toEqual({
      r1: { seq: 4, hash: hash("a") },
      r2: { seq: 3, hash: hash("d") },
      r3: { seq: 1, hash: hash("e") },
    });
    // A backup written before heads were kept merges and decodes too.
    const old = base({});
    expect(mergeBackups(old, old)?.membershipHeads).toEqual({});
    expect(decodeBackup(encodeBackup(old))).toEqual(old);
  });

  it("takes the other device's verification and pin kept against the ledger for the same key only", () => {
    const local = base({ contacts: { bob: { identityPublicKey: "K1", verified: false }, carol: { identityPublicKey: "K3", verified: false } } });
    const remote = base({
      contacts: {
        bob: { identityPublicKey: "K1", verified: true, ledgerOverride: "L1" },
        carol: { identityPublicKey: "K9", verified: true, ledgerOverride: "L9" },
      },
    });
    expect(mergeBackups(local, remote)?.contacts).toEqual({
      bob: { identityPublicKey: "K1", verified: true, ledgerOverride: "L1" },
      carol: { identityPublicKey: "K3", verified: false },
    });
  });
});
