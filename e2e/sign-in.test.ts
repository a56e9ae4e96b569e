/**
 * The example app, built and served like production, signs a user in through a
 * real OpenID provider in a real browser, keeps the session, and signs out.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import Database from "better-sqlite3";
import * as path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import {
  buildExampleApp,
  demoClient,
  getFreePort,
  launchBrowser,
  repoRoot,
  startExampleApp,
  startIdP,
  type ExampleApp,
  type IdP,
} from "./harness.js";

const sessionCookieName = "authjs.session-token";
const artifactsDir = path.join(repoRoot, ".test-results", "e2e");

let browser: Browser | undefined;
let idp: IdP | undefined;
let app: ExampleApp | undefined;
let setupError: Error | undefined;
// The example keeps users and database sessions in SQLite; each run gets a fresh file.
const dbDir = mkdtempSync(path.join(tmpdir(), "latch-e2e-"));
const dbFile = path.join(dbDir, "latch.db");

/**
 * The shared fixtures. A failed `beforeAll` is remembered rather than thrown:
 * Vitest would report the tests as skipped, and a missing Chromium or a
 * broken build must fail every test with the reason.
 */
function fixtures(): { browser: Browser; idp: IdP; app: ExampleApp } {
  if (setupError !== undefined) throw setupError;
  if (!browser || !idp || !app) throw new Error("e2e: fixtures were not started");
  return { browser, idp, app };
}

let buildOutput = "";

beforeAll(async () => {
  try {
    // The browser first: a missing Chromium should fail in a second, not after a build.
    browser = await launchBrowser();
    buildOutput = await buildExampleApp();
    // The app's port is chosen before the IdP starts because the IdP must know the redirect URI.
    const port = await getFreePort();
    idp = await startIdP({ redirectUris: [`http://127.0.0.1:${port}/api/auth/callback/local`] });
    app = await startExampleApp({
      port,
      env: {
        AUTH_URL: `http://127.0.0.1:${port}`,
        AUTH_LOCAL_ISSUER: idp.issuer,
        AUTH_LOCAL_SECRET: demoClient.clientSecret,
        LATCH_DB_FILE: dbFile,
      },
    });
  } catch (error) {
    setupError = error instanceof Error ? error : new Error(String(error));
  }
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await idp?.close();
  rmSync(dbDir, { recursive: true, force: true });
});

/** On failure, shows what the server said and where the browser was. */
function reportOnFailure(page: Page, name: string): void {
  onTestFailed(async () => {
    mkdirSync(artifactsDir, { recursive: true });
    const screenshot = path.join(artifactsDir, `${name}-failure.png`);
    await page.screenshot({ path: screenshot, fullPage: true }).catch(() => undefined);
    console.error(`[e2e] browser was at ${page.url()}; screenshot: ${screenshot}`);
    console.error(`[e2e] next start output:\n${app?.logs() ?? "(app not started)"}`);
  });
}

/** From the app's home page, through the IdP's login form, back to the app signed in as Alice. */
async function signInAsAlice(page: Page): Promise<void> {
  const { app, idp } = fixtures();
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.origin === new URL(idp.issuer).origin);
  const username = page.getByLabel("Username");
  expect(await username.inputValue()).toBe("alice");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.origin === app.url);
  await page.getByText("Hello, Alice!").waitFor();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** How many session rows the example's SQLite database holds for a token. */
