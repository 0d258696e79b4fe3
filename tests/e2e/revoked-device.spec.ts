/**
 * Device-bound sessions, end to end in Chromium (issue 9, test b):
 * - a user signs up on a laptop, then logs in on a second browser (no keys there:
 *   restored from the recovery words, a new device); the laptop revokes it: the second
 *   browser's session ends with the revocation, so every REST call it makes gets 401
 *   UNAUTHENTICATED (the key backup included), its socket is dropped and the relay
 *   refuses it, and its UI says it was revoked;
 * - the devices page lists where the user is logged in, and "Log out everywhere"
 *   (keeping this browser) ends the other browsers' sessions.
 */
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { io } from "socket.io-client";
import { newPage, PASSPHRASE, signUp, uniqueName, withDb } from "./helpers";

/** Logs in on a browser without keys and restores them from the recovery words (a new device). */
async function restoreOn(page: Page, username: string, words: string): Promise<void> {
  await page.goto("/login");
  await page.getByTestId("username").fill(username);
  await page.getByTestId("passphrase").fill(PASSPHRASE);
  await page.getByTestId("auth-submit").click();
  await expect(page.getByTestId("restore-form")).toBeVisible();
  await page.getByTestId("recovery-input").fill(words);
  await page.getByTestId("restore-submit").click();
  await expect(page.getByTestId("current-user")).toHaveText(username);
}

/** Waits until the sign-up's key backup is uploaded (a restore needs it). */
async function backupSynced(page: Page): Promise<void> {
  await page.getByTestId("nav-devices").click();
  await expect(page.getByTestId("backup-status")).toHaveAttribute("data-state", "synced");
}

async function status(request: APIRequestContext, method: "GET" | "PUT", path: string, origin: string) {
  const res =
    method === "GET"
      ? await request.get(path)
      : await request.put(path, { headers: { origin }, data: { ciphertext: "AAAA", version: 99 } });
  const body = (await res.json().catch(() => null)) as { error?: { code?: string } } | null;
  return { status: res.status(), code: body?.error?.code ?? null };
}

/** The relay's answer to a handshake with this browser's cookie naming `deviceId`. */
async function handshake(page: Page, deviceId: string, origin: string): Promise<string> {
  const { relayUrl } = (await (await page.request.get("/api/config")).json()) as { relayUrl: string };
  const cookie = (await page.context().cookies()).find((c) => c.name === "cairn_session");
  const socket = io(relayUrl, {
    transports: ["websocket"],
    reconnection: false,
    extraHeaders: { origin, ...(cookie ? { cookie: `cairn_session=${cookie.value}` } : {}) },
    auth: { deviceId },
  });
  try {
    return await new Promise<string>((resolve) => {
      socket.once("connect", () => resolve("connected"));
      socket.once("connect_error", (err: Error & { data?: { code?: string } }) => resolve(err.data?.code ?? err.message));
    });
  } finally {
    socket.close();
  }
}

