/**
 * latch/react in a real browser, against the client fixture (e2e/apps/client: Credentials, JWT
 * sessions, an in-memory revocation store) served by `next start`: tabs kept in sync, refetch
 * on focus, on reconnect and on an interval, an expired session shown as signed out without a
 * reload, failures that keep the state, the next-auth bugs latch fixes (#9504/#11125 stale
 * `useSession` after a server action, #13173 `update()` dropped while loading), next-auth's
 * behaviour it keeps (#11002 `update()` without data is a plain refetch; `signIn`/`signOut` with
 * `redirect: false` resolve once `useSession` has the new state), and the bearer flow (a token in localStorage sent as Authorization: Bearer, renewed
 * silently, a 401 renewed and retried once, dropped in every tab at sign-out).
 */
import * as path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { buildExampleApp, getFreePort, launchBrowser, repoRoot, reportOnFailure, startExampleApp, useFixtures } from "./harness.js";

const clientDir = path.join(repoRoot, "e2e", "apps", "client");
/** The fixture's short-lived server: sessions of 4 seconds. */
const SHORT_MAX_AGE_SECONDS = 4;
/** Bearer tokens of the main server live 4 seconds, so a test sees one expire. */
const BEARER_MAX_AGE_SECONDS = 4;

const contexts: BrowserContext[] = [];

const fixtures = useFixtures(async (cleanup) => {
  // The browser first: a missing Chromium should fail in a second, not after a build.
  const browser = cleanup.add(await launchBrowser());
  cleanup.defer(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
  });
  await buildExampleApp(clientDir);
  const port = await getFreePort();
  const app = cleanup.add(
    await startExampleApp({ port, appDir: clientDir, env: { AUTH_URL: `http://127.0.0.1:${port}`, CLIENT_BEARER_MAX_AGE: String(BEARER_MAX_AGE_SECONDS) } }),
  );
  const shortPort = await getFreePort();
  const shortApp = cleanup.add(
    await startExampleApp({
      port: shortPort,
      appDir: clientDir,
      env: { AUTH_URL: `http://127.0.0.1:${shortPort}`, CLIENT_SESSION_MAX_AGE: String(SHORT_MAX_AGE_SECONDS) },
    }),
  );
  return { browser, app, shortApp };
});

/** A fresh browser profile (its own cookies and storage), closed after the run. */
async function newContext(): Promise<BrowserContext> {
  const context = await fixtures().browser.newContext();
  contexts.push(context);
  return context;
}

/** On failure, shows what the servers said and where each page was. */
function report(pages: Page[], name: string): void {
  const { app, shortApp } = fixtures();
  reportOnFailure(pages, `client-${name}`, { app, "short-lived app": shortApp });
}

/** Opens a page of the context at `url` and waits for the hydrated panel (its status leaves "loading"). */
async function open(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.getByTestId("status").waitFor();
  return page;
}

/** Waits until the element with this test id shows exactly `text`; fails after `timeout` ms. */
async function waitForText(page: Page, testId: string, text: string, timeout = 5_000): Promise<void> {
  try {
    await page.waitForFunction(([id, expected]) => document.querySelector(`[data-testid="${id}"]`)?.textContent === expected, [testId, text] as const, {
      timeout,
      polling: 50,
    });
  } catch {
    const actual = await page.getByTestId(testId).textContent().catch(() => "(missing)");
    throw new Error(`e2e: [data-testid="${testId}"] did not show ${JSON.stringify(text)} within ${timeout} ms; it shows ${JSON.stringify(actual)}`);
  }
}

/** The text of the element with this test id. */
async function textOf(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).textContent()) ?? "";
}

/** What the last client-side call of the panel resolved to, as JSON. */
async function lastResult(page: Page): Promise<unknown> {
  await page.waitForFunction(() => (document.querySelector('[data-testid="result"]')?.textContent ?? "") !== "", undefined, { timeout: 10_000, polling: 50 });
  const text = await textOf(page, "result");
  if (text.startsWith("error: ")) throw new Error(`e2e: the client call failed: ${text}`);
  return JSON.parse(text);
}

