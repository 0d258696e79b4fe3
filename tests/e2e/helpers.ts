/** Steps the browser specs share: accounts, pages, sending and finding messages. */
import { randomBytes } from "node:crypto";
import { expect, type Browser, type Page } from "@playwright/test";
import pg from "pg";

export const PASSPHRASE = "correct horse battery staple";

export function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(4).toString("hex")}`;
}

/** A page in a fresh browser context: its own cookies and IndexedDB, as another browser. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

/** Signs up, writes down the recovery words and retypes the ones asked for; returns the words. */
export async function signUp(page: Page, username: string, passphrase = PASSPHRASE): Promise<string> {
  await page.goto("/signup");
  await page.getByTestId("username").fill(username);
  await page.getByTestId("passphrase").fill(passphrase);
  await page.getByTestId("passphrase-confirm").fill(passphrase);
  await page.getByTestId("auth-submit").click();
  const words = (await page.getByTestId("recovery-words").getAttribute("data-words")) ?? "";
  expect(words.split(" ")).toHaveLength(17);
  await page.getByTestId("recovery-saved").click();
  const list = words.split(" ");
  for (const input of await page.getByTestId("recovery-confirm-word").all()) {
    await input.fill(list[Number(await input.getAttribute("data-position"))] ?? "");
  }
  await page.getByTestId("recovery-confirm-submit").click();
  await expect(page.getByTestId("current-user")).toHaveText(username);
  return words;
}

export async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId("composer-input").fill(text);
  await page.getByTestId("composer-send").click();
}

/** The message whose plaintext contains `text`, once decrypted. */
export function message(page: Page, text: string) {
  return page.getByTestId("message").filter({ has: page.getByTestId("message-body").getByText(text) });
}

/** Logs in on the login page (the outcome is the caller's to check). */
export async function logIn(page: Page, username: string, passphrase: string): Promise<void> {
  await page.goto("/login");
  await page.getByTestId("username").fill(username);
  await page.getByTestId("passphrase").fill(passphrase);
  await page.getByTestId("auth-submit").click();
}

/** Runs `fn` with a client of the stack's database (what an operator could read and write). */
export async function withDb<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = process.env.CAIRN_E2E_DATABASE_URL;
  expect(url, "CAIRN_E2E_DATABASE_URL").toBeTruthy();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates a room from the sidebar (`members`: usernames separated by spaces) and returns its id once open. */
export async function createRoom(page: Page, name: string, members: string): Promise<string> {
  await page.getByTestId("new-room-name").fill(name);
  await page.getByTestId("new-room-members").fill(members);
  await page.getByTestId("create-room").click();
  await expect(page.getByTestId("room-title")).toHaveText(name);
  await expect(page.getByTestId("composer-input")).toBeEnabled();
  return (await page.getByTestId("room").getAttribute("data-room-id")) ?? "";
}
