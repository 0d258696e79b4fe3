/**
 * Clients that check (issue 11, item 4), in Chromium: each browser recomputes the audit
 * leaf of every message it shows and checks the server's inclusion proof against the
 * ledger's checkpoint ("verified", not the server's word "anchored"). When the server
 * serves a wrong proof (its stored proof nodes rewritten, as an operator with the
 * database could), the message shows "proof failed" and a persistent warning says the
 * audit log failed this browser's check — still there after a reload.
 */
import { expect, test, type Page } from "@playwright/test";
import { createRoom, message, newPage, send, signUp, uniqueName, withDb } from "./helpers";

async function openRoom(page: Page, name: string): Promise<void> {
  await page.locator(`[data-testid="room-link"][data-room-name="${name}"]`).click();
  await expect(page.getByTestId("room-title")).toHaveText(name);
}

test("a browser verifies each message's inclusion proof itself, and warns when the server's proof is wrong", async ({ browser }) => {
  const [alice, bob] = [await newPage(browser), await newPage(browser)];
  const [aliceName, bobName] = [uniqueName("alice"), uniqueName("bob")];
  const roomName = uniqueName("audit-");
  await signUp(alice, aliceName);
  await signUp(bob, bobName);
  await createRoom(alice, roomName, bobName);
  const text = "checked by the browser, not taken on the server's word";
  await send(alice, text);
  await openRoom(bob, roomName);
  const status = message(bob, text).getByTestId("message-status");
  await expect(status).toHaveText(/^verified · checkpoint \d+$/, { timeout: 60_000 });
  await expect(bob.getByTestId("audit-warning")).toHaveCount(0);

  // The operator rewrites the stored proof nodes: every proof the server serves is now wrong.
  await withDb(async (db) => {
    await db.query(`CREATE TABLE "AuditNodeSaved" AS SELECT * FROM "AuditNode"`);
    await db.query(`UPDATE "AuditNode" SET hash = sha256(hash)`);
  });
  try {
    await bob.reload();
    await openRoom(bob, roomName);
    await expect(status).toHaveText(/^⚠ proof failed · checkpoint \d+$/, { timeout: 30_000 });
    const warning = bob.getByRole("alert").filter({ hasText: "The audit log failed this browser's check" });
    await expect(warning).toContainText("does not lead to checkpoint");
  } finally {
    await withDb(async (db) => {
      await db.query(`UPDATE "AuditNode" a SET hash = s.hash FROM "AuditNodeSaved" s WHERE a.level = s.level AND a.index = s.index`);
      await db.query(`DROP TABLE "AuditNodeSaved"`);
    });
  }
  // The warning stays: a failed proof is not forgotten because the server behaves again.
  await bob.reload();
  await openRoom(bob, roomName);
  await expect(status).toHaveText(/^verified · checkpoint \d+$/, { timeout: 30_000 });
  await expect(bob.getByTestId("audit-warning")).toBeVisible();
  // Another browser that never saw a wrong proof has no warning.
  await expect(message(alice, text).getByTestId("message-status")).toHaveText(/^verified · checkpoint \d+$/);
  await expect(alice.getByTestId("audit-warning")).toHaveCount(0);
});