/** Fills the panel's credentials and presses a button; resolves to what the call returned. */
async function pressWithCredentials(page: Page, button: string, username: string, password = `${username}-password`): Promise<unknown> {
  await page.getByTestId("client-username").fill(username);
  await page.getByTestId("client-password").fill(password);
  await page.getByRole("button", { name: button, exact: true }).click();
  return lastResult(page);
}

/** `signIn("credentials", { redirect: false })` from the panel, then the panel shows the user. */
async function clientSignIn(page: Page, username: string): Promise<void> {
  await pressWithCredentials(page, "Client sign in", username);
  await waitForText(page, "status", "authenticated");
}

/** Marks the document, so a test can tell that the page was not loaded again. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => document.documentElement.setAttribute("data-e2e-same-document", "yes"));
}

async function isSameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.getAttribute("data-e2e-same-document") === "yes");
}

/** What visibilitychange to "visible" looks like to the page, as when the user comes back to the tab. */
async function emulateTabFocus(page: Page): Promise<void> {
  await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
}

/**
 * Signs the browser's session out behind the browser's back: a raw POST /signout carrying the
 * browser's cookies. The browser keeps its cookie; the fixture's revocation store is what ends
 * the session, as another device of the same user, or an admin, would.
 */
async function signOutBehindTheBrowser(context: BrowserContext, base: string): Promise<void> {
  const jar = new Map((await context.cookies(base)).map((cookie) => [cookie.name, cookie.value]));
  const cookieHeader = (): string => [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
  const csrf = await fetch(`${base}/api/auth/csrf`, { headers: { cookie: cookieHeader() } });
  for (const line of csrf.headers.getSetCookie()) {
    const [pair = ""] = line.split(";");
    const at = pair.indexOf("=");
    jar.set(pair.slice(0, at), pair.slice(at + 1));
  }
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await fetch(`${base}/api/auth/signout`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: cookieHeader(), "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1" },
    body: new URLSearchParams({ csrfToken }),
  });
  expect(response.status).toBe(200);
  // The browser's cookie is still there, and the server no longer takes it.
  const check = await fetch(`${base}/api/auth/session`, { headers: { cookie: cookieHeader() } });
  expect(await check.json()).toBeNull();
}

/** Records when the page asks GET /api/auth/session. */
function recordSessionRequests(page: Page): number[] {
  const times: number[] = [];
  page.on("request", (request) => {
    if (request.method() === "GET" && new URL(request.url()).pathname === "/api/auth/session") times.push(Date.now());
  });
  return times;
}

