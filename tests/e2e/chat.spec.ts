/**
 * The walking skeleton, end to end in Chromium: two people sign up in two browser
 * contexts, one creates a room with the other, they exchange messages both ways and
 * each sees the other's plaintext and the audit status "verified" (anchored, and the
 * browser checked the inclusion proof itself). Then the test reads
 * the database and the relay's log: the plaintext markers appear nowhere, and every
 * message's audit leaf hash is the one the ledger's state holds.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import pg from "pg";
import { logIn, message, newPage, PASSPHRASE, send, signUp, uniqueName } from "./helpers";

/** Anchored, and the browser checked the inclusion proof itself against the ledger's checkpoint. */
async function expectAnchored(page: Page, text: string): Promise<void> {
  // On Fabric, Org2's witness is named too: the status then says how many witnesses cosigned.
  await expect(message(page, text).getByTestId("message-status")).toHaveText(/^verified · checkpoint \d+( · cosigned by \d of \d witnesses)?$/, {
    timeout: 60_000,
  });
}

/** Every way a marker could show up in a text dump: as is, hex, base64 and base64url at each alignment. */
function encodings(marker: string): string[] {
  const bytes = Buffer.from(marker, "utf8");
  const out = [marker, bytes.toString("hex")];
  for (let shift = 0; shift < 3; shift++) {
    const b64 = Buffer.concat([Buffer.alloc(shift), bytes]).toString("base64");
    // Drop the characters that mix in the padding bytes or the following data.
    const inner = b64.slice(Math.ceil((shift * 4) / 3) + 1, Math.floor(((shift + bytes.length) * 4) / 3) - 1);
    out.push(inner, inner.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return out;
}

async function databaseText(client: pg.Client): Promise<string> {
  const tables = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  let dump = "";
  for (const { table_name } of tables.rows) {
    const rows = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${table_name}" t`);
    for (const r of rows.rows) dump += `${r.row}\n`;
  }
  return dump;
}

/**
 * The leaf hash the LEDGER holds for a leaf index, asked through the relay's
 * read-only ledger view with the user's session: the embedded ledger's world state
 * or the Fabric peers, whichever the stack runs on (CAIRN_E2E_LEDGER).
 */
async function ledgerLeafHash(page: Page, index: number): Promise<string | undefined> {
  const config = (await (await page.request.get("/api/config")).json()) as { relayUrl: string };
  const res = await page.request.get(`${config.relayUrl}/ledger/leaves/${index}`);
  if (!res.ok()) return undefined;
  return ((await res.json()) as { leafHash: string }).leafHash;
}

test("two people exchange end-to-end encrypted messages, stored only as ciphertext and anchored", async ({
  browser,
}) => {
  const alice = await newPage(browser);
  const bob = await newPage(browser);
  const aliceName = uniqueName("alice");
  const bobName = uniqueName("bob");
  const roomName = uniqueName("room-");
  const markers = [0, 1, 2].map(() => `mk${randomBytes(12).toString("hex")}`);
  const [m1, m2, m3] = markers as [string, string, string];

  await signUp(alice, aliceName);
  await signUp(bob, bobName);

  await alice.getByTestId("new-room-name").fill(roomName);
  await alice.getByTestId("new-room-members").fill(bobName);
  await alice.getByTestId("create-room").click();
  await expect(alice.getByTestId("room-title")).toHaveText(roomName);
  await expect(alice.getByTestId("room-members")).toContainText(bobName);
  await expect(alice.getByTestId("composer-input")).toBeEnabled();

  await send(alice, `hello bob ${m1}`);
  await expect(message(alice, m1)).toHaveAttribute("data-sender", aliceName);

  // Bob sees the room appear in his list and opens it.
  await bob.locator(`[data-testid="room-link"][data-room-name="${roomName}"]`).click();
  await expect(bob.getByTestId("room-title")).toHaveText(roomName);
  await expect(message(bob, m1)).toHaveAttribute("data-sender", aliceName);

  await send(bob, `hi alice ${m2}`);
  await expect(message(alice, m2)).toHaveAttribute("data-sender", bobName);
  await send(alice, `second from alice ${m3}`);
  await expect(message(bob, m3)).toBeVisible();

  for (const page of [alice, bob]) {
    for (const m of markers) await expectAnchored(page, m);
  }

  // After a reload, history decrypts again without retyping the passphrase.
  await bob.reload();
  await expect(message(bob, m1)).toBeVisible();
  await expect(message(bob, m2)).toBeVisible();
  await expectAnchored(bob, m3);

  // ---- what the servers kept ------------------------------------------------
  const databaseUrl = process.env.CAIRN_E2E_DATABASE_URL;
  const relayLog = process.env.CAIRN_E2E_RELAY_LOG;
  expect(databaseUrl, "CAIRN_E2E_DATABASE_URL").toBeTruthy();
  expect(relayLog, "CAIRN_E2E_RELAY_LOG").toBeTruthy();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const dump = await databaseText(client);
    const logs = [relayLog, process.env.CAIRN_E2E_WEB_LOG]
      .filter((p): p is string => typeof p === "string" && existsSync(p))
      .map((p) => readFileSync(p, "utf8"))
      .join("\n");
    expect(logs.length).toBeGreaterThan(0);
    for (const m of markers) {
      for (const form of encodings(m)) {
        expect(dump.includes(form), `marker ${m} (as ${form}) in the database`).toBe(false);
        expect(logs.includes(form), `marker ${m} (as ${form}) in the logs`).toBe(false);
      }
    }

    const stored = await client.query<{ leafIndex: string; leafHash: Buffer }>(
      `SELECT e."leafIndex"::text AS "leafIndex", a."leafHash"
         FROM "Envelope" e JOIN "Room" r ON r.id = e."roomId" JOIN "AuditLeaf" a ON a."leafIndex" = e."leafIndex"
        WHERE r.name = $1 ORDER BY e."roomSeq"`,
      [roomName],
    );
    expect(stored.rows).toHaveLength(markers.length);
    for (const row of stored.rows) {
      expect(await ledgerLeafHash(alice, Number(row.leafIndex)), `leaf ${row.leafIndex} on the ledger`).toBe(
        row.leafHash.toString("hex"),
      );
    }
  } finally {
    await client.end();
  }
});

test("clear messages for a taken username, an unknown user, a wrong passphrase, a wrong recovery key and a browser without keys", async ({
  browser,
}) => {
  const page = await newPage(browser);
  const name = uniqueName("carol");
  await signUp(page, name);
  await page.getByTestId("logout").click();
  await expect(page.getByTestId("login-form")).toBeVisible();

  await page.goto("/signup");
  await page.getByTestId("username").fill(name);
  await page.getByTestId("passphrase").fill(PASSPHRASE);
  await page.getByTestId("passphrase-confirm").fill(PASSPHRASE);
  await page.getByTestId("auth-submit").click();
  await expect(page.getByTestId("auth-error")).toHaveText(/That username is taken/);
  await expect(page.getByTestId("recovery-words")).toHaveCount(0);

  await logIn(page, uniqueName("nobody"), PASSPHRASE);
  await expect(page.getByTestId("auth-error")).toHaveText("Wrong username or passphrase.");

  await logIn(page, name, "not the passphrase");
  await expect(page.getByTestId("auth-error")).toHaveText("Wrong username or passphrase.");

  // The right passphrase works where the keys are...
  await logIn(page, name, PASSPHRASE);
  await expect(page.getByTestId("current-user")).toHaveText(name);

  // ...and a browser without the keys offers to restore them, refuses wrong words,
  // and cancelling leaves no usable session behind.
  const elsewhere = await newPage(browser);
  await logIn(elsewhere, name, PASSPHRASE);
  await expect(elsewhere.getByTestId("restore-form")).toBeVisible();
  await elsewhere.getByTestId("recovery-input").fill(Array(17).fill("babab").join(" "));
  await elsewhere.getByTestId("restore-submit").click();
  await expect(elsewhere.getByTestId("restore-error")).toContainText(/recovery key/);
  await elsewhere.getByTestId("restore-cancel").click();
  await expect(elsewhere.getByTestId("login-form")).toBeVisible();
  await elsewhere.goto("/rooms");
  await expect(elsewhere.getByTestId("login-form")).toBeVisible();
});