test("a revoked device gets 401 from REST (the backup included), is disconnected and is told it was revoked", async ({
  browser,
  baseURL,
}) => {
  const origin = baseURL ?? "";
  const laptop = await newPage(browser);
  const name = uniqueName("alice");
  const words = await signUp(laptop, name);
  await backupSynced(laptop);

  const phone = await newPage(browser);
  await restoreOn(phone, name, words);
  // Connected to the relay, and REST works, the key backup included.
  await expect(phone.getByTitle("connected")).toBeVisible();
  expect(await status(phone.request, "GET", "/api/keys/backup", origin)).toEqual({ status: 200, code: null });

  // The laptop sees both log-ins, each with its device.
  await laptop.reload();
  await expect(laptop.getByTestId("session")).toHaveCount(2);
  await expect(laptop.getByTestId("this-session")).toHaveCount(1);
  const phoneRow = laptop.getByTestId("device").filter({ hasNot: laptop.getByTestId("this-device") });
  const phoneDeviceId = (await phoneRow.getAttribute("data-device-id")) ?? "";
  expect(phoneDeviceId).not.toBe("");
  await expect(laptop.locator(`[data-testid="session"][data-device-id="${phoneDeviceId}"]`)).toHaveCount(1);

  // ---- the laptop revokes the phone ------------------------------------------
  await phoneRow.getByTestId("device-revoke").click();
  await phoneRow.getByTestId("device-revoke-confirm").click();
  await expect(phoneRow).toHaveAttribute("data-revoked", "true");
  // Its log-in is gone from the list at once.
  await expect(laptop.getByTestId("session")).toHaveCount(1);
  await expect(laptop.locator(`[data-testid="session"][data-device-id="${phoneDeviceId}"]`)).toHaveCount(0);
  await withDb(async (db) => {
    const rows = await db.query(`SELECT 1 FROM "Session" WHERE "deviceId" = $1`, [phoneDeviceId]);
    expect(rows.rowCount).toBe(0);
  });

  // The phone's cookie opens nothing: 401 UNAUTHENTICATED everywhere, the backup first.
  const unauthenticated = { status: 401, code: "UNAUTHENTICATED" };
  expect(await status(phone.request, "GET", "/api/keys/backup", origin)).toEqual(unauthenticated);
  expect(await status(phone.request, "PUT", "/api/keys/backup", origin)).toEqual(unauthenticated);
  for (const path of ["/api/auth/me", "/api/rooms", "/api/devices", "/api/sessions"]) {
    expect(await status(phone.request, "GET", path, origin), path).toEqual(unauthenticated);
  }

  // Disconnected at once, and the relay refuses the device from now on.
  await expect(phone.getByTitle("offline")).toBeVisible();
  expect(await handshake(phone, phoneDeviceId, origin)).toBe("DEVICE_REVOKED");

  // Its UI says why, after a reload too.
  await phone.reload();
  await expect(phone.getByTestId("device-refused")).toContainText("revoked");

  // The laptop is untouched.
  expect(await status(laptop.request, "GET", "/api/keys/backup", origin)).toEqual({ status: 200, code: null });
  await expect(laptop.getByTitle("connected")).toBeVisible();
});

test("log out everywhere ends the other browsers' sessions and keeps this one", async ({ browser, baseURL }) => {
  const origin = baseURL ?? "";
  const laptop = await newPage(browser);
  const name = uniqueName("bob");
  const words = await signUp(laptop, name);
  await backupSynced(laptop);
  const phone = await newPage(browser);
  await restoreOn(phone, name, words);
  expect(await status(phone.request, "GET", "/api/auth/me", origin)).toEqual({ status: 200, code: null });

  await laptop.reload();
  await expect(laptop.getByTestId("session")).toHaveCount(2);
  await expect(laptop.getByTestId("logout-everywhere-keep")).toBeChecked();
  await laptop.getByRole("button", { name: "Log out everywhere" }).click();
  await expect(laptop.getByTestId("sessions-notice")).toHaveText("Ended 1 other session.");
  await expect(laptop.getByTestId("session")).toHaveCount(1);
  await expect(laptop.getByTestId("this-session")).toHaveCount(1);

  expect(await status(phone.request, "GET", "/api/auth/me", origin)).toEqual({ status: 401, code: "UNAUTHENTICATED" });
  expect(await status(phone.request, "GET", "/api/keys/backup", origin)).toEqual({ status: 401, code: "UNAUTHENTICATED" });
  expect(await status(laptop.request, "GET", "/api/auth/me", origin)).toEqual({ status: 200, code: null });
  // The phone's device is not revoked: logging in again there works without a restore.
  await phone.goto("/login");
  await phone.getByTestId("username").fill(name);
  await phone.getByTestId("passphrase").fill(PASSPHRASE);
  await phone.getByTestId("auth-submit").click();
  await expect(phone.getByTestId("current-user")).toHaveText(name);
});