describe("tabs stay in sync", () => {
  it("sign-in and sign-out in one tab reach the other tab within a second", async () => {
    const { app } = fixtures();
    const context = await newContext();
    const a = await open(context, app.url);
    const b = await open(context, app.url);
    report([a, b], "tabs-sign-out");
    await waitForText(a, "status", "unauthenticated");
    await waitForText(b, "status", "unauthenticated");

    await clientSignIn(a, "alice");
    await waitForText(b, "status", "authenticated", 1_000);
    expect(await textOf(b, "user-name")).toBe("Alice");

    await a.getByRole("button", { name: "Client sign out", exact: true }).click();
    expect(await lastResult(a)).toEqual({ url: `${app.url}/` });
    // As in next-auth, signOut({ redirect: false }) resolved once this tab's useSession was signed out.
    expect(await textOf(a, "status")).toBe("unauthenticated");
    await waitForText(b, "status", "unauthenticated", 1_000);
    await waitForText(a, "status", "unauthenticated", 1_000);
  });

  it("a renewal another tab sent before sign-out cannot write the session cookie back: the sign-out waits for its answer", async () => {
    const { app } = fixtures();
    const context = await newContext();
    const a = await open(context, app.url);
    const b = await open(context, app.url);
    report([a, b], "sign-out-after-renewal");
    await clientSignIn(a, "erin");
    await waitForText(b, "status", "authenticated", 1_000);

    // Tab b's next session request: the server renews the cookie at once, the answer (and its
    // Set-Cookie) reaches the browser 1.5 s later — a slow network, as the race needs.
    let answered = 0;
    let renewed: () => void = () => undefined;
    const renewalAnswered = new Promise<void>((resolve) => (renewed = resolve));
    // Only that request: the refetch the sign-out then sets off in tab b goes straight through.
    await b.route(
      "**/api/auth/session",
      async (route) => {
        const response = await route.fetch();
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        answered = Date.now();
        await route.fulfill({ response });
        renewed();
      },
      { times: 1 },
    );
    const renewing = b.waitForRequest((request) => new URL(request.url()).pathname === "/api/auth/session");
    await b.getByRole("button", { name: "Update without data", exact: true }).click();
    await renewing;

    let signOutSent = 0;
    a.on("request", (request) => {
      if (request.method() === "POST" && new URL(request.url()).pathname === "/api/auth/signout") signOutSent = Date.now();
    });
    // At once: a click waits for animation frames, which a tab in the background hardly gets.
    await a.getByRole("button", { name: "Client sign out", exact: true }).dispatchEvent("click");
    expect(await lastResult(a)).toEqual({ url: `${app.url}/` });
    await renewalAnswered;
    const sessionCookies = (await context.cookies(app.url)).filter((cookie) => cookie.name.includes("session-token") && cookie.value !== "");
    expect(sessionCookies, "the renewal wrote the session cookie back after sign-out").toEqual([]);
    expect(signOutSent).toBeGreaterThan(0);
    expect(signOutSent, "the sign-out POST went out before the renewal's answer arrived").toBeGreaterThanOrEqual(answered);
    await waitForText(b, "status", "unauthenticated", 2_000);
  });

  it("update() in one tab reaches the other tab", async () => {
    const { app } = fixtures();
    const context = await newContext();
    const a = await open(context, app.url);
    report([a], "tabs-update");
    await clientSignIn(a, "bob");
    const b = await open(context, app.url);
    await waitForText(b, "user-name", "Bob");

    await a.getByTestId("new-name").fill("Robert");
    await a.getByRole("button", { name: "Update name", exact: true }).click();
    expect(await lastResult(a)).toMatchObject({ user: { name: "Robert" } });
    await waitForText(b, "user-name", "Robert", 1_000);
  });

  it("without BroadcastChannel, the storage event carries the news (and this tab still hears its own sign-out)", async () => {
    const { app } = fixtures();
    const context = await newContext();
    await context.addInitScript(() => {
      Reflect.deleteProperty(window, "BroadcastChannel");
    });
    const a = await open(context, app.url);
    const b = await open(context, app.url);
    report([a, b], "tabs-storage-fallback");
    expect(await a.evaluate(() => typeof window.BroadcastChannel)).toBe("undefined");

    await clientSignIn(a, "carol");
    await waitForText(b, "status", "authenticated", 1_000);
    await a.getByRole("button", { name: "Client sign out", exact: true }).click();
    await lastResult(a);
    await waitForText(a, "status", "unauthenticated", 1_000);
    await waitForText(b, "status", "unauthenticated", 1_000);
  });

  it("a sign-in that ends in a page load (the built-in sign-in page) reaches the tabs already open", async () => {
    const { app } = fixtures();
    const context = await newContext();
    const a = await open(context, app.url);
    const b = await context.newPage();
    report([a, b], "tabs-page-load");
    await waitForText(a, "status", "unauthenticated");

    await b.goto(`${app.url}/api/auth/signin?${new URLSearchParams({ callbackUrl: `${app.url}/` })}`);
    await b.getByLabel("Username").fill("frank");
    await b.getByLabel("Password").fill("frank-password");
    await b.getByRole("button", { name: "Sign in with Credentials" }).click();
    await b.waitForURL(`${app.url}/`);
    await waitForText(b, "status", "authenticated");
    await waitForText(a, "status", "authenticated", 1_000);
    expect(await textOf(a, "user-name")).toBe("Frank");
  });
});

