/**
 * Devices and trust, end to end in Chromium (issue 3):
 * - a user signs up (writing down the recovery words), chats, then logs in from a new
 *   browser context: no keys there, so it restores from the recovery key, becomes a new
 *   device, and reads the old messages; then it revokes the first device: the relay
 *   refuses that device, and the other member's next message uses a new session that
 *   was never shared with it;
 * - a contact's identity key is replaced in the database: the other user's client
 *   blocks sending in the room and warns (loudly, since the contact was verified),
 *   until the new key is reviewed and accepted; the accepted key is not the ledger's,
 *   so sending stays blocked until the user keeps the pin against the ledger.
 */
import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { createRoom, message, newPage, PASSPHRASE, send, uniqueName, withDb } from "./helpers";

/**
 * Signs up like helpers.signUp, and also checks what a user is told about the recovery
 * key: the history warning, and that a wrong word is caught before the account exists.
 */
async function signUp(page: Page, username: string): Promise<string> {
  await page.goto("/signup");
  await expect(page.getByTestId("history-warning")).toContainText("If you lose every device and the recovery key");
  await page.getByTestId("username").fill(username);
  await page.getByTestId("passphrase").fill(PASSPHRASE);
  await page.getByTestId("passphrase-confirm").fill(PASSPHRASE);
  await page.getByTestId("auth-submit").click();
  const words = (await page.getByTestId("recovery-words").getAttribute("data-words")) ?? "";
  const list = words.split(" ");
  expect(list).toHaveLength(17);
  await page.getByTestId("recovery-saved").click();
  // A wrong word is caught before the account is created.
  const inputs = await page.getByTestId("recovery-confirm-word").all();
  expect(inputs).toHaveLength(3);
  for (const input of inputs) await input.fill(list[Number(await input.getAttribute("data-position"))] ?? "");
  const first = inputs[0];
  const firstWord = (await first?.inputValue()) ?? "";
  await first?.fill("wrong");
  await page.getByTestId("recovery-confirm-submit").click();
  await expect(page.getByTestId("recovery-error")).toBeVisible();
  await first?.fill(firstWord);
  await page.getByTestId("recovery-confirm-submit").click();
  await expect(page.getByTestId("current-user")).toHaveText(username);
  return words;
}

async function openRoom(page: Page, name: string): Promise<void> {
  await page.locator(`[data-testid="room-link"][data-room-name="${name}"]`).click();
  await expect(page.getByTestId("room-title")).toHaveText(name);
}

