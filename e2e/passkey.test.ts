/**
 * Passkeys in a real browser: the passkey fixture (e2e/apps/passkey — the Passkey provider, the
 * SQLite adapter, database sessions), built and served like production, driven by Chromium with
 * a virtual authenticator (CDP WebAuthn domain: CTAP2, internal transport, resident keys, user
 * verification). A user creates an account with a passkey on the built-in sign-in page, signs
 * out, signs in again with the passkey — from the email field's autofill (conditional UI, which
 * the virtual authenticator answers at once), and with the button (on a second server of the
 * same app with conditional UI off) — and the server-rendered page shows who they are, with the
 * page's inline script allowed by its CSP nonce and nothing refused by the CSP. On a sign-in page
 * of the app's own (e2e/apps/passkey/app/custom), `signIn` from `latch/webauthn` does the same.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import Database from "better-sqlite3";
import type { CDPSession } from "playwright-core";
import { describe, expect, it } from "vitest";
import { buildExampleApp, getFreePort, launchBrowser, repoRoot, reportOnFailure, startExampleApp, useFixtures } from "./harness.js";

const passkeyDir = path.join(repoRoot, "e2e", "apps", "passkey");
const dbDir = mkdtempSync(path.join(tmpdir(), "latch-e2e-passkey-"));
const dbFile = path.join(dbDir, "passkey.db");

const fixtures = useFixtures(async (cleanup) => {
  cleanup.defer(() => rmSync(dbDir, { recursive: true, force: true }));
  const browser = cleanup.add(await launchBrowser());
  await buildExampleApp(passkeyDir);
  const port = await getFreePort();
  /** Where the browser reaches the app: `localhost`, since an IP address cannot be a WebAuthn RP ID. */
  const siteUrl = `http://localhost:${port}`;
  // http://localhost is a secure context for Chromium; AUTH_URL makes it the relying party.
  const app = cleanup.add(await startExampleApp({ port, appDir: passkeyDir, env: { AUTH_URL: siteUrl, PASSKEY_DB_FILE: dbFile } }));
  const buttonPort = await getFreePort();
  /** The same app and database with conditional UI off (same RP ID: ports do not count). */
  const buttonSiteUrl = `http://localhost:${buttonPort}`;
  cleanup.add(await startExampleApp({ port: buttonPort, appDir: passkeyDir, env: { AUTH_URL: buttonSiteUrl, PASSKEY_DB_FILE: dbFile, PASSKEY_CONDITIONAL_UI: "off", PASSKEY_SIGN_UP_LIMIT: "1" } }));
  return { browser, app, siteUrl, buttonSiteUrl };
});