describe("renewal", () => {
  it("refetches when the tab becomes visible again: a session ended elsewhere shows as signed out", async () => {
    const { app } = fixtures();
    const context = await newContext();
    const page = await open(context, app.url);
    report([page], "focus");
    await clientSignIn(page, "grace");
    const requests = recordSessionRequests(page);

    await signOutBehindTheBrowser(context, app.url);
    // Nothing polls: without a trigger the page still shows what it had.
    await page.waitForTimeout(500);
    expect(requests).toHaveLength(0);
    expect(await textOf(page, "status")).toBe("authenticated");

    await emulateTabFocus(page);
    await waitForText(page, "status", "unauthenticated", 1_000);
  });

  it("refetches when the browser comes back online", async () => {
    const { app } = fixtures();
    const context = await newContext();
    const page = await open(context, app.url);
    report([page], "online");
    await clientSignIn(page, "heidi");

    await context.setOffline(true);
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    await signOutBehindTheBrowser(context, app.url);
    await context.setOffline(false);
    await waitForText(page, "status", "unauthenticated", 2_000);
  });

  it("polls every refetchInterval seconds, but not while offline (refetchWhenOffline defaults to false)", async () => {
    const { app } = fixtures();
    const context = await newContext();
    const home = await open(context, app.url);
    await clientSignIn(home, "ivan");
    const page = await open(context, `${app.url}/poll`);
    report([page], "poll");
    await waitForText(page, "status", "authenticated");
    const requests = recordSessionRequests(page);
    await home.close();

    await page.waitForTimeout(2_500);
    expect(requests.length).toBeGreaterThanOrEqual(1);

    await context.setOffline(true);
    const whileOnline = requests.length;
    await page.waitForTimeout(2_500);
    expect(requests.length).toBe(whileOnline);

    await signOutBehindTheBrowser(context, app.url);
    await context.setOffline(false);
    await waitForText(page, "status", "unauthenticated", 2_000);
  });

  it("an expired session shows as signed out without a reload, and nothing asked for the session before it expired", async () => {
    const { shortApp } = fixtures();
    const context = await newContext();
    const page = await open(context, shortApp.url);
    report([page], "expiry");
    await markDocument(page);
    const requests = recordSessionRequests(page);
    await clientSignIn(page, "judy");
    // The refetch that followed the sign-in: the last time the session was extended.
    expect(requests).toHaveLength(1);
    const renewedAt = requests[0] ?? 0;

    await waitForText(page, "status", "unauthenticated", (SHORT_MAX_AGE_SECONDS + 4) * 1_000);
    const shownAt = Date.now();
    expect(await isSameDocument(page)).toBe(true);
    // One request, after the expiry: the check. Polling before it would have extended the session.
    expect(requests).toHaveLength(2);
    expect((requests[1] ?? 0) - renewedAt).toBeGreaterThanOrEqual(SHORT_MAX_AGE_SECONDS * 1_000);
    expect(shownAt - renewedAt).toBeLessThan((SHORT_MAX_AGE_SECONDS + 3) * 1_000);
  });

  it("a failed refetch (5xx, network error) keeps the session shown, and the next trigger tries again", async () => {
    const { app } = fixtures();
    const context = await newContext();
    const page = await open(context, app.url);
    report([page], "failures");
    await clientSignIn(page, "mallory");

    let failed = 0;
    await page.route("**/api/auth/session", async (route) => {
      failed++;
      await route.fulfill({ status: 503, contentType: "text/plain", body: "unavailable" });
    });
    await emulateTabFocus(page);
    await expect.poll(() => failed).toBe(1);
    await page.waitForTimeout(300);
    expect(await textOf(page, "status")).toBe("authenticated");

    await page.unroute("**/api/auth/session");
    await page.route("**/api/auth/session", async (route) => {
      failed++;
      await route.abort("internetdisconnected");
    });
    await emulateTabFocus(page);
    await expect.poll(() => failed).toBe(2);
    await page.waitForTimeout(300);
    expect(await textOf(page, "status")).toBe("authenticated");
    expect(await textOf(page, "user-name")).toBe("Mallory");

    await page.unroute("**/api/auth/session");
    await signOutBehindTheBrowser(context, app.url);
    await emulateTabFocus(page);
    await waitForText(page, "status", "unauthenticated", 1_000);
  });
});

