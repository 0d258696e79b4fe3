/**
 * Leaving, removal and offboarding, end to end in Chromium (issue 9, tests (a) and (d)):
 * - alice, bob and carol share a room; alice (its creator) removes carol. Carol's open
 *   browser says she was removed and offers no composer; what she had read stays. Alice's
 *   next message starts a new session: bob reads it, carol's browser never shows it, and
 *   the database holds no session share for carol's devices created after the removal.
 * - the admin deactivates bob: bob's open browser is logged out, his old cookie gets 401,
 *   and logging in again gets the wrong-passphrase answer.
 */
import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import type pg from "pg";
import { message, newPage, PASSPHRASE, send, signUp, uniqueName, withDb } from "./helpers";

async function openRoom(page: Page, name: string): Promise<void> {
  await page.locator(`[data-testid="room-link"][data-room-name="${name}"]`).click();
  await expect(page.getByTestId("room-title")).toHaveText(name);
  await expect(page.getByTestId("composer-input")).toBeEnabled();
}

async function deviceIdsOf(db: pg.Client, username: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(`SELECT d.id FROM "Device" d JOIN "User" u ON u.id = d."userId" WHERE u.username = $1`, [username]);
  return rows.rows.map((r) => r.id);
}

test("a removed member cannot read the next message and sees that they were removed; a deactivated user is logged out", async ({
  browser,
}) => {
  const alice = await newPage(browser);
  const bob = await newPage(browser);
  const carol = await newPage(browser);
  const [aliceName, bobName, carolName] = [uniqueName("alice"), uniqueName("bob"), uniqueName("carol")];
  const roomName = uniqueName("room-");
  const [m1, m2, m3] = [1, 2, 3].map((i) => `m${i}-${randomBytes(6).toString("hex")}`) as [string, string, string];

  await signUp(alice, aliceName);
  await signUp(bob, bobName);
  await signUp(carol, carolName);
  await alice.getByTestId("new-room-name").fill(roomName);
  await alice.getByTestId("new-room-members").fill(`${bobName}, ${carolName}`);
  await alice.getByTestId("create-room").click();
  await expect(alice.getByTestId("room-title")).toHaveText(roomName);
  await expect(alice.getByTestId("composer-input")).toBeEnabled();
  const roomId = (await alice.getByTestId("room").getAttribute("data-room-id")) ?? "";
  expect(roomId).not.toBe("");

  await openRoom(bob, roomName);
  await openRoom(carol, roomName);
  await send(alice, `before the removal ${m1}`);
  await expect(message(bob, m1)).toHaveAttribute("data-state", "text");
  await expect(message(carol, m1)).toHaveAttribute("data-state", "text");

  // ---- (a) alice removes carol ------------------------------------------------
  // Bob did not create the room: he is offered no remove control.
  await expect(bob.getByTestId("member-remove")).toHaveCount(0);
  await alice.locator(`[data-testid="member-remove"][data-username="${carolName}"]`).click();
  await alice.getByTestId("membership-confirm-submit").click();
  await expect(alice.getByTestId("room-members")).not.toContainText(carolName);

  // Carol's open browser says so at once, keeps what she read, and has no composer.
  await expect(carol.getByTestId("room-removed")).toHaveAttribute("data-reason", "removed");
  await expect(carol.getByTestId("room-removed")).toContainText("You were removed from this room");
  await expect(carol.getByTestId("composer-input")).toHaveCount(0);
  await expect(message(carol, m1)).toHaveAttribute("data-state", "text");
  const removedAt = await withDb(async (db) => (await db.query<{ now: Date }>("SELECT now() AS now")).rows[0]?.now);
  expect(removedAt).toBeTruthy();

  // Bob's member list follows without a reload.
  await expect(bob.getByTestId("room-members")).not.toContainText(carolName);

  // Alice's next message: bob reads it; carol's browser never shows it.
  await send(alice, `after the removal ${m2}`);
  await expect(message(alice, m2)).toHaveAttribute("data-state", "text");
  await expect(message(bob, m2)).toHaveAttribute("data-state", "text");
  // Bob answers too (his own session rotates as well), and alice reads it.
  await send(bob, `bob after the removal ${m3}`);
  await expect(message(alice, m3)).toHaveAttribute("data-state", "text");
  // Once both later messages reached the members, carol's page (still open) has neither.
  await expect(message(carol, m2)).toHaveCount(0);
  await expect(message(carol, m3)).toHaveCount(0);
  await expect(carol.getByTestId("message")).toHaveCount(1);

  await withDb(async (db) => {
    const carolDevices = await deviceIdsOf(db, carolName);
    const bobDevices = await deviceIdsOf(db, bobName);
    expect(carolDevices.length).toBeGreaterThan(0);
    // No share created after the removal names one of carol's devices ...
    const toCarol = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM "SessionShare" WHERE "recipientDeviceId" = ANY($1) AND "createdAt" >= $2`,
      [carolDevices, removedAt],
    );
    expect(Number(toCarol.rows[0]?.n)).toBe(0);
    // ... while alice's message after the removal uses a new session, shared with bob.
    const sessions = await db.query<{ sessionId: Buffer }>(
      `SELECT e."sessionId" FROM "Envelope" e JOIN "User" u ON u.id = e."senderUserId"
        WHERE e."roomId" = $1 AND u.username = $2 ORDER BY e."roomSeq"`,
      [roomId, aliceName],
    );
    expect(sessions.rows).toHaveLength(2);
    const [before, after] = sessions.rows.map((r) => r.sessionId.toString("base64url"));
    expect(after).not.toBe(before);
    const shares = await db.query<{ recipientDeviceId: string }>(
      `SELECT "recipientDeviceId" FROM "SessionShare" WHERE "roomId" = $1 AND payload->>'sessionId' = $2`,
      [roomId, after],
    );
    expect(shares.rows.map((r) => r.recipientDeviceId)).toEqual(expect.arrayContaining(bobDevices));
    expect(shares.rows.map((r) => r.recipientDeviceId).filter((id) => carolDevices.includes(id))).toEqual([]);
  });

  // Carol, reloading, is a stranger to the room; the API agrees.
  await carol.reload();
  await expect(carol.getByTestId("room-error")).toContainText("No such room");
  expect((await carol.request.get(`/api/rooms/${roomId}/messages`)).status()).toBe(404);

  // ---- (d) the admin deactivates bob ---------------------------------------------
  // Another spec may have created this stack's first account: grant admin as an operator would.
  await withDb((db) => db.query(`UPDATE "User" SET role = 'admin' WHERE username = $1`, [aliceName]));
  const bobCookies = await bob.context().cookies();
  expect(bobCookies.length).toBeGreaterThan(0);
  await alice.getByTestId("nav-audit").click();
  const bobRow = alice.locator(`[data-testid="user-row"][data-username="${bobName}"]`);
  await expect(bobRow).toHaveAttribute("data-status", "active");
  await expect(bobRow.getByTestId("user-rooms")).toContainText(roomName);
  await bobRow.getByTestId("deactivate-user").click();
  await expect(bobRow.getByTestId("deactivate-confirm")).toContainText("ledger");
  await bobRow.getByTestId("deactivate-confirm-submit").click();
  await expect(bobRow).toHaveAttribute("data-status", "deactivated");
  await expect(bobRow.getByTestId("user-devices")).toContainText("0 active");
  await expect(alice.getByTestId("deactivate-done")).toContainText(`${bobName} is deactivated`);

  // Bob's open browser (in the room) is logged out.
  await expect(bob).toHaveURL(/\/login/);
  // His old cookie is refused everywhere, the key backup included.
  const old = await browser.newContext();
  await old.addCookies(bobCookies);
  const oldRequest = old.request;
  const base = new URL(alice.url()).origin;
  expect((await oldRequest.get(`${base}/api/auth/me`)).status()).toBe(401);
  expect((await oldRequest.get(`${base}/api/keys/backup`)).status()).toBe(401);
  await old.close();
  // Logging in again: the wrong-passphrase answer, nothing more.
  await bob.goto("/login");
  await bob.getByTestId("username").fill(bobName);
  await bob.getByTestId("passphrase").fill(PASSPHRASE);
  await bob.getByTestId("auth-submit").click();
  await expect(bob.getByTestId("auth-error")).toContainText("Wrong username or passphrase.");

  // The deactivation is in the audit log, attributed to alice.
  await withDb(async (db) => {
    const row = await db.query<{ deactivatedBy: string; leaf: string; kind: string; admin: string }>(
      `SELECT u."deactivatedBy", u."deactivationLeaf" AS leaf, l.kind, a.id AS admin
         FROM "User" u JOIN "AuditLeaf" l ON l."leafIndex" = u."deactivationLeaf" JOIN "User" a ON a.username = $2
        WHERE u.username = $1`,
      [bobName, aliceName],
    );
    expect(row.rows[0]).toMatchObject({ kind: "deactivation" });
    expect(row.rows[0]?.deactivatedBy).toBe(row.rows[0]?.admin);
    const sessions = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM "Session" s JOIN "User" u ON u.id = s."userId" WHERE u.username = $1`,
      [bobName],
    );
    expect(Number(sessions.rows[0]?.n)).toBe(0);
  });
});
