/**
 * The example app, built and served like production, signs a user in through a
 * real OpenID provider in a real browser, keeps the session, and signs out; and
 * next to it, email + password accounts: sign-up on /register, sign-in on the
 * built-in sign-in page, each with a database session in SQLite.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import Database from "better-sqlite3";
import * as path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  artifactsDir,
  buildExampleApp,
  demoClient,
  getFreePort,
  launchBrowser,
  reportOnFailure,
  startExampleApp,
  startIdP,
  storedSessionKey,
  useFixtures,
} from "./harness.js";

const sessionCookieName = "authjs.session-token";

// The example keeps users and database sessions in SQLite; each run gets a fresh file.
const dbDir = mkdtempSync(path.join(tmpdir(), "latch-e2e-"));
const dbFile = path.join(dbDir, "latch.db");
/** The IdP's access-token lifetime in seconds. */
const ACCESS_TOKEN_TTL = 4;

const fixtures = useFixtures(async (cleanup) => {
  cleanup.defer(() => rmSync(dbDir, { recursive: true, force: true }));
  // The browser first: a missing Chromium should fail in a second, not after a build.
  const browser = cleanup.add(await launchBrowser());
  const buildOutput = await buildExampleApp();
  // The app's port is chosen before the IdP starts because the IdP must know the redirect URI.
  const port = await getFreePort();
  // Short-lived access tokens, so a test can watch getAccessToken() refresh one.
  const idp = cleanup.add(await startIdP({ redirectUris: [`http://127.0.0.1:${port}/api/auth/callback/local`], ttl: { AccessToken: ACCESS_TOKEN_TTL } }));
  const app = cleanup.add(
    await startExampleApp({
      port,
      env: {
        AUTH_URL: `http://127.0.0.1:${port}`,
        AUTH_LOCAL_ISSUER: idp.issuer,
        AUTH_LOCAL_SECRET: demoClient.clientSecret,
        LATCH_DB_FILE: dbFile,
      },
    }),
  );
  return { browser, idp, app, buildOutput };
});

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

/** The example's `[audit] {json}` lines, in order. */
function auditEvents(logs: string): Array<Record<string, unknown>> {
  const events: Array<Record<string, unknown>> = [];
  for (const line of logs.split("\n")) {
    const at = line.indexOf("[audit] ");
    if (at < 0) continue;
    const parsed: unknown = JSON.parse(line.slice(at + "[audit] ".length));
    if (isRecord(parsed)) events.push(parsed);
  }
  return events;
}

