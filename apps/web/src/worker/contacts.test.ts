/**
 * The contact book's two witnesses against a substituted key: the pin (trust on first
 * use) and the ledger's registry. Each blocks on its own, and each is lifted only by a
 * decision the user makes for that exact key.
 */
import type { UserKeys } from "@cairn/protocol";
import { describe, expect, it } from "vitest";
import type { BackupContact } from "./backup";
import { blockedError, ContactBook } from "./contacts";

const SELF = { userId: "me", identityPublicKey: "K-me" };
const bob = (identityPublicKey: string): UserKeys => ({ userId: "bob", username: "bob", identityPublicKey, devices: [] });

function book(pins: Record<string, BackupContact> = {}) {
  const contacts = new ContactBook(pins);
  contacts.observe([bob("K1")], SELF);
  return { contacts, pins };
}

describe("ContactBook and the ledger", () => {
  it("blocks a contact whose pinned key the ledger contradicts, with its own error code", () => {
    const { contacts } = book();
    contacts.noteLedger("bob", "K2");
    const status = contacts.blocking(["bob"]);
    expect(status).toMatchObject({ changed: false, ledgerIdentityPublicKey: "K2" });
    expect(blockedError(status as NonNullable<typeof status>).code).toBe("LEDGER_MISMATCH");
  });

  it("blocks nothing when the ledger agrees, has no record, or could not be read", () => {
    const { contacts } = book();
    contacts.noteLedger("bob", "K1");
    expect(contacts.blocking(["bob"])).toBeUndefined();
    contacts.noteLedger("bob", "K2");
    contacts.noteLedger("bob", null);
    expect(contacts.blocking(["bob"])).toBeUndefined();
  });

  it("keeps the pin against one ledger key only: a ledger that changes again blocks again", () => {
    const { contacts, pins } = book();
    contacts.noteLedger("bob", "K2");
    expect(contacts.keepAgainstLedger("bob", "K3")).toBe(false);
    expect(contacts.keepAgainstLedger("bob", "K2")).toBe(true);
    expect(contacts.blocking(["bob"])).toBeUndefined();
    expect(pins.bob?.ledgerOverride).toBe("K2");
    contacts.noteLedger("bob", "K3");
    expect(contacts.blocking(["bob"])?.ledgerIdentityPublicKey).toBe("K3");
  });

  it("unblocks when the user accepts the served key the ledger holds, and re-blocks a served key the ledger does not", () => {
    const { contacts } = book();
    contacts.noteLedger("bob", "K2");
    contacts.observe([bob("K2")], SELF);
    expect(blockedError(contacts.blocking(["bob"]) as never).code).toBe("KEY_CHANGED");
    expect(contacts.accept("bob", "K2")).toBe(true);
    expect(contacts.blocking(["bob"])).toBeUndefined();
    // The server swaps the key again; the user accepts it, but the ledger still says K2.
    contacts.observe([bob("K9")], SELF);
    expect(contacts.accept("bob", "K9")).toBe(true);
    expect(contacts.blocking(["bob"])?.ledgerIdentityPublicKey).toBe("K2");
  });

  it("remembers a pin kept against the ledger across a reload (it is part of the backup)", () => {
    const first = book();
    first.contacts.noteLedger("bob", "K2");
    first.contacts.keepAgainstLedger("bob", "K2");
    const again = new ContactBook(structuredClone(first.pins));
    again.observe([bob("K1")], SELF);
    again.noteLedger("bob", "K2");
    expect(again.blocking(["bob"])).toBeUndefined();
  });

  it("ignores ledger records for users it never pinned", () => {
    const { contacts } = book();
    contacts.noteLedger("carol", "K5");
    expect(contacts.known("carol")).toBe(false);
    expect(contacts.blocking(["carol"])).toBeUndefined();
  });
});
