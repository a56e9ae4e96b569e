/**
 * latch's Next.js layer (`latch/next`) in a real `next build` + `next start`:
 * the lazy config, `auth()` in every server context, the server actions
 * (`signIn`, `signOut`, `unstable_update`), one session decode per request,
 * both spellings of the host, and failing closed. The app under test is the
 * fixture in e2e/apps/checks; its probe (GET /api/probe) shows what ran inside.
 */
import { randomBytes, randomUUID } from "node:crypto";
import * as path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  buildExampleApp,
  demoClient,
  getFreePort,
  launchBrowser,
  repoRoot,
  reportOnFailure,
  startExampleApp,
  startIdP,
  useFixtures,
  type ExampleApp,
  type IdP,
} from "./harness.js";

const checksDir = path.join(repoRoot, "e2e", "apps", "checks");
const sessionCookieName = "authjs.session-token";
/** The header the fixture's `jwt` callback counts its calls under (see e2e/apps/checks/probe.ts). */
const requestIdHeader = "x-checks-request-id";

interface Fixtures {
  browser: Browser;
  idp: IdP;
  /** The app as deployed: AUTH_SECRET, AUTH_URL, the IdP. */
  app: ExampleApp;
  /** The same build started with no AUTH_SECRET in its environment. */
  noSecret: ExampleApp;
  /** The same build and secret as `app`, with a `jwt` callback that throws. */
  jwtThrows: ExampleApp;
  /** The IdP's authorization endpoint, from its discovery document. */
  authorizationEndpoint: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

const use = useFixtures(async (cleanup): Promise<Fixtures> => {
  // The browser first: a missing Chromium should fail in a second, not after a build.
  const browser = cleanup.add(await launchBrowser());
  await buildExampleApp(checksDir);
  const secret = randomBytes(33).toString("base64");
  // The port is chosen before the IdP starts because the IdP must know the redirect URI.
  const port = await getFreePort();
  const idp = cleanup.add(await startIdP({ redirectUris: [`http://127.0.0.1:${port}/api/auth/callback/local`] }));
  const discovery: unknown = await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json();
  if (!isRecord(discovery) || typeof discovery.authorization_endpoint !== "string") {
    throw new Error("e2e: the local IdP's discovery document has no authorization_endpoint");
  }
  const authorizationEndpoint = discovery.authorization_endpoint;
  const idpEnv = { AUTH_LOCAL_ISSUER: idp.issuer, AUTH_LOCAL_SECRET: demoClient.clientSecret };
  const app = cleanup.add(
    await startExampleApp({
      appDir: checksDir,
      port,
      env: { AUTH_URL: `http://127.0.0.1:${port}`, AUTH_SECRET: secret, ...idpEnv },
    }),
  );
  // Each server is started before the next port is chosen, so no two can be handed the same one.
  const noSecretPort = await getFreePort();
  const noSecret = cleanup.add(
    await startExampleApp({
      appDir: checksDir,
      port: noSecretPort,
      env: { AUTH_URL: `http://127.0.0.1:${noSecretPort}`, AUTH_SECRET: undefined, ...idpEnv },
    }),
  );
  const jwtThrowsPort = await getFreePort();
  const jwtThrows = cleanup.add(
    await startExampleApp({
      appDir: checksDir,
      port: jwtThrowsPort,
      env: { AUTH_URL: `http://127.0.0.1:${jwtThrowsPort}`, AUTH_SECRET: secret, CHECKS_JWT_THROWS: "1", ...idpEnv },
    }),
  );
  return { browser, idp, app, noSecret, jwtThrows, authorizationEndpoint };
});

/** On failure, shows where the browser was and what each server said. */
function report(page: Page, name: string): void {
  const { app, noSecret, jwtThrows } = use();
  reportOnFailure(page, `next-layer-${name}`, { app, noSecret, jwtThrows });
}

/** A fresh browser context and page, reported on failure. */
async function openPage(name: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await use().browser.newContext();
  const page = await context.newPage();
  reportOnFailure(page, name);
  return { context, page };
}

/** Waits until the page's session line (rendered by a server component with `auth()`) reads `text`. */
async function greeting(page: Page, text: string): Promise<void> {
  await page.getByTestId("page-greeting").filter({ hasText: new RegExp(`^${text}$`) }).waitFor();
}

/** Completes the IdP's login form as `login`; the browser must already be on it. */
async function logInAtIdP(page: Page, login: string): Promise<void> {
  const { idp, app } = use();
  await page.waitForURL((url) => url.origin === new URL(idp.issuer).origin);
  await page.getByLabel("Username").fill(login);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.origin === app.url);
}