/** How many session rows the example's SQLite database holds for a token. */
function countSessions(sessionToken: string): number {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM sessions WHERE "sessionToken" = ?').get(storedSessionKey(sessionToken)) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Runs `read` on a read-only connection to the example's SQLite file (the server keeps writing to it). */
function readDb<T>(read: (db: Database.Database) => T): T {
  const db = new Database(dbFile, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

interface UserRow {
  id: string;
  name: string | null;
  email: string | null;
  emailVerified: number | null;
}

/** The users rows with this exact (stored) email address. */
function usersWithEmail(email: string): UserRow[] {
  return readDb((db) => db.prepare('SELECT id, name, email, "emailVerified" FROM users WHERE email = ?').all(email) as UserRow[]);
}

function countUsers(): number {
  return readDb((db) => (db.prepare("SELECT count(*) AS n FROM users").get() as { n: number }).n);
}

/** The example's stored password hash for a user (examples/next-app/db.ts), if any. */
function passwordHashOf(userId: string): string | undefined {
  return readDb((db) => (db.prepare('SELECT "passwordHash" FROM latch_example_passwords WHERE "userId" = ?').get(userId) as { passwordHash: string } | undefined)?.passwordHash);
}

/** The user a database session row belongs to, if the row exists. */
function sessionUserId(sessionToken: string): string | undefined {
  return readDb((db) => (db.prepare('SELECT "userId" FROM sessions WHERE "sessionToken" = ?').get(storedSessionKey(sessionToken)) as { userId: string } | undefined)?.userId);
}

/** The session cookie the browser holds for the app, if any. */
async function sessionCookie(context: BrowserContext): Promise<string | undefined> {
  return (await context.cookies(fixtures().app.url)).find((c) => c.name === sessionCookieName)?.value;
}

/** Fills in and submits the sign-up form of /register (the page must be open). */
async function submitRegistration(page: Page, fields: { email: string; password: string; confirm?: string }): Promise<void> {
  await page.getByLabel("Email").fill(fields.email);
  await page.getByLabel("Password", { exact: true }).fill(fields.password);
  await page.getByLabel("Confirm password").fill(fields.confirm ?? fields.password);
  await page.getByRole("button", { name: "Create account" }).click();
}

/** Signs up through /register in a browser context of its own, which it closes again; returns the new user's row. */
async function registerAccount(email: string, password: string): Promise<UserRow> {
  const { browser, app } = fixtures();
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${app.url}/register`);
    await submitRegistration(page, { email, password });
    await page.getByText(`Hello, ${email}!`).waitFor();
  } finally {
    await context.close();
  }
  const [user] = usersWithEmail(email);
  if (!user) throw new Error(`e2e: signing up as ${email} stored no user`);
  return user;
}

const signInFailedMessage = "Sign in failed. Check the details you provided are correct.";
const emailTakenMessage = "Could not create the account; if you already have one, sign in.";

/** `GET /api/me` with the browser's cookies: the session as a route handler's `auth()` sees it. */
async function readSession(context: BrowserContext): Promise<unknown> {
  const response = await context.request.get(`${fixtures().app.url}/api/me`);
  expect(response.status()).toBe(200);
  const body: unknown = await response.json();
  return body;
}

describe("sign-in through the local IdP", () => {
  it("builds without latch errors: auth() lets Next.js's dynamic-rendering signal through", () => {
    const { buildOutput } = fixtures();
    expect(buildOutput).toContain("/api/auth/[...nextauth]");
    expect(buildOutput).not.toContain("[latch][error]");
  });

  it("signs in, keeps the session across a reload, and signs out", async () => {
    const { browser, app } = fixtures();
    const context = await browser.newContext();
    const page = await context.newPage();
    reportOnFailure(page, "sign-in", { app });

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

    // The example's `audit` sink printed the story on the server's output, as a log shipper sees it.
    const mine = auditEvents(app.logs()).filter((event) => event.userId === id);
    // The home page's getAccessToken() may refresh the IdP's 4-second access token meanwhile.
    expect(mine.filter((event) => event.type !== "token-refreshed").map((event) => event.type)).toEqual(["sign-in", "new-device", "sign-out"]);
    for (const refreshed of mine.filter((event) => event.type === "token-refreshed")) expect(refreshed).toMatchObject({ kind: "provider", provider: "local" });
    expect(mine[0]).toMatchObject({ provider: "local", providerType: "oidc", newDevice: true, request: { userAgent: expect.stringContaining("Chrome") as unknown } });
    expect((await context.cookies(app.url)).find((c) => c.name === "latch.device"), "the device cookie stays after sign-out").toMatchObject({ httpOnly: true });
    expect(app.logs(), "no session token in the server's output").not.toContain(cookie?.value ?? "-");

    await context.close();
  });

  it("uses the IdP access token on the home page, refreshes it after expiry, and asks to sign in again once the grant is revoked", async () => {
    const { browser, app, idp } = fixtures();
    const context = await browser.newContext();
    const page = await context.newPage();
    reportOnFailure(page, "provider-access", { app });
    const access = page.getByTestId("provider-access");
    await page.goto(`${app.url}/`);
    await signInAsAlice(page);
    await expect.poll(() => access.textContent()).toBe("Your profile at Local demo IdP, fetched with your access token: Alice");

    // After the access token expired, the page still works: latch refreshed it, once.
    const grantsBefore = idp.refreshGrants.length;
    await new Promise((resolve) => setTimeout(resolve, ACCESS_TOKEN_TTL * 1_000 + 500));
    await page.reload();
    await expect.poll(() => access.textContent()).toContain("fetched with your access token: Alice");
    expect(idp.refreshGrants.slice(grantsBefore)).toEqual([true]);

    // Alice removes the app's access at the IdP (RFC 7009 revocation of its refresh token).
    const refreshToken = readDb((db) => {
      const row = db
        .prepare<[string], { refresh_token: string | null }>(`SELECT t.refresh_token FROM latch_provider_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = ? AND t.provider = 'local'`)
        .get("alice@example.test");
      return row?.refresh_token ?? undefined;
    });
    if (refreshToken === undefined) throw new Error("e2e: no refresh token stored for Alice");
    const revoked = await fetch(`${idp.issuer}/token/revocation`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${demoClient.clientId}:${demoClient.clientSecret}`).toString("base64")}`,
      },
      body: new URLSearchParams({ token: refreshToken, token_type_hint: "refresh_token" }),
    });
    expect(revoked.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, ACCESS_TOKEN_TTL * 1_000 + 500));
    await page.reload();
    await page.getByRole("heading", { name: "Access to Local demo IdP has ended" }).waitFor();
    // Next.js renders its own (empty) route announcer with role="alert" too.
    await page.getByRole("alert").filter({ hasText: "Sign in again to let this app use your account at Local demo IdP." }).waitFor();
    // Still signed in to the app: only the provider access ended. The session says so.
    await page.getByText("Hello, Alice!").waitFor();
    expect(await readSession(context)).toMatchObject({ session: { error: "RefreshTokenError", user: { name: "Alice" } } });
    mkdirSync(artifactsDir, { recursive: true });
    await page.screenshot({ path: path.join(artifactsDir, "provider-access-ended.png") });

    // The prompt signs in again through the IdP (which remembers Alice), and access is back.
    await page.getByRole("button", { name: "Sign in again" }).click();
    const username = page.getByLabel("Username");
    await username.or(access).waitFor();
    if (await username.isVisible()) await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.origin === app.url);
    await expect.poll(() => access.textContent()).toContain("fetched with your access token: Alice");
    expect(await readSession(context)).not.toMatchObject({ session: { error: "RefreshTokenError" } });
    await context.close();
  });

  it("renders on http://localhost while AUTH_URL names 127.0.0.1, and sign-in from 127.0.0.1 still works", async () => {
    const { browser, app } = fixtures();
    const context = await browser.newContext();
    const page = await context.newPage();
    reportOnFailure(page, "localhost", { app });
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

describe("email and password accounts", () => {
  it("creates an account on /register, lands home signed in with a database session, and signs out", async () => {
    const { browser, app } = fixtures();
    const context = await browser.newContext();
    const page = await context.newPage();
    reportOnFailure(page, "register", { app });
    const usersBefore = countUsers();

    await page.goto(`${app.url}/`);
    await page.getByText("You are not signed in.").waitFor();
    // The OIDC button stays; the email links sit next to it.
    await page.getByRole("button", { name: "Sign in", exact: true }).waitFor();
    expect(await page.getByRole("link", { name: "Sign in with email" }).getAttribute("href")).toBe("/api/auth/signin");
    await page.getByRole("link", { name: "Create an account" }).click();
    await page.waitForURL(`${app.url}/register`);

    // Typed with capitals: the account is stored, and greeted, under the normalized address.
    await submitRegistration(page, { email: "Ada.Lovelace@Example.TEST", password: "correct horse battery staple" });
    const email = "ada.lovelace@example.test";
    await page.waitForURL(`${app.url}/`);
    await page.getByText(`Hello, ${email}!`).waitFor();

    const users = usersWithEmail(email);
    expect(users).toHaveLength(1);
    expect(countUsers()).toBe(usersBefore + 1);
    const user = users[0];
    expect(user).toMatchObject({ name: null, email, emailVerified: null });
    // Only a scrypt hash is stored, at latch/password's default costs — never the password.
    expect(passwordHashOf(user?.id ?? "")).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);

    // A database session: an opaque token in the cookie, whose row names the new user.
    const token = await sessionCookie(context);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(sessionUserId(token ?? "")).toBe(user?.id);
    expect(await readSession(context)).toMatchObject({ session: { user: { email, id: user?.id } } });

    await page.reload();
    await page.getByText(`Hello, ${email}!`).waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You are not signed in.").waitFor();
    expect(await readSession(context)).toEqual({ session: null });
    expect(await sessionCookie(context)).toBeUndefined();
    expect(countSessions(token ?? "")).toBe(0);

    await context.close();
  });

  it("on the built-in sign-in page, refuses a wrong password and an unknown address alike, then signs in with the right password", async () => {
    const { browser, app } = fixtures();
    const email = "grace.hopper@example.test";
    const password = "a ship in port is safe";
    const user = await registerAccount(email, password);

    const context = await browser.newContext();
    const page = await context.newPage();
    reportOnFailure(page, "password-sign-in", { app });
    await page.goto(`${app.url}/`);
    await page.getByRole("link", { name: "Sign in with email" }).click();
    await page.waitForURL((url) => url.pathname === "/api/auth/signin");

    /** Submits the credentials form and waits for the page the POST ends on (after its 303). */
    const attempt = async (address: string, secret: string): Promise<void> => {
      // The form's fields carry the labels of the provider's `credentials` config.
      await page.getByLabel("Email").fill(address);
      await page.getByLabel("Password").fill(secret);
      const loaded = page.waitForEvent("load");
      await page.getByRole("button", { name: "Sign in with Email and password" }).click();
      await loaded;
    };

    await attempt(email, "not the password");
    await page.waitForURL((url) => url.pathname === "/api/auth/signin" && url.searchParams.get("error") === "CredentialsSignin");
    expect(await page.getByRole("alert").textContent()).toBe(signInFailedMessage);
    expect(await sessionCookie(context)).toBeUndefined();
    expect(await readSession(context)).toEqual({ session: null });

    // An address nobody signed up with gets the very same answer.
    await attempt("nobody@example.test", password);
    await page.waitForURL((url) => url.pathname === "/api/auth/signin" && url.searchParams.get("error") === "CredentialsSignin");
    expect(await page.getByRole("alert").textContent()).toBe(signInFailedMessage);
    expect(await sessionCookie(context)).toBeUndefined();

    // The right password, with the address typed in capitals: authorize() normalizes it.
    await attempt(email.toUpperCase(), password);
    await page.waitForURL(`${app.url}/`);
    await page.getByText(`Hello, ${email}!`).waitFor();
    const token = await sessionCookie(context);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(sessionUserId(token ?? "")).toBe(user.id);
    expect(await readSession(context)).toMatchObject({ session: { user: { email, id: user.id } } });

    await context.close();
  });

  it("answers a taken address with a neutral message, signs nobody in, and creates no second user", async () => {
    const { browser, app } = fixtures();
    const email = "katherine.johnson@example.test";
    const user = await registerAccount(email, "hidden figures 1962");
    const hash = passwordHashOf(user.id);
    expect(hash).toBeDefined();
    const usersBefore = countUsers();

    const context = await browser.newContext();
    const page = await context.newPage();
    reportOnFailure(page, "register-taken", { app });
    await page.goto(`${app.url}/register`);
    await submitRegistration(page, { email: "Katherine.Johnson@Example.TEST", password: "someone else's password" });

    await page.getByRole("alert").filter({ hasText: emailTakenMessage }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/register");
    // The address comes back (normalized) for another try; the passwords do not.
    expect(await page.getByLabel("Email").inputValue()).toBe(email);
    expect(await page.getByLabel("Password", { exact: true }).inputValue()).toBe("");
    expect(await sessionCookie(context)).toBeUndefined();
    expect(await readSession(context)).toEqual({ session: null });

    expect(usersWithEmail(email)).toEqual([user]);
    expect(countUsers()).toBe(usersBefore);
    // The existing account's password was not replaced.
    expect(passwordHashOf(user.id)).toBe(hash);

    await context.close();
  });

  it("gives an OIDC user's address the same neutral message, and no password to sign in with", async () => {
    const { browser, app } = fixtures();
    const signedIn = await browser.newContext();
    const alicePage = await signedIn.newPage();
    reportOnFailure(alicePage, "oidc-address-alice", { app });
    await alicePage.goto(`${app.url}/`);
    await signInAsAlice(alicePage);
    await signedIn.close();
    const [alice] = usersWithEmail("alice@example.test");
    expect(alice, "the local IdP's Alice is stored with her address").toBeDefined();
    const usersBefore = countUsers();

    const context = await browser.newContext();
    const page = await context.newPage();
    reportOnFailure(page, "oidc-address", { app });
    await page.goto(`${app.url}/register`);
    await submitRegistration(page, { email: "alice@example.test", password: "taking over alice" });
    await page.getByRole("alert").filter({ hasText: emailTakenMessage }).waitFor();
    expect(countUsers()).toBe(usersBefore);
    expect(passwordHashOf(alice?.id ?? "")).toBeUndefined();

    // Alice has no password: the credentials provider refuses her address whatever is typed.
    await page.goto(`${app.url}/api/auth/signin`);
    await page.getByLabel("Email").fill("alice@example.test");
    await page.getByLabel("Password").fill("taking over alice");
    await page.getByRole("button", { name: "Sign in with Email and password" }).click();
    await page.waitForURL((url) => url.searchParams.get("error") === "CredentialsSignin");
    expect(await sessionCookie(context)).toBeUndefined();

    await context.close();
  });

  it("validates the sign-up form on the server, with a message per field", async () => {
    const { browser, app } = fixtures();
    const context = await browser.newContext();
    const page = await context.newPage();
    reportOnFailure(page, "register-validation", { app });
    const usersBefore = countUsers();
    await page.goto(`${app.url}/register`);

    // Each field's message is tied to its input by id (aria-describedby).
    const fieldError = (field: "email" | "password" | "confirm") => page.locator(`#register-${field}-error`);

    // The browser cannot check that the two passwords match; the server does.
    await submitRegistration(page, { email: "mismatch@example.test", password: "first password", confirm: "second password" });
    await fieldError("confirm").filter({ hasText: "The passwords do not match." }).waitFor();
    expect(await page.getByLabel("Confirm password").getAttribute("aria-describedby")).toBe("register-confirm-error");

    // Past the browser's own checks (type="email", minlength), as a script or an old browser would post.
    await page.locator("form").evaluate((form) => form.setAttribute("novalidate", ""));
    await submitRegistration(page, { email: "a@example.test, b@example.test", password: "short" });
    await fieldError("email").filter({ hasText: "Enter a single valid email address, such as name@example.com." }).waitFor();
    await fieldError("password").filter({ hasText: "Use at least 8 characters for your password." }).waitFor();
    expect(await fieldError("confirm").count()).toBe(0);

    // 2,049 two-byte characters: 4,098 UTF-8 bytes, over latch/password's 4,096.
    const long = "é".repeat(2049);
    await submitRegistration(page, { email: "long@example.test", password: long });
    await fieldError("password").filter({ hasText: "Your password is too long: use at most 4096 bytes" }).waitFor();
    expect(await fieldError("email").count()).toBe(0);

    expect(countUsers()).toBe(usersBefore);
    expect(usersWithEmail("mismatch@example.test")).toEqual([]);
    expect(usersWithEmail("long@example.test")).toEqual([]);
    expect(await sessionCookie(context)).toBeUndefined();

    await context.close();
  });

  it("signs up and shows the neutral message without JavaScript", async () => {
    const { browser, app } = fixtures();
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    reportOnFailure(page, "register-no-js", { app });
    const email = "margaret.hamilton@example.test";
    const password = "apollo guidance computer";

    await page.goto(`${app.url}/register`);
    await submitRegistration(page, { email, password });
    await page.waitForURL(`${app.url}/`);
    await page.getByText(`Hello, ${email}!`).waitFor();
    const token = await sessionCookie(context);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(sessionUserId(token ?? "")).toBe(usersWithEmail(email)[0]?.id);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You are not signed in.").waitFor();
    expect(await sessionCookie(context)).toBeUndefined();

    // The form's answer is rendered by the server too: the taken address gets its message.
    await page.goto(`${app.url}/register`);
    await submitRegistration(page, { email, password: "another password" });
    await page.getByRole("alert").filter({ hasText: emailTakenMessage }).waitFor();
    expect(usersWithEmail(email)).toHaveLength(1);
    expect(await sessionCookie(context)).toBeUndefined();

    await context.close();
  });
});