describe("the next-auth bugs latch fixes", () => {
  it("server-action sign-in and sign-out update useSession without a reload, in this tab and the others (#9504, #11125)", async () => {
    const { app } = fixtures();
    const context = await newContext();
    const a = await open(context, app.url);
    const b = await open(context, app.url);
    report([a, b], "server-actions");
    await waitForText(a, "status", "unauthenticated");
    await markDocument(a);

    await a.getByTestId("server-username").fill("oscar");
    await a.getByTestId("server-password").fill("oscar-password");
    await a.getByRole("button", { name: "Server sign in", exact: true }).click();
    await waitForText(a, "status", "authenticated");
    expect(await textOf(a, "user-name")).toBe("Oscar");
    expect(await isSameDocument(a)).toBe(true);
    await waitForText(b, "status", "authenticated", 1_000);

    await a.getByRole("button", { name: "Server sign out", exact: true }).click();
    await waitForText(a, "status", "unauthenticated");
    expect(await isSameDocument(a)).toBe(true);
    await waitForText(b, "status", "unauthenticated", 1_000);
  });

  it("update() right after signIn() takes effect (#13173)", async () => {
    const { app } = fixtures();
    const context = await newContext();
    const page = await open(context, app.url);
    report([page], "update-after-sign-in");
    await page.getByTestId("new-name").fill("Peggy Renamed");
    const result = await pressWithCredentials(page, "Client sign in and update", "peggy");
    expect(result).toMatchObject({ signIn: { ok: true, status: 200 }, updatedName: "Peggy Renamed" });
    await waitForText(page, "user-name", "Peggy Renamed");
    // Nothing the sign-in set off (its refetch, the other tabs' answers) may bring the old name back.
    await page.waitForTimeout(500);
    expect(await textOf(page, "user-name")).toBe("Peggy Renamed");
    expect(await textOf(page, "updates")).toBe("1");
  });

  it("update() called while the provider is still loading is not dropped (#13173)", async () => {
    const { app } = fixtures();
    const context = await newContext();
    const home = await open(context, app.url);
    report([home], "update-while-loading");
    await clientSignIn(home, "trent");

    const page = await context.newPage();
    await page.goto(`${app.url}/lazy?update=${encodeURIComponent("Trent Lazy")}`);
    await page.waitForFunction(() => (document.querySelector('[data-testid="update-on-mount"]')?.textContent ?? "") !== "", undefined, { timeout: 10_000 });
    expect(JSON.parse(await textOf(page, "update-on-mount"))).toEqual({ statusAtCall: "loading", name: "Trent Lazy" });
    await waitForText(page, "user-name", "Trent Lazy");
    // The other tab hears about it too.
    await waitForText(home, "user-name", "Trent Lazy", 1_000);
  });

  it("update() without data is a plain refetch, as in next-auth: a GET, the jwt callback without trigger \"update\" (#11002)", async () => {
    const { app } = fixtures();
    const context = await newContext();
    const page = await open(context, app.url);
    report([page], "update-without-data");
    await clientSignIn(page, "dave");
    expect(await textOf(page, "user-name")).toBe("Dave");

    // The name changes "in the database"; the fixture's jwt callback reads it on every plain read.
    const changed = await fetch(`${app.url}/api/profile`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: "user-dave", name: "Dave Fresh" }),
    });
    expect(changed.status).toBe(200);
    const sessionRequests: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/api/auth/session") sessionRequests.push(request.method());
    });

    await page.getByRole("button", { name: "Update without data", exact: true }).click();
    // Fresh, and `updates` (the count of trigger "update") untouched.
    expect(await lastResult(page)).toMatchObject({ user: { name: "Dave Fresh" }, updates: 0 });
    await waitForText(page, "user-name", "Dave Fresh");
    expect(sessionRequests).toEqual(["GET"]);
  });
});

