/**
 * Membership the server cannot fake, in Chromium (issue 9, test (c)): a member inserted
 * straight into the database — as a malicious operator would, bypassing the API and
 * its signed membership events — is shown as unverified, the room warns, and the next
 * message is shared with the signed members only: the database holds no session share
 * for the ghost's devices and the ghost's browser cannot read it. Signed changes show
 * in the timeline ("alice added carol").
 */
import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { createRoom, message, newPage, send, signUp, uniqueName, withDb } from "./helpers";

async function openRoom(page: Page, name: string): Promise<void> {
  await page.locator(`[data-testid="room-link"][data-room-name="${name}"]`).click();
  await expect(page.getByTestId("room-title")).toHaveText(name);
}

test("a member the database lists without a signed addition gets no keys, and the room says so", async ({ browser }) => {
  const [alice, bob, carol, mallory] = [await newPage(browser), await newPage(browser), await newPage(browser), await newPage(browser)];
  const [aliceName, bobName, carolName, malloryName] = ["alice", "bob", "carol", "mallory"].map(uniqueName) as [string, string, string, string];
  const roomName = uniqueName("ghost-");
  const secret = `for members only ${randomBytes(6).toString("hex")}`;
  for (const [page, name] of [[alice, aliceName], [bob, bobName], [carol, carolName], [mallory, malloryName]] as const) await signUp(page, name);

  const roomId = await createRoom(alice, roomName, bobName);
  await openRoom(bob, roomName);
  await expect(bob.getByRole("note").filter({ hasText: `${aliceName} created the room with ${bobName}` })).toBeVisible();

  // A signed addition through the UI shows in every member's timeline.
  await alice.getByTestId("add-member-input").fill(carolName);
  await alice.getByTestId("add-member-submit").click();
  await expect(bob.getByRole("note").filter({ hasText: `${aliceName} added ${carolName}` })).toBeVisible();
  await expect(alice.getByTestId("membership-warning")).toHaveCount(0);

  // The operator adds mallory behind the API's back.
  await withDb((db) =>
    db.query(`INSERT INTO "RoomMember" ("roomId", "userId") SELECT $1, id FROM "User" WHERE username = $2`, [roomId, malloryName]),
  );
  await alice.reload();
  await expect(alice.getByTestId("room-title")).toHaveText(roomName);
  const warning = alice.getByRole("alert").filter({ hasText: "Membership not verified" });
  await expect(warning).toContainText(`The server lists ${malloryName} as a member, but no member's signed addition names them`);
  await expect(alice.getByTestId("member-unverified")).toHaveText(`${malloryName} (unverified · no keys)`);
  await expect(alice.getByTestId("composer-input")).toBeEnabled();

  await send(alice, secret);
  await expect(message(alice, secret)).toHaveAttribute("data-state", "text");
  await expect(message(bob, secret)).toHaveAttribute("data-state", "text");

  // Mallory sees the room (the server says she is in it) but cannot read the message.
  await mallory.reload();
  await openRoom(mallory, roomName);
  await expect(mallory.getByTestId("message")).toHaveCount(1);
  await expect(mallory.getByTestId("message-body")).not.toContainText(secret);
  await withDb(async (db) => {
    const shares = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM "SessionShare" s JOIN "Device" d ON d.id = s."recipientDeviceId" JOIN "User" u ON u.id = d."userId"
        WHERE s."roomId" = $1 AND u.username = $2`,
      [roomId, malloryName],
    );
    expect(Number(shares.rows[0]?.n)).toBe(0);
    const toBob = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM "SessionShare" s JOIN "Device" d ON d.id = s."recipientDeviceId" JOIN "User" u ON u.id = d."userId"
        WHERE s."roomId" = $1 AND u.username = $2`,
      [roomId, bobName],
    );
    expect(Number(toBob.rows[0]?.n)).toBeGreaterThan(0);
    // The chain holds the two signed events, each an anchored-to-be audit leaf.
    const events = await db.query<{ kind: string }>(
      `SELECT l.kind FROM "RoomEvent" e JOIN "AuditLeaf" l ON l."leafIndex" = e."leafIndex" WHERE e."roomId" = $1 ORDER BY e.seq`,
      [roomId],
    );
    expect(events.rows.map((r) => r.kind)).toEqual(["membership", "membership"]);
  });
});