function countSessions(sessionToken: string): number {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM sessions WHERE "sessionToken" = ?').get(sessionToken) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** `GET /api/me` with the browser's cookies: the session as a route handler's `auth()` sees it. */
async function readSession(context: BrowserContext): Promise<unknown> {
  const response = await context.request.get(`${fixtures().app.url}/api/me`);
  expect(response.status()).toBe(200);
  const body: unknown = await response.json();
  return body;
}

describe("sign-in through the local IdP", () => {
  it("builds without latch errors: auth() lets Next.js's dynamic-rendering signal through", () => {
    fixtures();
    expect(buildOutput).toContain("/api/auth/[...nextauth]");
    expect(buildOutput).not.toContain("[latch][error]");
  });

  it("signs in, keeps the session across a reload, and signs out", async () => {
    const { browser, app } = fixtures();
    const context = await browser.newContext();
    const page = await context.newPage();
    reportOnFailure(page, "sign-in");

    // Set-Cookie as the server wrote it: the cookie jar alone cannot tell an
    // explicit SameSite=Lax from Chromium's default for a cookie without one.
    const sessionSetCookies: string[] = [];
    const headerReads: Promise<void>[] = [];
    page.on("response", (response) => {
      headerReads.push(
        response.headersArray().then(
          (headers) => {
            for (const { name, value } of headers) {
              if (name.toLowerCase() === "set-cookie" && value.startsWith(`${sessionCookieName}=`)) sessionSetCookies.push(value);
            }
          },
          () => undefined,
        ),
      );
    });

    await page.goto(`${app.url}/`);
    await page.getByText("You are not signed in.").waitFor();

    await signInAsAlice(page);
    mkdirSync(artifactsDir, { recursive: true });
    await page.screenshot({ path: path.join(artifactsDir, "signed-in.png") });

    await Promise.all(headerReads);
    const issued = sessionSetCookies.find((value) => !/max-age=0|expires=thu, 01 jan 1970/i.test(value));
    expect(issued, "the callback response sets the session cookie").toBeDefined();
    const attributes = (issued ?? "").split(";").map((part) => part.trim().toLowerCase());
    expect(attributes).toContain("httponly");
    expect(attributes).toContain("samesite=lax");
    expect(attributes).toContain("path=/");

    const cookie = (await context.cookies(app.url)).find((c) => c.name === sessionCookieName);
    expect(cookie, `the browser holds ${sessionCookieName}`).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
    // A database session: the cookie holds an opaque token, and the row is in SQLite.
    expect(cookie?.value).toMatch(/^[0-9a-f]{64}$/);
    expect(countSessions(cookie?.value ?? "")).toBe(1);

    await page.reload();
    await page.getByText("Hello, Alice!").waitFor();

    const signedIn = await readSession(context);
    expect(signedIn).toMatchObject({ session: { user: { name: "Alice" } } });
    // The `session` callback copies `token.sub` to `user.id`: it must arrive as a real id.
    const user = isRecord(signedIn) && isRecord(signedIn.session) ? signedIn.session.user : undefined;
    const id = isRecord(user) ? user.id : undefined;
    expect(typeof id === "string" && id.length > 0, `session.user.id is a non-empty string, got ${JSON.stringify(id)}`).toBe(true);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You are not signed in.").waitFor();
    expect(await readSession(context)).toEqual({ session: null });
    expect((await context.cookies(app.url)).some((c) => c.name === sessionCookieName)).toBe(false);
    // Sign-out deleted the row: the token is dead even if someone kept a copy.
    expect(countSessions(cookie?.value ?? "")).toBe(0);

    await context.close();
  });

  it("renders on http://localhost while AUTH_URL names 127.0.0.1, and sign-in from 127.0.0.1 still works", async () => {
    const { browser, app } = fixtures();
    const context = await browser.newContext();
    const page = await context.newPage();
    reportOnFailure(page, "localhost");
    const localhostUrl = `http://localhost:${app.port}/`;

    const first = await page.goto(localhostUrl);
    expect(first?.status()).toBe(200);
    await page.getByText("You are not signed in.").waitFor();

    await page.goto(`${app.url}/`);
    await signInAsAlice(page);
    expect(await readSession(context)).toMatchObject({ session: { user: { name: "Alice" } } });

    // With a session cookie for 127.0.0.1 in the browser, the other spelling must still render.
    const again = await page.goto(localhostUrl);
    expect(again?.status()).toBe(200);
    await page.getByRole("heading", { name: "latch example" }).waitFor();

    await context.close();
  });
});