describe("useSession and signIn", () => {
  it("useSession({ required: true }) sends a signed-out visitor to the sign-in page and back", async () => {
    const { app } = fixtures();
    const context = await newContext();
    const page = await context.newPage();
    report([page], "required");
    await page.goto(`${app.url}/required`);
    await page.waitForURL((url) => url.pathname === "/api/auth/signin");
    const url = new URL(page.url());
    expect(url.searchParams.get("callbackUrl")).toBe(`${app.url}/required`);
    expect(url.searchParams.get("error")).toBe("SessionRequired");

    await page.getByLabel("Username").fill("erin");
    await page.getByLabel("Password").fill("erin-password");
    await page.getByRole("button", { name: "Sign in with Credentials" }).click();
    await page.waitForURL(`${app.url}/required`);
    await waitForText(page, "required-status", "authenticated");
    expect(await textOf(page, "required-user")).toBe("Erin");
  });

  it("useSession({ required: true, onUnauthenticated }) calls it instead, and reports loading meanwhile", async () => {
    const { app } = fixtures();
    const context = await newContext();
    const page = await context.newPage();
    report([page], "required-custom");
    await page.goto(`${app.url}/required-custom`);
    await waitForText(page, "on-unauthenticated", "called");
    expect(await textOf(page, "required-status")).toBe("loading");
    expect(new URL(page.url()).pathname).toBe("/required-custom");
  });

  it("signIn(\"credentials\", { redirect: false }): a wrong password resolves with CredentialsSignin, the right one signs in", async () => {
    const { app } = fixtures();
    const context = await newContext();
    const page = await open(context, app.url);
    report([page], "sign-in-result");

    const refused = await pressWithCredentials(page, "Client sign in", "alice", "wrong-password");
    // As next-auth has it: the server answered 200 with a URL carrying the error.
    expect(refused).toEqual({ error: "CredentialsSignin", code: "credentials", status: 200, ok: true, url: null });
    await page.waitForTimeout(300);
    expect(await textOf(page, "status")).toBe("unauthenticated");

    const accepted = await pressWithCredentials(page, "Client sign in", "alice");
    expect(accepted).toEqual({ status: 200, ok: true, url: `${app.url}/` });
    // As in next-auth, the promise resolved only once useSession had the session: no waiting here.
    expect(await textOf(page, "status")).toBe("authenticated");
    expect(await textOf(page, "user-name")).toBe("Alice");
  });

  it("a throttled credentials sign-in resolves with status 429 and RateLimited", async () => {
    const { app } = fixtures();
    const context = await newContext();
    const page = await open(context, app.url);
    report([page], "rate-limited");
    // The fixture allows 5 attempts per account; the sixth is refused even with the right password.
    for (let attempt = 0; attempt < 5; attempt++) {
      expect(await pressWithCredentials(page, "Client sign in", "walter", "guess")).toMatchObject({ error: "CredentialsSignin" });
    }
    expect(await pressWithCredentials(page, "Client sign in", "walter")).toEqual({ error: "RateLimited", status: 429, ok: false, url: null });
    expect(await textOf(page, "status")).toBe("unauthenticated");
  });
});

