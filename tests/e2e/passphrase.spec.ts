/**
 * Passphrase change, end to end in Chromium (issue 9, item 6): on the devices page a
 * wrong current passphrase is refused and changes nothing; the right one re-wraps this
 * browser's keys in IndexedDB (one transaction) and switches the server's auth secret.
 * After a reload, and after logging out and in again with the new passphrase, the
 * history still decrypts and sending works; the old passphrase is refused. Another
 * member's browser keeps reading the room. The page says what nobody can recover.
 */
import { expect, test, type Page } from "@playwright/test";
import { logIn, message, newPage, PASSPHRASE, send, signUp, uniqueName } from "./helpers";

const NEW_PASSPHRASE = "a different passphrase entirely";

async function changePassphrase(page: Page, current: string, next: string): Promise<void> {
  await page.getByTestId("passphrase-current").fill(current);
  await page.getByTestId("passphrase-new").fill(next);
  await page.getByTestId("passphrase-new-confirm").fill(next);
  await page.getByTestId("passphrase-submit").click();
}

async function openRoom(page: Page, name: string): Promise<void> {
  await page.getByTestId("nav-rooms").click();
  await page.locator(`[data-testid="room-link"][data-room-name="${name}"]`).click();
  await expect(page.getByTestId("room-title")).toHaveText(name);
}

test("changing the passphrase re-wraps the keys: new passphrase in, old one out, history readable", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const alice = await newPage(browser);
  const bob = await newPage(browser);
  const aliceName = uniqueName("alice");
  const bobName = uniqueName("bob");
  await signUp(bob, bobName);
  await signUp(alice, aliceName);

  const room = uniqueName("rekey");
  await alice.getByTestId("new-room-name").fill(room);
  await alice.getByTestId("new-room-members").fill(bobName);
  await alice.getByTestId("create-room").click();
  await expect(alice.getByTestId("composer-input")).toBeEnabled();
  await send(alice, "before the change");
  await expect(message(alice, "before the change")).toBeVisible();

  // ---- the devices page: a wrong current passphrase changes nothing -----------
  await alice.getByTestId("nav-devices").click();
  await expect(alice.getByTestId("recovery-truth")).toContainText(
    "An administrator cannot recover your messages",
  );
  await changePassphrase(alice, "not my passphrase", NEW_PASSPHRASE);
  await expect(alice.getByTestId("passphrase-error")).toHaveText(
    "The current passphrase is wrong.",
  );
  await alice.getByTestId("passphrase-new-confirm").fill("a typo in the repeat");
  await alice.getByTestId("passphrase-current").fill(PASSPHRASE);
  await alice.getByTestId("passphrase-submit").click();
  await expect(alice.getByTestId("passphrase-error")).toHaveText("The two new passphrases differ.");

  // ---- the right one ----------------------------------------------------------
  await changePassphrase(alice, PASSPHRASE, NEW_PASSPHRASE);
  await expect(alice.getByTestId("passphrase-notice")).toHaveText(
    "Passphrase changed. Your other devices stay logged in.",
    {
      timeout: 30_000,
    },
  );

  // A reload resumes without a passphrase (the unlock record holds the new key).
  await alice.reload();
  await expect(alice.getByTestId("current-user")).toHaveText(aliceName);
  await openRoom(alice, room);
  await expect(message(alice, "before the change")).toBeVisible();

  // ---- log out; the old passphrase is refused, the new one unlocks the keys ----
  await alice.getByTestId("logout").click();
  await expect(alice.getByTestId("login-form")).toBeVisible();
  await logIn(alice, aliceName, PASSPHRASE);
  await expect(alice.getByTestId("auth-error")).toHaveText("Wrong username or passphrase.");
  await logIn(alice, aliceName, NEW_PASSPHRASE);
  await expect(alice.getByTestId("current-user")).toHaveText(aliceName);
  await openRoom(alice, room);
  await expect(message(alice, "before the change")).toBeVisible();
  await send(alice, "after the change");
  await expect(message(alice, "after the change")).toBeVisible();

  // Bob's browser never noticed: both messages decrypt there.
  await bob.reload();
  await openRoom(bob, room);
  await expect(message(bob, "before the change")).toBeVisible();
  await expect(message(bob, "after the change")).toBeVisible();
});