/** From the home page, the plain `signIn("local")` action, back home signed in as Alice. */
async function signInAsAlice(page: Page): Promise<void> {
  await page.goto(`${use().app.url}/`);
  await greeting(page, "Not signed in");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await logInAtIdP(page, "alice");
  await greeting(page, "Signed in as Alice");
}

/** The browser's session cookie(s) for the app as a `Cookie` header, for plain fetches. */
async function sessionCookieHeader(context: BrowserContext): Promise<string> {
  const cookies = (await context.cookies(use().app.url)).filter((c) => c.name.startsWith(sessionCookieName));
  expect(cookies.length, `the browser holds ${sessionCookieName}`).toBeGreaterThan(0);
  return cookies.map((c) => `${c.name}=${c.value}`).join("; ");
}

/** A GET with plain fetch; the body parsed as JSON. */
async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown; response: Response }> {
  const response = await fetch(url, { headers, redirect: "manual" });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`e2e: GET ${url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 300)}`);
  }
  return { status: response.status, body, response };
}

/** GET /api/probe of one server: its lazy-config calls, sign-outs, and `jwt` calls for `id`. */
async function readProbe(app: ExampleApp, id = ""): Promise<{ configCalls: number; jwtCalls: number; signOuts: unknown[] }> {
  const { status, body } = await getJson(`${app.url}/api/probe?id=${encodeURIComponent(id)}`);
  expect(status).toBe(200);
  if (!isRecord(body) || typeof body.configCalls !== "number" || typeof body.jwtCalls !== "number" || !Array.isArray(body.signOuts)) {
    throw new Error(`e2e: unexpected /api/probe body ${JSON.stringify(body)}`);
  }
  return { configCalls: body.configCalls, jwtCalls: body.jwtCalls, signOuts: body.signOuts };
}

/** Clicks a `useActionState` form's button and returns what the action returned, once shown. */
async function actionResult(page: Page, button: string, testId: string): Promise<string> {
  await page.getByRole("button", { name: button, exact: true }).click();
  const output = page.getByTestId(testId).filter({ hasText: /\S/ });
  await output.waitFor();
  return (await output.textContent()) ?? "";
}

/** The `session` member of a `{ session }` body. */
function sessionOf(body: unknown): unknown {
  if (!isRecord(body) || !("session" in body)) throw new Error(`e2e: expected { session }, got ${JSON.stringify(body)}`);
  return body.session;
}

/** The `user` member of a session. */
function userOf(session: unknown): unknown {
  return isRecord(session) ? session.user : undefined;
}

/** The fixture's mark of the lazy config call that built a session (see e2e/apps/checks/auth.ts). */
function lazyConfigOf(session: unknown): { call: number; withRequest: boolean } {
  const mark = isRecord(session) ? session.lazyConfig : undefined;
  if (!isRecord(mark) || typeof mark.call !== "number" || typeof mark.withRequest !== "boolean") {
    throw new Error(`e2e: the session carries no lazyConfig mark: ${JSON.stringify(session)}`);
  }
  return { call: mark.call, withRequest: mark.withRequest };
}