describe("bearer tokens in the browser", () => {
  /** Records the page's requests to the token route and the API, in order, with their answers. */
  function recordBearerTraffic(page: Page): Array<{ path: string; status: number; bearer: boolean }> {
    const log: Array<{ path: string; status: number; bearer: boolean }> = [];
    page.on("response", (response) => {
      const path = new URL(response.url()).pathname;
      if (path !== "/api/auth/token" && path !== "/api/me") return;
      const authorization = response.request().headers()["authorization"] ?? "";
      log.push({ path, status: response.status(), bearer: authorization.startsWith("Bearer ") });
    });
    return log;
  }

  async function bearerFetch(page: Page): Promise<string> {
    await page.getByRole("button", { name: "Bearer fetch", exact: true }).click();
    await page.waitForFunction(() => (document.querySelector('[data-testid="bearer-result"]')?.textContent ?? "") !== "", undefined, { timeout: 10_000, polling: 50 });
    return textOf(page, "bearer-result");
  }

  const storedToken = (page: Page) => page.evaluate(() => window.localStorage.getItem("latch.bearer:/api/auth"));

  it("a token lands in storage, the route handler's auth() reads it, it renews silently after expiry, and a 401 is renewed and retried once", async () => {
    const context = await newContext();
    const page = await open(context, `${fixtures().app.url}/`);
    report([page], "bearer-flow");
    await clientSignIn(page, "victor");
    const traffic = recordBearerTraffic(page);

    expect(await bearerFetch(page)).toBe('200 {"user":"Victor","via":"bearer"}');
    const stored = JSON.parse((await storedToken(page)) ?? "null") as { token: string; expiresAt: number } | null;
    expect(stored?.token).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(traffic).toEqual([
      { path: "/api/auth/token", status: 200, bearer: false },
      { path: "/api/me", status: 200, bearer: true },
    ]);
    // The fingerprint the token is bound to is an HttpOnly cookie: the page cannot read it.
    const fingerprint = (await context.cookies()).find((cookie) => cookie.name === "latch.bearer-fingerprint");
    expect(fingerprint?.httpOnly).toBe(true);
    expect(await page.evaluate(() => document.cookie)).not.toContain("latch.bearer-fingerprint");

    // The token expires; the next fetch renews it first, silently.
    await page.waitForTimeout(BEARER_MAX_AGE_SECONDS * 1000 + 500);
    traffic.length = 0;
    expect(await bearerFetch(page)).toBe('200 {"user":"Victor","via":"bearer"}');
    expect(traffic.map((entry) => `${entry.path} ${entry.status}`)).toEqual(["/api/auth/token 200", "/api/me 200"]);
    const renewed = JSON.parse((await storedToken(page)) ?? "null") as { token: string } | null;
    expect(renewed?.token).not.toBe(stored?.token);

    // A token the client believes fresh but the server refuses: 401, one renewal, one retry.
    await page.evaluate(() => {
      const key = "latch.bearer:/api/auth";
      const value = JSON.parse(window.localStorage.getItem(key) ?? "{}") as { token: string };
      window.localStorage.setItem(key, JSON.stringify({ ...value, token: `${value.token.slice(0, -6)}AAAAAA` }));
    });
    traffic.length = 0;
    expect(await bearerFetch(page)).toBe('200 {"user":"Victor","via":"bearer"}');
    expect(traffic.map((entry) => `${entry.path} ${entry.status}`)).toEqual(["/api/me 401", "/api/auth/token 200", "/api/me 200"]);
  });

  it("signing out in one tab drops the token in the other, and the API then refuses the old token", async () => {
    const context = await newContext();
    const first = await open(context, `${fixtures().app.url}/`);
    const second = await open(context, `${fixtures().app.url}/`);
    report([first, second], "bearer-sign-out");
    await clientSignIn(first, "wendy");
    await waitForText(second, "status", "authenticated");
    expect(await bearerFetch(second)).toBe('200 {"user":"Wendy","via":"bearer"}');
    const token = JSON.parse((await storedToken(second)) ?? "null") as { token: string } | null;
    expect(token?.token).toBeTruthy();

    await first.getByRole("button", { name: "Client sign out", exact: true }).click();
    await waitForText(second, "status", "unauthenticated");
    await second.waitForFunction(() => window.localStorage.getItem("latch.bearer:/api/auth") === null, undefined, { timeout: 1_000, polling: 50 });

    // Replayed from this browser, the old token is refused: sign-out cleared its fingerprint cookie.
    const replay = await second.evaluate(async (value) => (await fetch("/api/me", { headers: { authorization: `Bearer ${value}` } })).status, token?.token ?? "");
    expect(replay).toBe(401);
  });
});