test("a new device restores from the recovery key, reads the old messages, and revokes the old device", async ({
  browser,
}) => {
  const laptop = await newPage(browser);
  const bob = await newPage(browser);
  const aliceName = uniqueName("alice");
  const bobName = uniqueName("bob");
  const roomName = uniqueName("room-");
  const [m1, m2, m3, m4, m5] = [1, 2, 3, 4, 5].map((i) => `m${i}-${randomBytes(6).toString("hex")}`) as [
    string,
    string,
    string,
    string,
    string,
  ];

  const words = await signUp(laptop, aliceName);
  await signUp(bob, bobName);
  const roomId = await createRoom(laptop, roomName, bobName);
  await send(laptop, `first ${m1}`);
  await expect(message(laptop, m1)).toBeVisible();
  await openRoom(bob, roomName);
  await expect(message(bob, m1)).toBeVisible();
  await send(bob, `reply ${m2}`);
  await expect(message(laptop, m2)).toBeVisible();
  await send(laptop, `third ${m3}`);
  await expect(message(bob, m3)).toBeVisible();

  // The laptop's backup now holds both sessions; wait until it is uploaded.
  await laptop.getByTestId("nav-devices").click();
  await expect(laptop.getByTestId("backup-status")).toHaveAttribute("data-state", "synced");

  // ---- a new device: log in, restore from the words, read the history ------
  const phone = await newPage(browser);
  await phone.goto("/login");
  await phone.getByTestId("username").fill(aliceName);
  await phone.getByTestId("passphrase").fill(PASSPHRASE);
  await phone.getByTestId("auth-submit").click();
  await expect(phone.getByTestId("restore-form")).toBeVisible();
  await phone.getByTestId("recovery-input").fill(words.toUpperCase().replace(/ /g, "  "));
  await phone.getByTestId("restore-submit").click();
  await expect(phone.getByTestId("current-user")).toHaveText(aliceName);
  await phone.goto(`/rooms/${roomId}`);
  for (const m of [m1, m2, m3]) await expect(message(phone, m)).toHaveAttribute("data-state", "text");

  // The new device talks too, and bob reads it.
  await send(phone, `from the phone ${m4}`);
  await expect(message(bob, m4)).toBeVisible();

  // ---- the devices page: two devices; revoke the laptop ---------------------
  await phone.getByTestId("nav-devices").click();
  await expect(phone.getByTestId("device")).toHaveCount(2);
  await expect(phone.getByTestId("this-device")).toHaveCount(1);
  const old = phone.getByTestId("device").filter({ hasNot: phone.getByTestId("this-device") });
  const laptopDeviceId = (await old.getAttribute("data-device-id")) ?? "";
  expect(laptopDeviceId).not.toBe("");
  await old.getByTestId("device-name").fill("Old laptop");
  await old.getByTestId("device-rename").click();
  await expect(old.getByTestId("device-name")).toHaveValue("Old laptop");
  await old.getByTestId("device-revoke").click();
  await old.getByTestId("device-revoke-confirm").click();
  await expect(old).toHaveAttribute("data-revoked", "true");

  // The relay refuses the revoked laptop.
  await laptop.goto(`/rooms/${roomId}`);
  await expect(laptop.getByTestId("device-refused")).toContainText("revoked");

  // Bob's next message rotates: a new session, shared with the phone and never with the laptop.
  await send(bob, `after revocation ${m5}`);
  await expect(message(bob, m5)).toHaveAttribute("data-state", "text");
  await phone.goto(`/rooms/${roomId}`);
  await expect(message(phone, m5)).toHaveAttribute("data-state", "text");
  await withDb(async (db) => {
    const rows = await db.query<{ sessionId: Buffer; roomSeq: number }>(
      `SELECT e."sessionId", e."roomSeq" FROM "Envelope" e JOIN "User" u ON u.id = e."senderUserId"
        WHERE e."roomId" = $1 AND u.username = $2 ORDER BY e."roomSeq"`,
      [roomId, bobName],
    );
    expect(rows.rows).toHaveLength(2);
    const [before, after] = rows.rows.map((r) => r.sessionId.toString("base64url"));
    expect(after).not.toBe(before);
    const shares = await db.query<{ recipientDeviceId: string }>(
      `SELECT "recipientDeviceId" FROM "SessionShare" WHERE "roomId" = $1 AND payload->>'sessionId' = $2`,
      [roomId, after],
    );
    expect(shares.rows.length).toBeGreaterThan(0);
    expect(shares.rows.map((r) => r.recipientDeviceId)).not.toContain(laptopDeviceId);
    const revoked = await db.query<{ revokedAt: Date | null }>(`SELECT "revokedAt" FROM "Device" WHERE id = $1`, [
      laptopDeviceId,
    ]);
    expect(revoked.rows[0]?.revokedAt).not.toBeNull();
    // The identity-signed revocation reaches the ledger (the chaincode checks the signature).
    await expect
      .poll(
        async () =>
          (
            await db.query<{ txId: string | null; lastError: string | null }>(
              `SELECT "txId", "lastError" FROM "LedgerOutbox" WHERE kind = 'revokeDevice' AND payload->>'deviceId' = $1`,
              [laptopDeviceId],
            )
          ).rows[0],
        { timeout: 30_000 },
      )
      .toMatchObject({ txId: expect.any(String), lastError: null });
  });
  await phone.getByTestId("nav-devices").click();
  await expect(phone.getByTestId("device").filter({ hasNot: phone.getByTestId("this-device") }).getByTestId("device-ledger")).toHaveText(
    "revoked on the ledger",
  );
});