function readDb<T>(read: (db: Database.Database) => T): T {
  const db = new Database(dbFile, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  signCount: number;
}

/** A virtual platform authenticator (like a phone's or a laptop's) that verifies its user. */
async function addVirtualAuthenticator(cdp: CDPSession): Promise<string> {
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return authenticatorId;
}

async function credentialsOf(cdp: CDPSession, authenticatorId: string): Promise<VirtualCredential[]> {
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  return credentials;
}

describe("passkeys in Chromium", () => {
  it("creates an account with a passkey, signs out, signs in with the passkey, and the page shows the user", async () => {
    const { browser, app, siteUrl, buttonSiteUrl } = fixtures();
    const context = await browser.newContext();
    const page = await context.newPage();
    reportOnFailure(page, "passkey", { app });
    const refusedByCsp: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" && /Content Security Policy|Refused to/i.test(message.text())) refusedByCsp.push(message.text());
    });
    const cdp = await context.newCDPSession(page);
    const authenticatorId = await addVirtualAuthenticator(cdp);

    await page.goto(`${siteUrl}/`);
    await expect.poll(() => page.getByTestId("who").textContent()).toBe("Not signed in");
    await page.getByRole("link", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname === "/api/auth/signin");
    // The script revealed the passkey section (it stays hidden without JavaScript).
    await page.getByRole("button", { name: "Sign in with passkey" }).waitFor();
    expect(await page.getByLabel("Email").getAttribute("autocomplete")).toBe("username webauthn");

    // Registration, while the conditional (autofill) request started on load is still pending.
    await page.getByLabel("Email").fill("Pat@Example.com");
    await page.getByRole("button", { name: "Create an account with a passkey" }).click();
    await page.waitForURL(`${siteUrl}/`);
    await expect.poll(() => page.getByTestId("who").textContent()).toBe("Signed in as pat@example.com");

    const created = await credentialsOf(cdp, authenticatorId);
    expect(created).toHaveLength(1);
    expect(created[0]!.isResidentCredential).toBe(true);
    const stored = readDb((db) => db.prepare('SELECT "credentialID", counter FROM authenticators').all() as Array<{ credentialID: string; counter: number }>);
    expect(stored).toHaveLength(1);
    // Chromium reports the id base64url; latch stores it base64, as Auth.js does.
    expect(Buffer.from(stored[0]!.credentialID, "base64").toString("base64url")).toBe(Buffer.from(created[0]!.credentialId, "base64").toString("base64url"));

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.getByTestId("who").textContent()).toBe("Not signed in");
    expect((await context.cookies()).some((c) => c.name === "authjs.session-token")).toBe(false);

    // Conditional UI: opening the sign-in page asks for a passkey in the email field's autofill;
    // the virtual authenticator picks the account's passkey at once, and the page signs in.
    await page.getByRole("link", { name: "Sign in" }).click();
    await page.waitForURL(`${siteUrl}/`);
    await expect.poll(() => page.getByTestId("who").textContent()).toBe("Signed in as pat@example.com");
    const autofilled = await credentialsOf(cdp, authenticatorId);
    expect(autofilled[0]!.signCount).toBeGreaterThan(created[0]!.signCount);
    const counter = () => readDb((db) => (db.prepare("SELECT counter FROM authenticators").get() as { counter: number }).counter);
    expect(counter()).toBe(autofilled[0]!.signCount);
    // The challenge cookie was used up.
    expect((await context.cookies()).some((c) => c.name === "authjs.challenge")).toBe(false);

    // The button, usernameless (no address typed), where no autofill request runs first.
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.getByTestId("who").textContent()).toBe("Not signed in");
    await page.goto(`${buttonSiteUrl}/api/auth/signin?callbackUrl=%2F`);
    expect(await page.getByLabel("Email").getAttribute("autocomplete")).toBe("username webauthn");
    await page.getByRole("button", { name: "Sign in with passkey" }).click();
    await page.waitForURL(`${buttonSiteUrl}/`);
    await expect.poll(() => page.getByTestId("who").textContent()).toBe("Signed in as pat@example.com");
    const pressed = await credentialsOf(cdp, authenticatorId);
    expect(pressed[0]!.signCount).toBeGreaterThan(autofilled[0]!.signCount);
    expect(counter()).toBe(pressed[0]!.signCount);

    // Signed in, the sign-in page offers to add a passkey to this account instead of a new one.
    await page.getByRole("link", { name: "Add a passkey" }).click();
    await page.waitForURL((url) => url.pathname === "/api/auth/signin");
    await page.getByText("Signed in as pat@example.com.").waitFor();
    await page.getByRole("button", { name: "Add a passkey to your account" }).waitFor();
    expect(await page.getByRole("button", { name: "Create an account with a passkey" }).count()).toBe(0);

    expect(refusedByCsp).toEqual([]);
    await context.close();
  });

  it("shows the refusal on the page when the address already has an account, and creates no passkey", async () => {
    const { browser, app, siteUrl } = fixtures();
    const context = await browser.newContext();
    const page = await context.newPage();
    reportOnFailure(page, "passkey-taken", { app });
    const cdp = await context.newCDPSession(page);
    const authenticatorId = await addVirtualAuthenticator(cdp);
    await page.goto(`${siteUrl}/api/auth/signin`);
    await page.getByLabel("Email").fill("pat@example.com");
    await page.getByRole("button", { name: "Create an account with a passkey" }).click();
    await page.getByRole("alert").filter({ hasText: "already belongs to an account" }).waitFor();
    expect(page.url()).toBe(`${siteUrl}/api/auth/signin`);
    expect(await credentialsOf(cdp, authenticatorId)).toHaveLength(0);
    await context.close();
  });

  it("says there were too many attempts once this browser's address has asked about too many accounts", async () => {
    const { browser, app, buttonSiteUrl } = fixtures();
    const context = await browser.newContext();
    const page = await context.newPage();
    reportOnFailure(page, "passkey-sign-up-limit", { app });
    const cdp = await context.newCDPSession(page);
    const authenticatorId = await addVirtualAuthenticator(cdp);
    // The second server allows one sign-up question per client address in 15 minutes.
    await page.goto(`${buttonSiteUrl}/api/auth/signin`);
    const create = page.getByRole("button", { name: "Create an account with a passkey" });
    await page.getByLabel("Email").fill("pat@example.com");
    await create.click();
    await page.getByRole("alert").filter({ hasText: "already belongs to an account" }).waitFor();
    await page.getByLabel("Email").fill("someone-new@example.com");
    await create.click();
    await page.getByRole("alert").filter({ hasText: "Too many attempts" }).waitFor();
    expect(await credentialsOf(cdp, authenticatorId)).toHaveLength(0);
    expect(readDb((db) => db.prepare("SELECT count(*) AS n FROM users WHERE email = ?").get("someone-new@example.com") as { n: number }).n).toBe(0);
    await context.close();
  });
  it("creates and uses a passkey from the app's own page with signIn from latch/webauthn", async () => {
    const { browser, app, siteUrl } = fixtures();
    const context = await browser.newContext();
    const page = await context.newPage();
    reportOnFailure(page, "passkey-custom-page", { app });
    const cdp = await context.newCDPSession(page);
    const authenticatorId = await addVirtualAuthenticator(cdp);
    const result = page.getByTestId("result");

    await page.goto(`${siteUrl}/custom`);
    await page.getByLabel("Email").fill("custom@example.com");
    await page.getByRole("button", { name: "Create with latch/webauthn" }).click();
    await expect.poll(() => result.textContent()).toBe(`signed in: ${siteUrl}/`);
    expect(await credentialsOf(cdp, authenticatorId)).toHaveLength(1);
    expect(readDb((db) => db.prepare('SELECT count(*) AS n FROM authenticators a JOIN users u ON u.id = a."userId" WHERE u.email = ?').get("custom@example.com") as { n: number }).n).toBe(1);
    await page.goto(`${siteUrl}/`);
    await expect.poll(() => page.getByTestId("who").textContent()).toBe("Signed in as custom@example.com");

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.getByTestId("who").textContent()).toBe("Not signed in");
    await page.goto(`${siteUrl}/custom`);
    await page.getByRole("button", { name: "Sign in with latch/webauthn" }).click();
    await expect.poll(() => result.textContent()).toBe(`signed in: ${siteUrl}/`);
    await page.goto(`${siteUrl}/`);
    await expect.poll(() => page.getByTestId("who").textContent()).toBe("Signed in as custom@example.com");

    // The address now has an account: a second sign-up with it is refused by the server, and the device makes nothing.
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.getByTestId("who").textContent()).toBe("Not signed in");
    await page.goto(`${siteUrl}/custom`);
    await page.getByLabel("Email").fill("custom@example.com");
    await page.getByRole("button", { name: "Create with latch/webauthn" }).click();
    await expect.poll(() => result.textContent()).toBe("error: WebAuthnVerificationError");
    expect(await credentialsOf(cdp, authenticatorId)).toHaveLength(1);
    await context.close();
  });
});
