/**
 * Audit export and independent verification, end to end in Chromium: the admin (the
 * stack's first account) chats with a second user, exports the room from the admin
 * page (streamed, with progress), and verifies the downloaded bundle on the
 * compliance page — in the browser, against the relay's ledger view — with a clean
 * report. The member adds the plaintext of the messages their browser can read
 * (/disclose) and the disclosed bundle verifies with every plaintext checked by
 * decryption. A copy with one ciphertext byte edited shows the named finding on
 * exactly that message. A member is refused the compliance page and the export API.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { formatVerifierKey, SIG_TYPE_COSIGNATURE_V1 } from "@cairn/audit";
import { expect, test, type Page } from "@playwright/test";
import pg from "pg";
import { message, newPage, send, signUp, uniqueName } from "./helpers";

async function verifyFile(page: Page, file: string): Promise<void> {
  await page.getByTestId("verify-file").setInputFiles(file);
  await page.getByTestId("verify-start").click();
  await expect(page.getByTestId("verify-report")).toBeVisible();
}

test("an admin exports a room and a clean bundle verifies; one edited ciphertext byte is named on its message", async ({ browser }) => {
  const db = new pg.Client({ connectionString: process.env.CAIRN_E2E_DATABASE_URL });
  await db.connect();
  try {
    const admin = await newPage(browser);
    const bob = await newPage(browser);
    const adminName = uniqueName("admin");
    const bobName = uniqueName("bob");
    const roomName = uniqueName("audit-");

    const existing = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "User"`)).rows[0]?.n ?? 0);
    await signUp(admin, adminName);
    if (existing > 0) {
      // Another spec created this stack's first account: grant admin as an operator would.
      await db.query(`UPDATE "User" SET role = 'admin' WHERE username = $1`, [adminName]);
    }
    await signUp(bob, bobName);

    await admin.getByTestId("new-room-name").fill(roomName);
    await admin.getByTestId("new-room-members").fill(bobName);
    await admin.getByTestId("create-room").click();
    await expect(admin.getByTestId("room-title")).toHaveText(roomName);
    await expect(admin.getByTestId("composer-input")).toBeEnabled();
    const roomId = /\/rooms\/([0-9a-f-]{36})/.exec(admin.url())?.[1] ?? "";
    expect(roomId).not.toBe("");

    const texts = ["first for the record", "second for the record", "third for the record"];
    await send(admin, texts[0] as string);
    await bob.locator(`[data-testid="room-link"][data-room-name="${roomName}"]`).click();
    await expect(message(bob, texts[0] as string)).toBeVisible();
    await send(bob, texts[1] as string);
    await expect(message(admin, texts[1] as string)).toBeVisible();
    await send(admin, texts[2] as string);
    for (const t of texts) {
      await expect(message(admin, t).getByTestId("message-status")).toHaveText(/^(anchored|verified) · checkpoint/, { timeout: 60_000 });
    }
    // The top bar's audit link never covers the composer's Send button.
    const [navBox, sendBox] = await Promise.all([admin.getByTestId("nav-audit").boundingBox(), admin.getByTestId("composer-send").boundingBox()]);
    expect(navBox && sendBox).toBeTruthy();
    if (navBox && sendBox) {
      const apart =
        navBox.x + navBox.width <= sendBox.x || sendBox.x + sendBox.width <= navBox.x || navBox.y + navBox.height <= sendBox.y || sendBox.y + sendBox.height <= navBox.y;
      expect(apart).toBe(true);
    }
    if (process.env.CAIRN_E2E_SCREENSHOTS) await admin.screenshot({ path: path.join(process.env.CAIRN_E2E_SCREENSHOTS, "room.png") });

    // A member: no compliance page, no export.
    await bob.goto("/compliance");
    await expect(bob.getByTestId("forbidden")).toContainText("Only admins and compliance officers");
    const refused = await bob.request.get(`/api/admin/export?roomId=${roomId}`);
    expect(refused.status()).toBe(403);

    // The admin exports from the admin page.
    await admin.getByTestId("nav-audit").click();
    await expect(admin.getByTestId("audit-user")).toContainText("admin");
    await expect(admin.getByTestId("dashboard")).toBeVisible();
    await expect(admin.getByTestId("lag-chart")).toBeVisible();
    await admin.getByTestId("export-room").selectOption(roomId);
    const downloading = admin.waitForEvent("download");
    await admin.getByTestId("export-start").click();
    const download = await downloading;
    await expect(admin.getByTestId("export-done")).toContainText("Exported 3 messages");
    const dir = os.tmpdir();
    const clean = path.join(dir, `cairn-e2e-${randomBytes(4).toString("hex")}.jsonl`);
    await download.saveAs(clean);
    const lines = readFileSync(clean, "utf8").trimEnd().split("\n");
    const trailer = JSON.parse(lines.at(-1) as string) as { type: string; messages: number; exportLeafIndex: number };
    expect(trailer).toMatchObject({ type: "trailer", messages: 3 });

    // The export's own audit leaf is anchored with the next batch; verify after that.
    await expect
      .poll(async () => Number((await db.query<{ n: string | null }>(`SELECT max("treeSize") AS n FROM "Checkpoint"`)).rows[0]?.n ?? 0), { timeout: 60_000 })
      .toBeGreaterThan(trailer.exportLeafIndex);

    await admin.getByTestId("nav-compliance").click();
    await verifyFile(admin, clean);
    await expect(admin.getByTestId("verify-clean")).toBeVisible();
    // The room's signed membership chain came with the export, and every sender was a member.
    await expect(admin.getByTestId("membership-summary")).toContainText("signed event(s) replayed");
    // The chain's room head at the export's checkpoint proves nothing anchored was left out.
    await expect(admin.getByTestId("completeness-summary")).toHaveAttribute("data-status", "proven");
    await expect(admin.getByTestId("message-row")).toHaveCount(3);
    await expect(admin.locator('[data-testid="message-row"][data-status="ok"]')).toHaveCount(3);
    await expect(admin.getByTestId("timeline")).toBeVisible();
    await expect(admin.getByTestId("witness-summary")).toContainText("none required");

    // An officer who trusts a witness that never cosigned these checkpoints: each one fails the policy.
    const stranger = formatVerifierKey("witness.elsewhere.example", SIG_TYPE_COSIGNATURE_V1, new Uint8Array(32).fill(3));
    await admin.getByLabel(/Witness keys you trust/).fill(stranger);
    await admin.getByTestId("verify-start").click();
    await expect(admin.getByTestId("verify-failed")).toBeVisible();
    await expect(admin.getByTestId("finding-counts")).toContainText("unwitnessed-checkpoint");
    await expect(admin.getByTestId("witness-summary")).toContainText("witnesses: 0 of");
    await admin.getByLabel(/Witness keys you trust/).fill("");

    // The member adds the plaintext their browser can read (their own message, and the admin's).
    await bob.goto("/disclose");
    await bob.getByTestId("disclose-file").setInputFiles(clean);
    const disclosing = bob.waitForEvent("download");
    await bob.getByTestId("disclose-start").click();
    const disclosedDownload = await disclosing;
    await expect(bob.getByTestId("disclose-count")).toHaveText("3");
    const disclosed = path.join(dir, `cairn-e2e-disclosed-${randomBytes(4).toString("hex")}.jsonl`);
    await disclosedDownload.saveAs(disclosed);
    const disclosedLines = readFileSync(disclosed, "utf8").trimEnd().split("\n");
    expect(disclosedLines).toHaveLength(lines.length);
    for (const l of disclosedLines) {
      const v = JSON.parse(l) as { type: string; plaintext?: { body: string } | null };
      if (v.type !== "message") continue;
      const body = JSON.parse(Buffer.from(v.plaintext?.body ?? "", "base64url").toString("utf8")) as { body: string };
      expect(texts).toContain(body.body);
    }
    await admin.reload();
    await verifyFile(admin, disclosed);
    await expect(admin.getByTestId("verify-clean")).toBeVisible();
    await expect(admin.getByTestId("plaintext-checked")).toHaveText("Plaintext checked 3");

    // One ciphertext byte edited in the second message.
    const tampered = path.join(dir, `cairn-e2e-tampered-${randomBytes(4).toString("hex")}.jsonl`);
    writeFileSync(
      tampered,
      `${lines
        .map((l) => {
          const v = JSON.parse(l) as { type: string; roomSeq?: number; envelope?: { ciphertext: string } };
          if (v.type !== "message" || v.roomSeq !== 2 || !v.envelope) return l;
          const c = v.envelope.ciphertext;
          return l.replace(`"ciphertext":"${c}"`, `"ciphertext":"${c.slice(0, 10)}${c[10] === "A" ? "B" : "A"}${c.slice(11)}"`);
        })
        .join("\n")}\n`,
    );
    await admin.reload();
    await verifyFile(admin, tampered);
    await expect(admin.getByTestId("verify-failed")).toBeVisible();
    const row = admin.locator('[data-testid="message-row"][data-room-seq="2"]');
    await expect(row).toHaveAttribute("data-status", "finding");
    await expect(row.getByTestId("finding-code")).toContainText(["edited-ciphertext"]);
    await expect(admin.locator('[data-testid="message-row"][data-status="ok"]')).toHaveCount(2);
    await expect(admin.getByTestId("timeline-flagged")).toHaveCount(1);
  } finally {
    await db.end();
  }
});