describe("latch/next in a built app (e2e/apps/checks)", () => {
  it("signIn(provider, { redirectTo }, authorizationParams) sends the params to the IdP and lands on redirectTo, through the lazy config", async () => {
    const { app, authorizationEndpoint } = use();
    const { context, page } = await openPage("authorization-params");
    await page.goto(`${app.url}/`);
    await greeting(page, "Not signed in");

    const authorizationRequest = page.waitForRequest((request) => request.url().startsWith(`${authorizationEndpoint}?`));
    await page.getByRole("button", { name: "Sign in as Bob", exact: true }).click();
    const authorizationUrl = new URL((await authorizationRequest).url());
    expect(authorizationUrl.searchParams.get("login_hint")).toBe("bob");
    expect(authorizationUrl.searchParams.get("prompt")).toBe("login");
    // Set only by the config the lazy function returns: signIn used a config built by a call of it.
    expect(authorizationUrl.searchParams.get("lazy_config_call")).toMatch(/^[1-9]\d*$/);

    await logInAtIdP(page, "bob");
    expect(new URL(page.url()).pathname).toBe("/after");
    await greeting(page, "Signed in as Bob");
    await context.close();
  });

  it("auth() returns the same session in a server component, a route handler and a server action; the handlers agree", async () => {
    const { app } = use();
    const { context, page } = await openPage("auth-everywhere");
    await signInAsAlice(page);

    const inPage: unknown = JSON.parse((await page.getByTestId("page-user").textContent()) ?? "");
    const inAction: unknown = JSON.parse(await actionResult(page, "Who am I", "action-user"));
    const first = await context.request.get(`${app.url}/api/session`);
    expect(first.status()).toBe(200);
    const routeSession = sessionOf(await first.json());
    const handler = await context.request.get(`${app.url}/api/auth/session`);
    expect(handler.status()).toBe(200);
    const handlerSession: unknown = await handler.json();

    expect(inPage).toMatchObject({ name: "Alice", email: "alice@example.test" });
    const id = isRecord(inPage) ? inPage.id : undefined;
    expect(typeof id === "string" && id.length > 0, `session.user.id is a non-empty string, got ${JSON.stringify(id)}`).toBe(true);
    expect(inAction).toEqual(inPage);
    expect(userOf(routeSession)).toEqual(inPage);
    expect(userOf(handlerSession)).toEqual(inPage);

    // The lazy config is called per use: with the request by the route handlers, without it by auth().
    expect(lazyConfigOf(routeSession).withRequest).toBe(false);
    expect(lazyConfigOf(handlerSession).withRequest).toBe(true);
    const again = sessionOf(await (await context.request.get(`${app.url}/api/session`)).json());
    expect(lazyConfigOf(again).call, "each request builds its config anew").not.toBe(lazyConfigOf(routeSession).call);
    await context.close();
  });

  it("unstable_update from a server action renames the user: the page and /api/session show the new name", async () => {
    const { app } = use();
    const { context, page } = await openPage("update");
    await signInAsAlice(page);
    const before = await sessionCookieHeader(context);

    await page.getByRole("button", { name: "Rename", exact: true }).click();
    await greeting(page, "Signed in as New Name");
    const after = await sessionCookieHeader(context);
    expect(after, "the update re-issues the session cookie").not.toBe(before);

    const response = await context.request.get(`${app.url}/api/session`);
    expect(response.status()).toBe(200);
    expect(sessionOf(await response.json())).toMatchObject({ user: { name: "New Name", email: "alice@example.test" } });
    await page.reload();
    await greeting(page, "Signed in as New Name");
    await context.close();
  });

  it('signIn("local", { redirect: false }) returns the authorization URL instead of redirecting', async () => {
    const { app, authorizationEndpoint } = use();
    const { context, page } = await openPage("redirect-false");
    await page.goto(`${app.url}/`);
    await greeting(page, "Not signed in");

    const url = await actionResult(page, "Get the sign-in URL", "sign-in-url");
    expect(url.startsWith(`${authorizationEndpoint}?`), `${url} starts with ${authorizationEndpoint}?`).toBe(true);
    const parsed = new URL(url);
    expect(parsed.searchParams.get("client_id")).toBe(demoClient.clientId);
    expect(parsed.searchParams.get("redirect_uri")).toBe(`${app.url}/api/auth/callback/local`);
    expect(new URL(page.url()).origin, "the browser stayed on the app").toBe(app.url);
    await context.close();
  });

  it("signIn() with no provider, or an unknown one, redirects to the built-in sign-in page with a callbackUrl", async () => {
    const { app } = use();
    const { context, page } = await openPage("no-provider");
    const signInPage = (url: URL): boolean => url.origin === app.url && url.pathname === "/api/auth/signin";

    await page.goto(`${app.url}/`);
    await page.getByRole("button", { name: "Sign in without a provider", exact: true }).click();
    await page.waitForURL(signInPage);
    // No redirectTo: the page the action was called from.
    expect(new URL(page.url()).searchParams.get("callbackUrl")).toBe(`${app.url}/`);

    await page.goto(`${app.url}/`);
    await page.getByRole("button", { name: "Sign in with an unknown provider", exact: true }).click();
    await page.waitForURL(signInPage);
    expect(new URL(page.url()).searchParams.get("callbackUrl")).toBe("/after");
    await context.close();
  });

  it('signOut({ redirectTo: "/bye" }) lands on /bye with no session and no session cookie', async () => {
    const { app } = use();
    const { context, page } = await openPage("sign-out");
    await signInAsAlice(page);
    const user = userOf(sessionOf(await (await context.request.get(`${app.url}/api/session`)).json()));
    const signOutsBefore = (await readProbe(app)).signOuts.length;

    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(`${app.url}/bye`);
    await greeting(page, "Not signed in");
    expect((await context.cookies(app.url)).filter((c) => c.name.startsWith(sessionCookieName))).toEqual([]);
    const response = await context.request.get(`${app.url}/api/session`);
    expect(await response.json()).toEqual({ session: null });

    // The signOut event of a config the lazy function built saw Alice's token.
    const signOuts = (await readProbe(app)).signOuts.slice(signOutsBefore);
    expect(signOuts).toHaveLength(1);
    const [signOutEvent] = signOuts;
    expect(isRecord(signOutEvent) && typeof signOutEvent.configCall === "number", `a lazy config call number in ${JSON.stringify(signOutEvent)}`).toBe(true);
    expect(isRecord(signOutEvent) ? signOutEvent.sub : undefined).toBe(isRecord(user) ? user.id : "(no user id)");
    await context.close();
  });

  it("decodes the session once per request: three auth() calls in one render run the jwt callback once", async () => {
    const { app } = use();
    const { context, page } = await openPage("one-decode");
    await signInAsAlice(page);
    const cookie = await sessionCookieHeader(context);

    // The request id travels in a header the fixture's config reads (see e2e/apps/checks/probe.ts),
    // so only this request's jwt calls are counted, whatever else the server does meanwhile.
    const id = randomUUID();
    const response = await fetch(`${app.url}/three`, { headers: { cookie, [requestIdHeader]: id } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Signed in as Alice");
    expect(html).toMatch(/outer: (<!-- -->)?Alice/);
    expect(html).toMatch(/inner: (<!-- -->)?Alice/);
    expect((await readProbe(app, id)).jwtCalls, "jwt callback calls while rendering /three").toBe(1);

    // The same count for a route handler reading the session once, as a control of the probe itself.
    const control = randomUUID();
    await getJson(`${app.url}/api/session`, { cookie, [requestIdHeader]: control });
    expect((await readProbe(app, control)).jwtCalls).toBe(1);
    await context.close();
  });

  it("reads the session in the Pages Router: auth(req, res) in an API route and auth(ctx) in getServerSideProps", async () => {
    const { app } = use();
    const { context, page } = await openPage("pages-router");
    const signedOut = await getJson(`${app.url}/api/pages-session`);
    expect(signedOut.body).toEqual({ session: null });
    await page.goto(`${app.url}/gssp`);
    await expect.poll(() => page.getByTestId("gssp-name").textContent()).toBe("Not signed in");

    await signInAsAlice(page);
    const cookie = await sessionCookieHeader(context);
    const signedIn = await getJson(`${app.url}/api/pages-session`, { cookie });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({ session: { user: { name: "Alice" } } });
    // The rolling session: the API route wrote a renewed cookie through `res`.
    const renewed = signedIn.response.headers.getSetCookie().find((c) => c.startsWith(`${sessionCookieName}=`));
    expect(renewed, "a renewed session cookie from auth(req, res)").toBeDefined();
    expect(renewed).toContain("HttpOnly");
    await page.goto(`${app.url}/gssp`);
    await expect.poll(() => page.getByTestId("gssp-name").textContent()).toBe("Signed in as Alice");
    await context.close();
  });

  it("sees the session on http://localhost while AUTH_URL names 127.0.0.1", async () => {
    const { app } = use();
    const { context, page } = await openPage("both-spellings");
    await signInAsAlice(page);
    const cookie = await sessionCookieHeader(context);
    const localhost = `http://localhost:${app.port}`;

    const { status, body } = await getJson(`${localhost}/api/session`, { cookie });
    expect(status).toBe(200);
    expect(sessionOf(body)).toMatchObject({ user: { name: "Alice" } });
    const pageResponse = await fetch(`${localhost}/`, { headers: { cookie } });
    expect(pageResponse.status).toBe(200);
    expect(await pageResponse.text()).toContain("Signed in as Alice");
    await context.close();
  });

  it("fails closed without AUTH_SECRET: pages and auth() see no session, /api/auth/session is a generic 500", async () => {
    const { noSecret } = use();
    const { context, page } = await openPage("no-secret");
    await signInAsAlice(page);
    const cookie = await sessionCookieHeader(context);

    const home = await fetch(`${noSecret.url}/`, { headers: { cookie } });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Not signed in");
    const route = await getJson(`${noSecret.url}/api/session`, { cookie });
    expect(route.status).toBe(200);
    expect(route.body).toEqual({ session: null });

    const handler = await getJson(`${noSecret.url}/api/auth/session`, { cookie });
    expect(handler.status).toBe(500);
    expect(handler.response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(isRecord(handler.body) ? Object.keys(handler.body).sort() : handler.body).toEqual(["error", "message"]);
    expect(isRecord(handler.body) ? handler.body.error : undefined).toBe("Configuration");
    // Generic: nothing about which setting is missing, no error names, no stack frames.
    expect(JSON.stringify(handler.body)).not.toMatch(/secret|AUTH_|MissingSecret|\bat\s+\S+\s+\(|node_modules/i);

    // A server action in the same app: the cookie copied over, auth() still gives null.
    const copy = await use().browser.newContext();
    const copyPage = await copy.newPage();
    report(copyPage, "no-secret-action");
    await copy.addCookies((await context.cookies(use().app.url)).filter((c) => c.name.startsWith(sessionCookieName)).map((c) => ({ name: c.name, value: c.value, url: noSecret.url })));
    await copyPage.goto(`${noSecret.url}/`);
    await greeting(copyPage, "Not signed in");
    expect(await actionResult(copyPage, "Who am I", "action-user")).toBe("null");
    await copy.close();
    await context.close();
  });

  it("logs latch's error names, not the minifier's, from a production build", async () => {
    const { noSecret } = use();
    const from = noSecret.logs().length;
    await getJson(`${noSecret.url}/api/session`);
    await getJson(`${noSecret.url}/api/auth/session`);
    // `next build` minifies server code, class names included; an error's name must survive it,
    // or the log reads "x: No secret is set" and `error.name` checks in apps break.
    const logged = (): string => noSecret.logs().slice(from);
    await expect.poll(logged, { timeout: 5_000 }).toMatch(/\[latch\]\[error\] \w+: auth\(\) could not read the session[^\n]*\n\s*cause: MissingSecret: No secret is set/);
    await expect.poll(logged, { timeout: 5_000 }).toMatch(/\[latch\]\[error\] MissingSecret: No secret is set/);
  });

  it("fails closed when the jwt callback throws: a valid session cookie gives null everywhere", async () => {
    const { jwtThrows } = use();
    const { context, page } = await openPage("jwt-throws");
    await signInAsAlice(page);
    const cookie = await sessionCookieHeader(context);
    const id = randomUUID();

    const home = await fetch(`${jwtThrows.url}/`, { headers: { cookie, [requestIdHeader]: id } });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Not signed in");
    // The cookie was decoded and reached the jwt callback: the null comes from the throw, not a bad cookie.
    expect((await readProbe(jwtThrows, id)).jwtCalls).toBeGreaterThan(0);

    const three = await fetch(`${jwtThrows.url}/three`, { headers: { cookie } });
    expect(three.status).toBe(200);
    expect(await three.text()).toContain("Not signed in");
    const route = await getJson(`${jwtThrows.url}/api/session`, { cookie });
    expect(route.status).toBe(200);
    expect(route.body).toEqual({ session: null });
    const handler = await getJson(`${jwtThrows.url}/api/auth/session`, { cookie });
    expect(handler.status).toBe(200);
    expect(handler.body).toBeNull();

    const copy = await use().browser.newContext();
    const copyPage = await copy.newPage();
    report(copyPage, "jwt-throws-action");
    await copy.addCookies((await context.cookies(use().app.url)).filter((c) => c.name.startsWith(sessionCookieName)).map((c) => ({ name: c.name, value: c.value, url: jwtThrows.url })));
    await copyPage.goto(`${jwtThrows.url}/`);
    await greeting(copyPage, "Not signed in");
    expect(await actionResult(copyPage, "Who am I", "action-user")).toBe("null");
    await copy.close();
    await context.close();
  });
});