test("a contact's identity key replaced in the database blocks sending and warns until accepted", async ({ browser }) => {
  const alice = await newPage(browser);
  const bob = await newPage(browser);
  const aliceName = uniqueName("alice");
  const bobName = uniqueName("bob");
  const roomName = uniqueName("room-");

  await signUp(alice, aliceName);
  await signUp(bob, bobName);
  const roomId = await createRoom(alice, roomName, bobName);
  await send(alice, "hello before any key change");
  await openRoom(bob, roomName);

  // Both see the same 60-digit safety number; alice marks bob verified.
  const bobChip = alice.locator(`[data-testid="member"][data-username="${bobName}"]`);
  await bobChip.click();
  const digits = (await alice.getByTestId("safety-number").getAttribute("data-digits")) ?? "";
  expect(digits).toMatch(/^\d{60}$/);
  await expect(alice.getByTestId("safety-qr")).toBeVisible();
  await bob.locator(`[data-testid="member"][data-username="${aliceName}"]`).click();
  await expect(bob.getByTestId("safety-number")).toHaveAttribute("data-digits", digits);
  await bob.getByTestId("safety-close").click();
  await alice.getByTestId("verify-contact").click();
  await expect(alice.getByTestId("verify-contact")).toHaveText("Remove verification");
  await alice.getByTestId("safety-close").click();
  await expect(bobChip).toHaveAttribute("data-trust", "verified");

  // Bob's identity key is on the ledger (registrations reach it through the outbox)...
  await withDb((db) =>
    expect
      .poll(
        async () =>
          (
            await db.query<{ txId: string | null }>(
              `SELECT o."txId" FROM "LedgerOutbox" o JOIN "User" u ON o.payload->>'userId' = u.id::text
               WHERE o.kind = 'registerIdentity' AND u.username = $1`,
              [bobName],
            )
          ).rows[0]?.txId ?? null,
        { timeout: 30_000 },
      )
      .not.toBeNull(),
  );
  // ...when the server (or someone with its database) swaps it.
  await withDb((db) =>
    db.query(`UPDATE "User" SET "identityPublicKey" = $1 WHERE username = $2`, [randomBytes(32), bobName]),
  );

  await alice.goto(`/rooms/${roomId}`);
  const warning = alice.getByTestId("key-change-warning");
  await expect(warning).toContainText(`${bobName}'s security key changed`);
  await expect(warning).toContainText("You had VERIFIED this contact");
  await expect(alice.getByTestId("composer-input")).toBeDisabled();
  await expect(bobChip).toHaveAttribute("data-trust", "changed");
  // The served key is not the one on the ledger.
  await expect(bobChip).toHaveAttribute("data-ledger", "flagged");

  // Review: a new number for the new key; accepting unblocks sending (unverified now).
  await alice.getByTestId("review-key").click();
  await expect(alice.getByTestId("safety-key-changed")).toBeVisible();
  await expect(alice.getByTestId("safety-number")).not.toHaveAttribute("data-digits", digits);
  await alice.getByTestId("accept-key").click();
  await alice.getByTestId("safety-close").click();
  await expect(warning).toHaveCount(0);
  // The accepted key is not the one the ledger holds: still blocked, for another reason.
  const mismatch = alice.getByTestId("ledger-mismatch-warning");
  await expect(mismatch).toContainText(`${bobName}'s security key differs from the ledger`);
  await expect(mismatch).toContainText("this browser cannot verify the peer's answer");
  await expect(alice.getByTestId("composer-input")).toBeDisabled();
  await alice.getByRole("button", { name: `Review ${bobName}'s key` }).click();
  await expect(alice.getByTestId("safety-ledger-mismatch")).toBeVisible();
  await alice.getByRole("button", { name: "Keep the pinned key and send anyway" }).click();
  await alice.getByTestId("safety-close").click();
  await expect(mismatch).toHaveCount(0);
  // The room's signed membership chain names bob's old key: until a member vouches for the
  // new one, bob is an unverified member who gets no keys. Alice adds him again.
  await expect(alice.getByTestId("member-unverified")).toHaveText(`${bobName} (unverified · no keys)`);
  await expect(alice.getByTestId("membership-warning")).toContainText("add them again to vouch for it");
  await alice.getByTestId("add-member-input").fill(bobName);
  await alice.getByTestId("add-member-submit").click();
  await expect(alice.getByTestId("membership-warning")).toHaveCount(0);
  await expect(alice.getByTestId("composer-input")).toBeEnabled();
  await expect(bobChip).toHaveAttribute("data-trust", "unverified");
  await expect(alice.getByTestId("fork-warning")).toHaveCount(0);

  // A server that rewrites which message #2 follows is caught by the transcript check.
  await send(alice, "after accepting the new key");
  await expect(message(alice, "after accepting the new key")).toHaveAttribute("data-state", "text");
  await withDb((db) =>
    db.query(`UPDATE "Envelope" SET "prevHash" = $1 WHERE "roomId" = $2 AND "roomSeq" = 2`, [randomBytes(32), roomId]),
  );
  await alice.reload();
  await expect(alice.getByTestId("fork-warning")).toContainText("message #2 follows a message this device was never shown");
  // Keeping the pinned key against the ledger is remembered (in the key backup).
  await expect(bobChip).toHaveAttribute("data-ledger", "flagged");
  await expect(alice.getByTestId("ledger-mismatch-warning")).toHaveCount(0);
  await expect(alice.getByTestId("composer-input")).toBeEnabled();
});
