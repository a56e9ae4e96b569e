/**
 * Regression corpus: the published advisories of peer libraries (shared/reference/security.md §3)
 * replayed against latch — the engine (`Auth()`), the Next.js layer (`NextAuth`: proxy, wrappers,
 * `auth()`, server actions) and latch's stores. One `it` per advisory, named after its id; each
 * performs the attack and asserts that it fails. Where a deeper suite exists, the replay here is
 * the core of the attack, and a comment names the deeper file.
 *
 * Advisories that do not apply — latch lacks the feature:
 *
 * | advisory | flaw | why it does not apply |
 * |---|---|---|
 * | next-auth "Token verification bug" (Low) | no id or details published | nothing to replay; the session token's verification is replayed by GHSA-v64w and GHSA-pjr6 below |
 * | better-auth GHSA-xg6x-h9c9-2m83 | session cached in a cookie before the second factor | no second factor |
 * | better-auth GHSA-rjg6-39jm-rgg4 | SCIM provider-id confusion | no SCIM |
 * | better-auth GHSA-99h5-pjcv-gr6v (CVE-2025-61928) | API keys created for any `userId` | no API keys |
 * | better-auth GHSA-fmh4-wcc4-5jm3 | organization invitation accepted by an unverified email | no organizations or invitations |
 * | better-auth GHSA-86j7-9j95-vpqj | `javascript:` redirect_uri stored by the OIDC-provider plugin | latch is an OAuth client, never an authorization server: it registers no client's redirect_uri (its own redirect targets: GHSA-36rg below) |
 * | better-auth GHSA-cq3f-vc6p-68fh | device code approved by any session | no device authorization grant |
 * | better-auth GHSA-4vcf-q4xf-f48m | passkey deletion IDOR | no route lists, renames or deletes passkeys |
 * | nextjs-auth0 GHSA-xq8m-7c5p-c2r6 (CVE-2026-40155) | proxy cache race with the DPoP nonce retry | no DPoP |
 */
import Database from "better-sqlite3";
import { NextRequest } from "next/server";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../../src/adapters/sqlite.js";
import { getResolvedConfig } from "../../src/core/config.js";
import { getProviderAccessToken } from "../../src/core/provider-tokens.js";
import type { InternalOAuthProvider, InternalProvider } from "../../src/core/providers.js";
import { Auth } from "../../src/index.js";
import { decode, encode, getToken } from "../../src/jwt.js";
import NextAuth from "../../src/next/index.js";
import type { NextAuthConfig, NextAuthResult } from "../../src/next/types.js";
import { MemoryProviderTokenStore } from "../../src/provider-tokens/memory.js";
import Credentials from "../../src/providers/credentials.js";
import { verificationMessage } from "../../src/providers/email.js";
import GitHub from "../../src/providers/github.js";
import { getSession } from "../../src/react/get-session.js";
import { MemoryRefreshTokenStore } from "../../src/refresh-tokens/memory.js";
import { SQLiteRefreshTokenStore } from "../../src/refresh-tokens/sqlite.js";
import { SQLiteRevocationStore } from "../../src/revocation/sqlite.js";
import { EngineClient, parseSetCookie, type SetCookie } from "../helpers/engine-client.js";
import { StandinAuthenticator, type CreationOptionsJSON, type RequestOptionsJSON } from "../helpers/standin-authenticator.js";
import { ALICE, BASE_PATH, isolateAuthEnv, SECRET, suiteApp, type SuiteApp, type SuiteAppOptions } from "./helpers/app.js";
import { fakeGitHub, type FakeGitHub, type FakeGitHubUser } from "./helpers/fake-github.js";
import { ROUTE_CONTRACT } from "./helpers/routes.js";

// Server components and server actions read the request through next/headers: a stand-in per test.
const next = vi.hoisted(() => ({ headers: new Headers(), cookies: new Map<string, string>() }));
vi.mock("next/headers", async () => (await import("../helpers/next-request-scope.js")).nextHeaders(() => next));
vi.mock("next/navigation", async (importOriginal) => ({
  ...(await importOriginal<object>()),
  ...(await import("../helpers/next-request-scope.js")).navigation,
}));

const ORIGIN = "https://app.test";
const SESSION_COOKIE = "__Secure-authjs.session-token";
const STATE_COOKIE = "__Secure-authjs.state";
const PKCE_COOKIE = "__Secure-authjs.pkce.code_verifier";
const CALLBACK_COOKIE = "__Secure-authjs.callback-url";
const CSRF_COOKIE = "__Host-authjs.csrf-token";
const CHALLENGE_COOKIE = "__Secure-authjs.challenge";

isolateAuthEnv();
beforeEach(() => {
  vi.stubEnv("AUTH_URL", ORIGIN);
});

// ---------------------------------------------------------------------------------------------
// The application, its browsers and its flows

interface SessionJson {
  user?: { name?: string | null; email?: string | null };
}

interface TokenBody {
  token?: string;
  refreshToken?: string;
  error?: string;
}

const GITHUB_USERS: FakeGitHubUser[] = [
  { id: 1001, login: "victim", email: null, emails: [{ email: "victim@example.com", primary: true, verified: true }] },
  { id: 1002, login: "mallory", email: "mallory@evil.test", emails: [{ email: "mallory@evil.test", primary: true, verified: true }] },
];

interface GitHubApp extends SuiteApp {
  github: FakeGitHub;
  /** A second OAuth provider: GitHub Enterprise at ghe.acme.test, provider id "ghe". */
  enterprise: FakeGitHub;
}

/** The suite's application with its GitHub provider reaching an in-process github.com, plus a GitHub Enterprise provider. */
function githubApp(options: SuiteAppOptions & { users?: FakeGitHubUser[]; expiringTokens?: { expiresIn: number } } = {}): GitHubApp {
  const { users = GITHUB_USERS, expiringTokens, ...suiteOptions } = options;
  const app = suiteApp(suiteOptions);
  const github = fakeGitHub({ clientId: "suite-client", clientSecret: "suite-client-secret", users, ...(expiringTokens ? { expiringTokens } : {}) });
  const enterprise = fakeGitHub({ baseUrl: "https://ghe.acme.test", clientId: "ghe-client", clientSecret: "ghe-client-secret", users });
  app.config.providers = [
    GitHub({ clientId: "suite-client", clientSecret: "suite-client-secret", fetch: github.fetch }),
    GitHub({ id: "ghe", name: "Acme GitHub", clientId: "ghe-client", clientSecret: "ghe-client-secret", enterprise: { baseUrl: "https://ghe.acme.test" }, fetch: enterprise.fetch }),
    ...app.config.providers.slice(1),
  ];
  return { ...app, github, enterprise };
}

const browser = (app: SuiteApp, origin = ORIGIN): EngineClient => new EngineClient(origin, app.config);
const locationOf = (response: Response): string => response.headers.get("location") ?? "";
const errorOf = (response: Response): string | null => new URL(locationOf(response)).searchParams.get("error");
const sessionSet = (cookies: SetCookie[]): boolean => cookies.some((c) => c.name === SESSION_COOKIE && c.value !== "" && c.attributes["max-age"] !== "0");
const sessionOf = async (client: EngineClient): Promise<SessionJson | null> => (await client.session()) as SessionJson | null;

function expectOnSite(url: string, what: string): void {
  expect(new URL(url).origin, what).toBe(ORIGIN);
}

function cloneBrowser(client: EngineClient, app: SuiteApp): EngineClient {
  const copy = browser(app);
  for (const [name, value] of client.jar) copy.jar.set(name, value);
  return copy;
}

/** Alice signs in with the credentials form; extra fields (callbackUrl) go along. */
async function signInAlice(app: SuiteApp, fields: Record<string, string> = {}, client = browser(app)) {
  const csrfToken = await client.csrfToken();
  const answer = await client.fetch(`${BASE_PATH}/callback/credentials`, { form: { csrfToken, email: ALICE.email, password: ALICE.password, ...fields } });
  return { client, ...answer };
}

/** `POST /signin/email` from `client`. */
async function emailSignIn(client: EngineClient, email: string, fields: Record<string, string> = {}) {
  const csrfToken = await client.csrfToken();
  return client.fetch(`${BASE_PATH}/signin/email`, { form: { csrfToken, email, ...fields } });
}

/** Asks for a sign-in link and returns it as mailed. */
async function requestLink(app: SuiteApp, client: EngineClient, email: string, fields: Record<string, string> = {}): Promise<URL> {
  const before = app.sent.length;
  await emailSignIn(client, email, fields);
  const sent = app.sent[before];
  if (!sent) throw new Error(`no link was sent to ${email}`);
  return new URL(sent.url);
}

/** The landing page's button: POSTs the link's fields (or `override`) with a CSRF token. */
async function useLink(client: EngineClient, link: URL, override: Record<string, string> = {}) {
  const csrfToken = await client.csrfToken();
  const fields = { token: link.searchParams.get("token") ?? "", email: link.searchParams.get("email") ?? "", callbackUrl: link.searchParams.get("callbackUrl") ?? "" };
  return client.fetch(`${BASE_PATH}/callback/email`, { form: { csrfToken, ...fields, ...override } });
}

/** `POST /signin/:provider` → the provider's authorization URL. */
async function startOAuth(client: EngineClient, providerId = "github", callbackUrl = "/dashboard"): Promise<URL> {
  const csrfToken = await client.csrfToken();
  const { response } = await client.fetch(`${BASE_PATH}/signin/${providerId}`, { form: { csrfToken, callbackUrl } });
  return new URL(locationOf(response));
}

/** A whole OAuth sign-in: start, consent at the stand-in as `login`, callback. */
async function oauthSignIn(client: EngineClient, idp: FakeGitHub, login: string, providerId = "github") {
  return client.fetch(idp.approve((await startOAuth(client, providerId)).href, login));
}

async function passkeyOptions(client: EngineClient, action: "register" | "authenticate", email?: string): Promise<CreationOptionsJSON & RequestOptionsJSON> {
  const query = new URLSearchParams({ action, ...(email === undefined ? {} : { email }) });
  const { response } = await client.fetch(`${BASE_PATH}/webauthn-options/passkey?${query}`);
  const body = (await response.json()) as { options?: CreationOptionsJSON & RequestOptionsJSON };
  if (!body.options) throw new Error(`no ${action} options: ${JSON.stringify(body)}`);
  return body.options;
}

async function postPasskey(client: EngineClient, action: "register" | "authenticate", credential: unknown, callbackUrl = `${ORIGIN}/dashboard`) {
  const csrfToken = await client.csrfToken();
  return client.fetch(`${BASE_PATH}/callback/passkey`, { form: { csrfToken, action, data: JSON.stringify(credential), callbackUrl } });
}

async function registerPasskey(client: EngineClient, device: StandinAuthenticator, email: string, callbackUrl?: string) {
  return postPasskey(client, "register", device.register(await passkeyOptions(client, "register", email)), callbackUrl);
}

async function passkeySignIn(client: EngineClient, device: StandinAuthenticator) {
  return postPasskey(client, "authenticate", device.authenticate(await passkeyOptions(client, "authenticate")));
}

/** `POST /token` from the signed-in page: a browser-bound bearer token. */
async function bearerToken(client: EngineClient): Promise<string> {
  const { response } = await client.fetch(`${BASE_PATH}/token`, { method: "POST", headers: { "x-latch-bearer": "1" } });
  const body = (await response.json()) as TokenBody;
  if (!body.token) throw new Error(`no bearer token: ${JSON.stringify(body)}`);
  return body.token;
}

/** `POST /token` with `offline`: an unbound bearer token and a refresh token, for a client outside the browser. */
async function offlineTokens(client: EngineClient): Promise<{ token: string; refreshToken: string }> {
  const { response } = await client.fetch(`${BASE_PATH}/token`, { form: { offline: "true" }, headers: { "x-latch-bearer": "1" } });
  const body = (await response.json()) as TokenBody;
  if (!body.token || !body.refreshToken) throw new Error(`no offline tokens: ${JSON.stringify(body)}`);
  return { token: body.token, refreshToken: body.refreshToken };
}

/** The refresh grant, as a mobile app sends it: no cookie, the token is the credential. */
async function refresh(app: SuiteApp, refreshToken: string): Promise<{ status: number; body: TokenBody }> {
  const body = new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken });
  const response = await Auth(new Request(`${ORIGIN}${BASE_PATH}/token`, { method: "POST", headers: { host: "app.test" }, body }), app.config);
  return { status: response.status, body: (await response.json()) as TokenBody };
}

// ---------------------------------------------------------------------------------------------
// The Next.js layer

type ProxyFn = (request: NextRequest) => Promise<Response>;

/** `NextAuth()` over the app's config (stores and adapter shared), with a proxy that requires a session. */
function nextAuthOf(app: SuiteApp, extra: Partial<NextAuthConfig> = {}): NextAuthResult {
  const config: NextAuthConfig = { ...app.config, ...extra, callbacks: { ...app.config.callbacks, authorized: ({ auth }) => !!auth } };
  return NextAuth(config);
}

function nextRequest(path: string, headers: Record<string, string> = {}, origin = ORIGIN): NextRequest {
  return new NextRequest(`${origin}${path}`, { headers: { host: new URL(origin).host, accept: "text/html", ...headers } });
}

/** What next/headers answers while a server component or server action runs. */
function serverRequest(headers: Record<string, string>, jar: Map<string, string> = new Map()): void {
  next.cookies = new Map(jar);
  next.headers = new Headers({ host: "app.test", ...headers });
  if (jar.size > 0) next.headers.set("cookie", [...jar].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("; "));
}

/** Runs a server action and returns where it redirected (or what it returned). */
async function serverAction(run: () => Promise<unknown>): Promise<string> {
  try {
    const value = await run();
    return typeof value === "string" ? value : "";
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("NEXT_REDIRECT ")) return error.message.slice("NEXT_REDIRECT ".length);
    throw error;
  }
}

function pagesResponse() {
  const headers = new Map<string, number | string | readonly string[]>();
  return {
    headers,
    getHeader: (name: string) => {
      const value = headers.get(name.toLowerCase());
      return Array.isArray(value) ? [...(value as readonly string[])] : (value as number | string | undefined);
    },
    setHeader: (name: string, value: number | string | readonly string[]) => headers.set(name.toLowerCase(), value),
  };
}

/** A response no shared cache may keep (RFC 9111 §5.2.2.7, §5.2.2.5). */
function expectPrivateNoStore(cacheControl: string | number | string[] | null | undefined, what: string): void {
  const value = Array.isArray(cacheControl) ? cacheControl.join(",") : `${cacheControl ?? ""}`;
  const directives = value.toLowerCase().split(",").map((d) => d.trim());
  expect(directives, what).toContain("private");
  expect(directives, what).toContain("no-store");
  expect(directives.some((d) => d === "public" || d.startsWith("s-maxage")), what).toBe(false);
}

// =============================================================================================

describe("§3a next-auth / @auth/core", () => {
  it("GHSA-f9wg-5f46-cjmw open redirect via callbackUrl: sign-in, sign-out and the sign-in page keep a foreign callbackUrl on the site", async () => {
    // Hundreds of payloads against the one helper every redirect goes through: src/core/callback-url.open-redirect.test.ts.
    const app = suiteApp();
    for (const payload of ["https://evil.test/phish", "http://evil.test", "//evil.test", "https://app.test.evil.test/"]) {
      const signIn = await signInAlice(app, { callbackUrl: payload });
      expect(sessionSet(signIn.cookies)).toBe(true);
      expectOnSite(locationOf(signIn.response), payload);
      const csrfToken = await signIn.client.csrfToken();
      const signOut = await signIn.client.fetch(`${BASE_PATH}/signout`, { form: { csrfToken, callbackUrl: payload } });
      expectOnSite(locationOf(signOut.response), payload);
      const page = await browser(app).fetch(`${BASE_PATH}/signin?${new URLSearchParams({ callbackUrl: payload })}`);
      expect(await page.response.text(), payload).not.toContain("evil.test");
    }
  });

  it("GHSA-q2mx-j4x2-2h74 open redirect through another provider type's flow: OAuth, sign-in links and passkeys check callbackUrl too, and a stored one again when it is used", async () => {
    // The advisory's flow was OAuth 1, which latch does not have; its lesson — every flow checks — applies to each one latch has.
    const app = githubApp();
    const client = browser(app);
    const authorization = await startOAuth(client, "github", "https://evil.test/oauth");
    expect(client.jar.get(CALLBACK_COOKIE)).toBe(ORIGIN);
    // A callback-url cookie planted from a sibling subdomain is checked when it is used.
    client.jar.set(CALLBACK_COOKIE, "https://evil.test/tossed");
    const oauth = await client.fetch(app.github.approve(authorization.href, "victim"));
    expect(sessionSet(oauth.cookies)).toBe(true);
    expectOnSite(locationOf(oauth.response), "OAuth");

    const link = await requestLink(app, browser(app), "someone@example.com", { callbackUrl: "https://evil.test/email" });
    expect(link.searchParams.get("callbackUrl")).toBe(ORIGIN);

    const passkey = await registerPasskey(browser(app), new StandinAuthenticator(ORIGIN), "new@example.com", "https://evil.test/passkey");
    expect(sessionSet(passkey.cookies)).toBe(true);
    expectOnSite(locationOf(passkey.response), "passkey");
  });

  it("GHSA-g5fm-jp9v-2432 malformed callbackUrl: an unparsable value falls back to the site at once, never a 5xx or a hung route", async () => {
    // More shapes, and random ones: test/security/malformed.attack.test.ts, test/fuzz/callback-url.property.test.ts.
    const app = suiteApp();
    const payloads = ["http://[", "https://app.test:99999/", "%", "%E0%A4%A", "\u0000", "http://", "http://a b", "x".repeat(5000), "javascript:alert(1)"];
    for (const payload of payloads) {
      const what = JSON.stringify(payload.slice(0, 20));
      const signIn = await signInAlice(app, { callbackUrl: payload });
      expect(signIn.response.status, what).toBe(303);
      expect(new URL(locationOf(signIn.response)).origin, what).toBe(ORIGIN);
      const page = await browser(app).fetch(`${BASE_PATH}/signin?${new URLSearchParams({ callbackUrl: payload })}`);
      expect(page.response.status, what).toBe(200);
      const csrfToken = await signIn.client.csrfToken();
      const signOut = await signIn.client.fetch(`${BASE_PATH}/signout`, { form: { csrfToken, callbackUrl: payload } });
      expect(signOut.response.status, what).toBe(302);
      expect(new URL(locationOf(signOut.response)).origin, what).toBe(ORIGIN);
    }
  });

  it("GHSA-pgjx-7f9g-9463 HTML typed as the email address: refused before anything is sent, and latch's sign-in email never contains the address", async () => {
    const app = suiteApp();
    for (const email of ['<a href="https://evil.test">claim your prize</a>@example.com', "victim@example.com<img src=x onerror=alert(1)>", '"<b>urgent</b>"@example.com']) {
      const { response } = await emailSignIn(browser(app), email);
      expect(errorOf(response), email).toBe("EmailSignin");
    }
    expect(app.sent).toEqual([]);
    const link = await requestLink(app, browser(app), "victim@example.com");
    const message = verificationMessage({ url: link.href, host: link.host, maxAge: 600, theme: {} });
    for (const part of [message.subject, message.text, message.html]) expect(part).not.toContain("victim@example.com");
  });

  it("GHSA-xv97-c62v-4587 two recipients in one address: no link is sent to either, no user is created, and a domain allowlist in signIn is never asked", async () => {
    const asked: unknown[] = [];
    const app = suiteApp({
      extra: {
        callbacks: {
          signIn: ({ user }) => {
            asked.push(user.email);
            return typeof user.email === "string" && user.email.endsWith("@victim.test");
          },
        },
      },
    });
    const smuggled = ["attacker@evil.test,v@victim.test", "v@victim.test, attacker@evil.test", "attacker@evil.test;v@victim.test", "attacker@evil.test v@victim.test", "attacker@evil.test\r\nbcc:v@victim.test", "attacker@evil.test>,<v@victim.test"];
    for (const email of smuggled) {
      const { response } = await emailSignIn(browser(app), email);
      expect(errorOf(response), JSON.stringify(email)).toBe("EmailSignin");
      expect(await app.adapter.getUserByEmail?.(email.toLowerCase())).toBeNull();
    }
    expect(app.sent).toEqual([]);
    expect(asked).toEqual([]);
    // The control: a plain address of the allowed domain gets one link, to itself alone.
    await emailSignIn(browser(app), "v@victim.test");
    expect(app.sent.map((s) => s.identifier)).toEqual(["v@victim.test"]);
  });

  it("GHSA-4rxr-27mm-mxq9 a sign-in link checked by address only: the attacker's own token, a guessed one or none never opens the victim's account", async () => {
    // Every adapter, atomically: test/adapter-conformance.ts ("a wrong identifier with the right token…").
    const app = suiteApp();
    const victimLink = await requestLink(app, browser(app), "victim@example.com");
    const attackerLink = await requestLink(app, browser(app), "attacker@evil.test");
    const attacker = browser(app);
    for (const token of [attackerLink.searchParams.get("token") ?? "", "0".repeat(64), ""]) {
      const { response, cookies } = await useLink(attacker, victimLink, { token });
      expect(sessionSet(cookies)).toBe(false);
      expect(errorOf(response)).toBe("Verification");
    }
    expect(await sessionOf(attacker)).toBeNull();
    // Nothing was burned: the victim's link still works, once.
    const victim = browser(app);
    expect(sessionSet((await useLink(victim, victimLink)).cookies)).toBe(true);
    expect((await sessionOf(victim))?.user?.email).toBe("victim@example.com");
  });

  it("GHSA-7r7x-4c4q-c4qf state and PKCE checks that can be skipped: a stripped parameter or a missing check cookie ends the callback before the code is exchanged", async () => {
    // The OpenID side (nonce, iss, ID token) against a hostile provider: test/security/malicious-op.attack.test.ts.
    const app = githubApp();
    const tampers: Record<string, (client: EngineClient, callback: URL) => void> = {
      "state parameter stripped": (_client, callback) => callback.searchParams.delete("state"),
      "state parameter empty": (_client, callback) => callback.searchParams.set("state", ""),
      "state cookie missing": (client) => client.jar.delete(STATE_COOKIE),
      "PKCE cookie missing": (client) => client.jar.delete(PKCE_COOKIE),
      "every check cookie missing (the callback opened in another browser)": (client) => {
        client.jar.delete(STATE_COOKIE);
        client.jar.delete(PKCE_COOKIE);
      },
    };
    for (const [name, tamper] of Object.entries(tampers)) {
      const client = browser(app);
      const callback = new URL(app.github.approve((await startOAuth(client)).href, "victim"));
      tamper(client, callback);
      const before = app.github.calls.length;
      const { response, cookies } = await client.fetch(callback.href);
      expect(sessionSet(cookies), name).toBe(false);
      expect(errorOf(response), name).toBeTruthy();
      expect(app.github.calls.slice(before), name).toEqual([]);
    }
  });

  it("GHSA-v64w-49xw-qq89 user mocking: a check cookie, or any other token latch issues, pasted into the session cookie is no session — for the route and for the proxy", async () => {
    // Deeper: test/oidc.integration.test.ts, src/next/proxy.test.ts.
    const app = githubApp();
    const client = browser(app);
    await startOAuth(client); // an interrupted sign-in leaves its check cookies behind
    await passkeyOptions(client, "authenticate");
    const bearer = await bearerToken((await signInAlice(app)).client);
    const issued: Record<string, string | undefined> = {
      "state cookie": client.jar.get(STATE_COOKIE),
      "PKCE cookie": client.jar.get(PKCE_COOKIE),
      "callback-url cookie": client.jar.get(CALLBACK_COOKIE),
      "CSRF cookie": client.jar.get(CSRF_COOKIE),
      "passkey challenge cookie": client.jar.get(CHALLENGE_COOKIE),
      "bearer token": bearer,
    };
    const proxy = nextAuthOf(app).auth as ProxyFn;
    for (const [name, value = ""] of Object.entries(issued)) {
      expect(value, name).not.toBe("");
      const mocker = browser(app);
      mocker.jar.set(SESSION_COOKIE, value);
      expect(await mocker.session(), name).toBeNull();
      expect((await proxy(nextRequest("/dashboard", { cookie: mocker.cookieHeader() }))).status, name).toBe(307);
    }
  });

  it("GHSA-5jpx-9hw9-2fx4 a quoted local part a mailer reads differently: refused, nothing sent", async () => {
    const app = suiteApp();
    for (const email of ['"attacker@evil.test"@victim.test', '"attacker@evil.test\\"@victim.test', "attacker@evil.test@victim.test", "attacker(comment)@victim.test", "<attacker@evil.test>@victim.test"]) {
      const { response } = await emailSignIn(browser(app), email);
      expect(errorOf(response), email).toBe("EmailSignin");
    }
    expect(app.sent).toEqual([]);
  });

  it("GHSA-7rqj-j65f-68wh look-alike '＠' and '﹐' that Unicode folding turns into syntax: folded first, then refused; a harmless fold still reaches one recipient", async () => {
    // Unit cases: src/core/email/identifier.test.ts.
    const app = suiteApp();
    for (const email of ["attacker@evil.test\uFF20victim.test", "attacker@evil.test\uFE6Bvictim.test", "attacker@evil.test\uFF0Cv@victim.test", "attacker@evil.test\uFE50v@victim.test", "attacker@evil.test\u200B,v@victim.test"]) {
      const { response } = await emailSignIn(browser(app), email);
      expect(errorOf(response), email).toBe("EmailSignin");
    }
    expect(app.sent).toEqual([]);
    await emailSignIn(browser(app), "\uFF56@Victim.test");
    expect(app.sent.map((s) => s.identifier)).toEqual(["v@victim.test"]);
  });

  it("GHSA-x445-f3h2-j279 check cookies not bound to their provider: the checks of one provider's sign-in do not pass another provider's callback", async () => {
    const app = githubApp();
    const client = browser(app);
    const genuine = new URL(app.enterprise.approve((await startOAuth(client, "ghe")).href, "victim"));
    const swapped = new URL(`${ORIGIN}${BASE_PATH}/callback/github${genuine.search}`);
    swapped.searchParams.set("iss", app.github.issuer);
    const { response, cookies } = await client.fetch(swapped.href);
    expect(sessionSet(cookies)).toBe(false);
    expect(errorOf(response)).toBeTruthy();
    expect(app.github.calls).toEqual([]);
    expect(app.errors.some((error) => error.message.includes("another provider"))).toBe(true);
  });

  it("GHSA-xmf8-cvqr-rfgj a malformed Bearer header ('Bearer %'): getToken, the session route and the proxy answer 'no session', never throw", async () => {
    // Deeper: src/jwt.test.ts, test/fuzz/get-token.property.test.ts, test/fuzz/authorization.property.test.ts.
    const app = suiteApp();
    const proxy = nextAuthOf(app).auth as ProxyFn;
    for (const authorization of ["Bearer %", "Bearer %E0%A4%A", "Bearer %zz", "Bearer", "Bearer  %"]) {
      await expect(getToken({ req: new Request(ORIGIN, { headers: { authorization } }), secret: SECRET }), authorization).resolves.toBeNull();
      const route = await Auth(new Request(`${ORIGIN}${BASE_PATH}/session`, { headers: { host: "app.test", authorization } }), app.config);
      expect(route.status, authorization).toBe(200);
      expect(await route.json(), authorization).toBeNull();
      expect((await proxy(nextRequest("/api/data", { authorization, accept: "application/json" }))).status, authorization).toBe(401);
    }
  });

  it("GHSA-8fpg-xm3f-6cx3 a configuration error read as a session: with a broken config, even a valid session cookie gives no session anywhere", async () => {
    // Deeper: src/next/proxy.test.ts ("never turns a misconfigured provider into a session").
    const app = suiteApp({ extra: { adapter: {} } }); // the email and passkey providers need adapter methods
    const token = await encode({ token: { sub: ALICE.id, name: ALICE.name, email: ALICE.email, sid: "s1" }, secret: SECRET, salt: SESSION_COOKIE });
    const cookie = `${SESSION_COOKIE}=${token}`;
    const route = await Auth(new Request(`${ORIGIN}${BASE_PATH}/session`, { headers: { host: "app.test", cookie } }), app.config);
    expect(route.status).toBe(500);
    const body: unknown = await route.json();
    expect(body).toMatchObject({ error: "Configuration" });
    expect(body).not.toHaveProperty("user");

    const { auth, protect } = nextAuthOf(app);
    expect((await (auth as ProxyFn)(nextRequest("/dashboard", { cookie }))).status).toBe(307);
    const handler = vi.fn(() => Response.json({ secret: true }));
    expect((await protect(handler)(nextRequest("/api/data", { cookie }), undefined)).status).toBe(401);
    expect(handler).not.toHaveBeenCalled();
    serverRequest({}, new Map([[SESSION_COOKIE, token]]));
    expect(await auth()).toBeNull();
    // next-auth/react's getSession took the 500 body for a session; latch/react's gives null.
    vi.stubGlobal("fetch", (input: string | URL | Request) => {
      const url = input instanceof Request ? input.url : input instanceof URL ? input.href : input;
      return Auth(new Request(new URL(url, ORIGIN), { headers: { host: "app.test", cookie } }), app.config);
    });
    try {
      expect(await getSession()).toBeNull();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("next-auth <4.10.2 'leaks excessive information into log' (no id published): passwords, codes, sign-in links and tokens never reach the logger", async () => {
    const logged: string[] = [];
    const describeValue = (value: unknown, depth = 0): string => {
      if (value instanceof Error) return [value.name, value.message, value.stack ?? "", JSON.stringify(Object.entries(value)), depth < 5 ? describeValue(value.cause, depth + 1) : ""].join("\n");
      return typeof value === "string" ? value : (JSON.stringify(value) ?? "");
    };
    const app = githubApp({
      extra: {
        logger: {
          error: (error) => void logged.push(describeValue(error)),
          warn: (code) => void logged.push(code),
          debug: (message, metadata) => void logged.push(`${message} ${describeValue(metadata)}`),
        },
      },
    });
    const password = "correct-horse-battery-staple-9";
    const wrong = await signInAlice(app, { password });
    expect(errorOf(wrong.response)).toBe("CredentialsSignin");

    const tampered = browser(app);
    const callback = new URL(app.github.approve((await startOAuth(tampered)).href, "victim"));
    const code = callback.searchParams.get("code") ?? "";
    callback.searchParams.set("state", "forged");
    await tampered.fetch(callback.href);
    const victim = browser(app);
    const replayed = new URL(app.github.approve((await startOAuth(victim)).href, "victim"));
    await victim.fetch(replayed.href); // signs in
    await cloneBrowser(tampered, app).fetch(replayed.href); // the code again: refused by the provider

    const link = await requestLink(app, browser(app), "victim@example.com");
    await useLink(browser(app), link);
    await useLink(browser(app), link); // used twice: Verification
    const forged = browser(app);
    forged.jar.set(SESSION_COOKIE, `${victim.jar.get(SESSION_COOKIE) ?? ""}x`);
    await forged.session();

    expect(logged.length).toBeGreaterThanOrEqual(4);
    const secrets = [password, code, replayed.searchParams.get("code") ?? "", link.searchParams.get("token") ?? "", victim.jar.get(SESSION_COOKIE) ?? "", "suite-client-secret", SECRET, "gho_"];
    const log = logged.join("\n");
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(3);
      expect(log.includes(secret), `the log holds ${secret.slice(0, 12)}…`).toBe(false);
    }
  });
});

// =============================================================================================

describe("§3b better-auth (the rows for features latch has)", () => {
  it("GHSA-vp58-j275-797x trusted-origin checks fooled by look-alike origins: none passes as the site, for redirects or for the token endpoint's Origin check", async () => {
    const app = suiteApp();
    const { client } = await signInAlice(app);
    const lookalikes = ["https://app.test.evil.test", "https://app.testevil.test", "https://evil-app.test", "https://sub.app.test", "http://app.test", "https://app.test:8443", "https://app.test%2eevil.test", "null"];
    for (const origin of lookalikes) {
      const signIn = await signInAlice(app, { callbackUrl: `${origin}/dashboard` });
      expectOnSite(locationOf(signIn.response), origin);
      const token = await client.fetch(`${BASE_PATH}/token`, { method: "POST", headers: { "x-latch-bearer": "1", origin } });
      expect(token.response.status, origin).toBe(403);
    }
    // The control: the site's own origin gets its token.
    expect((await client.fetch(`${BASE_PATH}/token`, { method: "POST", headers: { "x-latch-bearer": "1", origin: ORIGIN } })).response.status).toBe(200);
  });

  it("GHSA-8jhw-6pjj-8723 open redirect through the email-verification link's callback URL: the link, its landing page and its POST keep it on the site", async () => {
    const app = suiteApp();
    const link = await requestLink(app, browser(app), "victim@example.com", { callbackUrl: "https://evil.test/a" });
    expect(link.searchParams.get("callbackUrl")).toBe(ORIGIN);
    // The attacker edits a genuine link before forwarding it.
    link.searchParams.set("callbackUrl", "https://evil.test/b");
    const victim = browser(app);
    const landing = await victim.fetch(link.href);
    expect(landing.response.status).toBe(200);
    expect(await landing.response.text()).not.toContain("evil.test");
    const used = await useLink(victim, link);
    expect(sessionSet(used.cookies)).toBe(true);
    expectOnSite(locationOf(used.response), "link POST");
  });

  it("GHSA-qq9h-g4jm-xgf3 pre-account hijacking: an account squatted on the victim's address with a passkey loses the passkey and its sessions once the owner proves the address", async () => {
    // The signIn event, a squatter with a password: test/email.integration.test.ts; passkeys: test/passkey.integration.test.ts.
    const app = suiteApp({ strategy: "database" });
    const attacker = browser(app);
    const device = new StandinAuthenticator(ORIGIN);
    expect(sessionSet((await registerPasskey(attacker, device, "victim@example.com")).cookies)).toBe(true);
    expect((await sessionOf(attacker))?.user?.email).toBe("victim@example.com");

    const victim = browser(app);
    expect(sessionSet((await useLink(victim, await requestLink(app, victim, "victim@example.com"))).cookies)).toBe(true);
    expect(await sessionOf(attacker)).toBeNull();
    expect(sessionSet((await passkeySignIn(browser(app), device)).cookies)).toBe(false);
    expect((await sessionOf(victim))?.user?.email).toBe("victim@example.com");

    // JWT sessions end through the revocation store's per-user cut-off, counted in whole seconds
    // (auth_time). The attacker signs in with the passkey again and again: one of those sessions
    // begins in the very second the owner proves the address, and must end all the same.
    const jwtApp = suiteApp({ extra: { revocation: SQLiteRevocationStore(new Database(":memory:")) } });
    const second = Math.ceil(Date.now() / 1000) * 1000 + 10_000;
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(second - 60_000);
      const jwtDevice = new StandinAuthenticator(ORIGIN);
      await registerPasskey(browser(jwtApp), jwtDevice, "victim@example.com");
      const owner = browser(jwtApp);
      const link = await requestLink(jwtApp, owner, "victim@example.com");
      vi.setSystemTime(second + 100);
      const squatter = browser(jwtApp);
      expect(sessionSet((await passkeySignIn(squatter, jwtDevice)).cookies)).toBe(true);
      vi.setSystemTime(second + 600);
      expect(sessionSet((await useLink(owner, link)).cookies)).toBe(true);
      vi.setSystemTime(second + 5_000);
      expect(await sessionOf(squatter)).toBeNull();
      expect((await sessionOf(owner))?.user?.email).toBe("victim@example.com");
    } finally {
      vi.useRealTimers();
    }
  });

  it("GHSA-g38m-r43w-p2q7 an OAuth sign-in linked by email to a squatted account: no automatic linking, in either direction", async () => {
    const claimant: FakeGitHubUser = { id: 1003, login: "claimant", email: null, emails: [{ email: "victim@example.com", primary: true, verified: false }] };
    // 1. The attacker squats the address with a passkey (which proves nothing about it); the victim then signs in with GitHub, which verified it.
    const app = githubApp();
    await registerPasskey(browser(app), new StandinAuthenticator(ORIGIN), "victim@example.com");
    const victim = browser(app);
    const refused = await oauthSignIn(victim, app.github, "victim");
    expect(sessionSet(refused.cookies)).toBe(false);
    expect(errorOf(refused.response)).toBe("OAuthAccountNotLinked");
    expect(await app.adapter.getUserByAccount?.({ provider: "github", providerAccountId: "1001" })).toBeNull();

    // 2. The victim owns the address (proved by a link); the attacker's GitHub account lists it, unverified.
    const second = githubApp({ users: [...GITHUB_USERS, claimant] });
    const owner = browser(second);
    await useLink(owner, await requestLink(second, owner, "victim@example.com"));
    const ownerId = (await second.adapter.getUserByEmail?.("victim@example.com"))?.id;
    const thief = browser(second);
    expect(sessionSet((await oauthSignIn(thief, second.github, "claimant")).cookies)).toBe(true);
    expect((await sessionOf(thief))?.user?.email ?? null).toBeNull();
    const linked = await second.adapter.getUserByAccount?.({ provider: "github", providerAccountId: "1003" });
    expect(linked?.id).toBeTruthy();
    expect(linked?.id).not.toBe(ownerId);
  });

  it("GHSA-392p-2q2v-4372 refresh-token rotation forked by concurrent requests: ten uses at once give one successor, and the family then dies", async () => {
    // Every store, across instances and processes: test/refresh-tokens.integration.test.ts.
    for (const store of [MemoryRefreshTokenStore(), SQLiteRefreshTokenStore(new Database(":memory:"))]) {
      const app = suiteApp({ extra: { bearer: { refreshTokens: { store } } } });
      const first = await offlineTokens((await signInAlice(app)).client);
      const answers = await Promise.all(Array.from({ length: 10 }, () => refresh(app, first.refreshToken)));
      const rotated = answers.filter((answer) => answer.status === 200);
      expect(rotated).toHaveLength(1);
      expect(answers.filter((answer) => answer.status === 400 && answer.body.error === "invalid_grant")).toHaveLength(9);
      expect((await refresh(app, rotated[0]?.body.refreshToken ?? "")).status).toBe(400);
    }
  });

  it("GHSA-pw9m-5jxm-xr6h refresh-token replay: a refresh token used once and replayed later is refused, and takes its successor down with it", async () => {
    const app = suiteApp();
    const first = await offlineTokens((await signInAlice(app)).client);
    const second = await refresh(app, first.refreshToken);
    expect(second.status).toBe(200);
    expect(await refresh(app, first.refreshToken)).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect((await refresh(app, second.body.refreshToken ?? "")).status).toBe(400);
  });

  it("GHSA-7w99-5wm4-3g79 a single-use credential redeemed by concurrent requests: one sign-in link, one passkey assertion, one authorization code — each signs in once", async () => {
    // Every adapter under concurrency: test/adapter-conformance.ts; more on links: test/email.integration.test.ts.
    const app = githubApp();
    const link = await requestLink(app, browser(app), "victim@example.com");
    const linkAnswers = await Promise.all(Array.from({ length: 20 }, () => useLink(browser(app), link)));
    expect(linkAnswers.filter((answer) => sessionSet(answer.cookies))).toHaveLength(1);

    // The same assertion posted five times at once, each with a copy of the challenge cookie.
    const device = new StandinAuthenticator(ORIGIN);
    await registerPasskey(browser(app), device, "passkey@example.com");
    const first = browser(app);
    const assertion = device.authenticate(await passkeyOptions(first, "authenticate"));
    const copies = [first, ...Array.from({ length: 4 }, () => cloneBrowser(first, app))];
    const passkeyAnswers = await Promise.all(copies.map((client) => postPasskey(client, "authenticate", assertion)));
    expect(passkeyAnswers.filter((answer) => sessionSet(answer.cookies))).toHaveLength(1);

    // One authorization response replayed at once from copies of the browser: the provider
    // honours the code once (RFC 6749 §4.1.2), and a refused exchange never signs in.
    const oauthBrowser = browser(app);
    const callback = app.github.approve((await startOAuth(oauthBrowser)).href, "mallory");
    const clones = [oauthBrowser, cloneBrowser(oauthBrowser, app), cloneBrowser(oauthBrowser, app)];
    const oauthAnswers = await Promise.all(clones.map((client) => client.fetch(callback)));
    expect(oauthAnswers.filter((answer) => sessionSet(answer.cookies))).toHaveLength(1);
  });

  it("GHSA-9h47-pqcx-hjr4 'plain' PKCE and 'none' offered by a provider: latch's authorization requests are S256 with its own state, whatever the sign-in request asks for", async () => {
    // ID tokens signed with 'none', or HS256 with the public key, are refused: test/security/malicious-op.attack.test.ts.
    const app = githubApp();
    const client = browser(app);
    const csrfToken = await client.csrfToken();
    const smuggled = new URLSearchParams({
      code_challenge_method: "plain",
      code_challenge: "attacker-challenge",
      state: "attacker-state",
      response_type: "token",
      redirect_uri: "https://evil.test/cb",
      client_id: "attacker-client",
    });
    const { response } = await client.fetch(`${BASE_PATH}/signin/github?${smuggled}`, { form: { csrfToken } });
    const authorization = new URL(locationOf(response));
    expect(authorization.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorization.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorization.searchParams.get("state")).not.toBe("attacker-state");
    expect(authorization.searchParams.get("response_type")).toBe("code");
    expect(authorization.searchParams.get("redirect_uri")).toBe(`${ORIGIN}${BASE_PATH}/callback/github`);
    expect(authorization.searchParams.get("client_id")).toBe("suite-client");
    expect(sessionSet((await client.fetch(app.github.approve(authorization.href, "victim"))).cookies)).toBe(true);
  });

  it("GHSA-p6v2-xcpg-h6xw a rate limiter keyed by the raw IPv6 text: rotating through a /64, or respelling an address, stays in one bucket", async () => {
    // Unit cases: src/core/client-address.test.ts; throttling across accounts: test/credentials.integration.test.ts.
    const app = suiteApp({
      extra: {
        providers: [
          Credentials({
            credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
            authorize: () => null,
            rateLimit: { account: false, source: { max: 3, window: 600 } },
          }),
        ],
      },
    });
    let serial = 0;
    const attempt = async (address: string): Promise<number> => {
      const client = browser(app);
      const csrfToken = await client.csrfToken();
      serial += 1;
      const { response } = await client.fetch(`${BASE_PATH}/callback/credentials`, { form: { csrfToken, email: `user${serial}@example.com`, password: "guess" }, headers: { "x-forwarded-for": address } });
      return response.status;
    };
    const sameV6Client = ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff:ffff:ffff:fffe", "2001:0DB8:0001:0002:0:0:0:3", "[2001:db8:1:2::4]:8443", "2001:DB8:1:2::5%eth0"];
    const sameV4Client = ["192.0.2.7", "::ffff:192.0.2.7", "::ffff:c000:207", "[::ffff:192.0.2.7]:443", "192.0.2.7:5555", "0:0:0:0:0:ffff:c000:0207"];
    for (const addresses of [sameV6Client, sameV4Client]) {
      const statuses: number[] = [];
      for (const address of addresses) statuses.push(await attempt(address));
      expect(statuses, addresses.join(" ")).toEqual([303, 303, 303, 429, 429, 429]);
    }
    // The neighbouring /64 is another client: it is not blocked with this one.
    expect(await attempt("2001:db8:1:3::1")).toBe(303);
  });

  it("GHSA-x732-6j76-qmhm '//path' taken for '/path': a respelled route is refused or counted as the route itself, never a way around throttling", async () => {
    const app = suiteApp({ accountAttempts: 2 });
    const post = async (path: string, password: string) => {
      const client = browser(app);
      const csrfToken = await client.csrfToken();
      return client.fetch(path, { form: { csrfToken, email: ALICE.email, password } });
    };
    const canonical = `${BASE_PATH}/callback/credentials`;
    expect((await post(canonical, "wrong-1")).response.status).toBe(303);
    expect((await post(canonical, "wrong-2")).response.status).toBe(303);
    expect((await post(canonical, ALICE.password)).response.status).toBe(429);
    const respelled = [
      `${canonical}/`,
      `${BASE_PATH}/callback/cred%65ntials`,
      `${BASE_PATH}/callback/CREDENTIALS`,
      `/${canonical}`,
      `${BASE_PATH}//callback/credentials`,
      `${BASE_PATH}/callback//credentials`,
      "/api//auth/callback/credentials",
      "/API/auth/callback/credentials",
      `${BASE_PATH}/./callback/credentials`,
      `${BASE_PATH}/x/../callback/credentials`,
    ];
    for (const path of respelled) {
      const { response, cookies } = await post(path, ALICE.password);
      expect([404, 429], path).toContain(response.status);
      expect(sessionSet(cookies), path).toBe(false);
    }
  });

  it("GHSA-hjpm-7mrm-26w8 scheme-less and slash-trick callback URLs (a bypass of the first fix): '//evil.test' and its respellings stay on the site in every flow", async () => {
    const app = githubApp();
    const payloads = ["//evil.test", "///evil.test", "/\\evil.test", "\\\\evil.test", "\\/evil.test", "/\t/evil.test", " //evil.test", "https:evil.test", "https:/\\evil.test", "//evil.test@app.test"];
    for (const payload of payloads) {
      const what = JSON.stringify(payload);
      expectOnSite(locationOf((await signInAlice(app, { callbackUrl: payload })).response), what);
      const oauth = browser(app);
      await startOAuth(oauth, "github", payload);
      expectOnSite(oauth.jar.get(CALLBACK_COOKIE) ?? "", what);
      const signedIn = (await signInAlice(app)).client;
      const csrfToken = await signedIn.csrfToken();
      expectOnSite(locationOf((await signedIn.fetch(`${BASE_PATH}/signout`, { form: { csrfToken, callbackUrl: payload } })).response), what);
    }
  });

  it("GHSA-wxw3-q3m9-c3jr a callback whose state is not the browser's: the attacker's authorization response is refused in the victim's browser", async () => {
    const app = githubApp();
    const attacker = browser(app);
    const attackersResponse = app.github.approve((await startOAuth(attacker)).href, "mallory"); // the attacker stops before their own callback
    const victim = browser(app);
    await startOAuth(victim); // the victim's own sign-in, and its check cookies
    const before = app.github.calls.length;
    const { response, cookies } = await victim.fetch(attackersResponse);
    expect(sessionSet(cookies)).toBe(false);
    expect(errorOf(response)).toBeTruthy();
    expect(app.github.calls.slice(before)).toEqual([]);
    expect(await sessionOf(victim)).toBeNull();
  });

  it("GHSA-9x4v-xfq5-m8x5 reflected XSS through URL parameters: no page renders a parameter as markup or as a javascript: link", async () => {
    const app = suiteApp();
    const xss = `"><script>alert(1)</script><img src=x onerror=alert(2)>`;
    const pages = [
      `${BASE_PATH}/signin?${new URLSearchParams({ error: xss, callbackUrl: xss })}`,
      `${BASE_PATH}/signin?${new URLSearchParams({ error: "CredentialsSignin", code: xss, callbackUrl: "javascript:alert(3)" })}`,
      `${BASE_PATH}/error?${new URLSearchParams({ error: xss })}`,
      `${BASE_PATH}/signout?${new URLSearchParams({ callbackUrl: xss })}`,
      `${BASE_PATH}/verify-request?${new URLSearchParams({ provider: xss, type: xss })}`,
      `${BASE_PATH}/callback/email?${new URLSearchParams({ token: xss, email: xss, callbackUrl: "javascript:alert(4)" })}`,
    ];
    for (const page of pages) {
      const { response } = await browser(app).fetch(page);
      expect(response.status, page).toBeLessThan(500);
      const html = await response.text();
      expect(html, page).not.toContain('"><script');
      expect(html, page).not.toContain("<script>alert");
      expect(html, page).not.toMatch(/<img\b[^>]*\bonerror\s*=/i);
      expect(html, page).not.toMatch(/(href|action|src|formaction)\s*=\s*["']?\s*javascript:/i);
    }
  });

  it("GHSA-36rg-gfq2-3h56 open redirect through a second redirect parameter: the new-user page's callbackUrl, a signIn callback's URL and the redirect callback's schemes are checked too", async () => {
    const app = suiteApp({ extra: { pages: { newUser: "/welcome" } } });
    const newcomer = browser(app);
    const used = await useLink(newcomer, await requestLink(app, newcomer, "newcomer@example.com"), { callbackUrl: "https://evil.test/after-welcome" });
    const welcome = new URL(locationOf(used.response));
    expect(`${welcome.origin}${welcome.pathname}`).toBe(`${ORIGIN}/welcome`);
    expect(welcome.searchParams.get("callbackUrl")).toBe(ORIGIN);

    // An app whose redirect callback lets everything through still gets only http(s) targets.
    const lax = (extra: NonNullable<SuiteAppOptions["extra"]>["callbacks"] = {}) => suiteApp({ extra: { callbacks: { redirect: ({ url }) => url, ...extra } } });
    expect(locationOf((await signInAlice(lax({ signIn: () => "javascript:alert(document.cookie)" }))).response)).toBe(ORIGIN);
    for (const target of ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)"]) {
      expect(locationOf((await signInAlice(lax(), { callbackUrl: target })).response), JSON.stringify(target)).toBe(ORIGIN);
    }
  });

  it("GHSA-569q-mpph-wgww a base URL taken from the first request's Host header: without AUTH_URL a production server trusts no Host, and no request's Host sticks for the next", async () => {
    // Deeper: test/security/host.attack.test.ts.
    vi.stubEnv("AUTH_URL", undefined);
    vi.stubEnv("NODE_ENV", "production");
    const strict = suiteApp();
    for (const origin of ["https://evil.test", ORIGIN]) {
      const body = new URLSearchParams({ email: "victim@example.com", csrfToken: "x" });
      const answer = await Auth(new Request(`${origin}${BASE_PATH}/signin/email`, { method: "POST", headers: { host: new URL(origin).host }, body }), strict.config);
      expect(answer.status, origin).toBe(500);
    }
    expect(strict.sent).toEqual([]);

    // Behind a proxy the app trusts (trustHost), each request's links follow its own Host: the first one does not stick.
    const proxied = suiteApp({ trustHost: true });
    await requestLink(proxied, browser(proxied, "https://evil.test"), "first@example.com");
    expect((await requestLink(proxied, browser(proxied), "second@example.com")).origin).toBe(ORIGIN);

    // With AUTH_URL, the Host header is not read at all.
    vi.stubEnv("AUTH_URL", ORIGIN);
    const pinned = suiteApp();
    expect((await requestLink(pinned, browser(pinned, "https://evil.test"), "third@example.com")).origin).toBe(ORIGIN);
  });

  it("GHSA-wmjr-v86c-m9jj forged cookies that revoke someone else's session: sign-out and /revoke with forged values end nobody's session", async () => {
    const jwtApp = suiteApp({ extra: { revocation: SQLiteRevocationStore(new Database(":memory:")) } });
    const victim = (await signInAlice(jwtApp)).client;
    const victimCookie = victim.jar.get(SESSION_COOKIE) ?? "";
    const sid = String((await decode({ token: victimCookie, secret: SECRET, salt: SESSION_COOKIE }))?.sid);
    const forgedCookies = [
      await encode({ token: { sub: ALICE.id, sid }, secret: "a-guessed-secret-of-enough-length-0123456789", salt: SESSION_COOKIE }),
      `${victimCookie.slice(0, -4)}AAAA`,
      sid,
      ALICE.id,
    ];
    for (const forged of forgedCookies) {
      const attacker = browser(jwtApp);
      const csrfToken = await attacker.csrfToken();
      attacker.jar.set(SESSION_COOKIE, forged);
      await attacker.fetch(`${BASE_PATH}/signout`, { form: { csrfToken } });
    }
    for (const token of [`latch_rt_${"0".repeat(64)}`, `latch_rt_${sid}`, sid]) {
      const revoked = await Auth(new Request(`${ORIGIN}${BASE_PATH}/revoke`, { method: "POST", headers: { host: "app.test" }, body: new URLSearchParams({ token }) }), jwtApp.config);
      expect(revoked.status).toBe(200);
    }
    expect((await sessionOf(victim))?.user?.email).toBe(ALICE.email);

    // Database sessions: a sign-out deletes the row its own cookie names, and only that one.
    const dbApp = suiteApp({ strategy: "database" });
    await dbApp.adapter.createUser?.({ id: ALICE.id, name: ALICE.name, email: ALICE.email, emailVerified: null, image: null });
    const dbVictim = (await signInAlice(dbApp)).client;
    const token = dbVictim.jar.get(SESSION_COOKIE) ?? "";
    for (const forged of [ALICE.id, "0".repeat(64), `${token}x`, token.toUpperCase(), token.slice(0, -1)]) {
      const attacker = browser(dbApp);
      const csrfToken = await attacker.csrfToken();
      attacker.jar.set(SESSION_COOKIE, forged);
      await attacker.fetch(`${BASE_PATH}/signout`, { form: { csrfToken } });
    }
    expect((await sessionOf(dbVictim))?.user?.email).toBe(ALICE.email);
  });

  it("GHSA-2vg6-77g8-24mp sessions that outlive their deleted user: with database sessions, deleting the user ends the cookie session, its bearer tokens and its refresh tokens", async () => {
    // JWT sessions carry the user in the token: they end with the user only through the revocation store (revokeUser).
    const app = suiteApp({ strategy: "database" });
    await app.adapter.createUser?.({ id: ALICE.id, name: ALICE.name, email: ALICE.email, emailVerified: null, image: null });
    const { client } = await signInAlice(app);
    const offline = await offlineTokens(client);
    const route = nextAuthOf(app).protect((request) => Response.json(request.auth));
    const asBearer = () => route(nextRequest("/api/me", { authorization: `Bearer ${offline.token}`, accept: "application/json" }), undefined);
    expect((await asBearer()).status).toBe(200);
    await app.adapter.deleteUser?.(ALICE.id);
    expect(await sessionOf(client)).toBeNull();
    expect((await asBearer()).status).toBe(401);
    expect((await refresh(app, offline.refreshToken)).status).toBe(400);
  });

  it("GHSA-p2fr-6hmx-4528 access tokens not bound to an audience: a bearer token is accepted only by the audience and issuer it was minted for", async () => {
    const minting = suiteApp({ extra: { bearer: { audience: "https://api-a.test", refreshTokens: { store: MemoryRefreshTokenStore() } } } });
    const { token } = await offlineTokens((await signInAlice(minting)).client);
    const call = (app: SuiteApp, origin = ORIGIN) => nextAuthOf(app).protect((request) => Response.json(request.auth))(nextRequest("/api/me", { authorization: `Bearer ${token}`, accept: "application/json" }, origin), undefined);
    expect((await call(minting)).status).toBe(200);
    // Same secret, same site, another API.
    expect((await call(suiteApp({ extra: { bearer: { audience: "https://api-b.test" } } }))).status).toBe(401);
    // Same secret, no audience configured: the audience is the site itself, not api-a.
    expect((await call(suiteApp())).status).toBe(401);
    // Another site sharing the secret: another issuer.
    vi.stubEnv("AUTH_URL", "https://other.test");
    expect((await call(suiteApp({ extra: { bearer: { audience: "https://api-a.test" } } }), "https://other.test")).status).toBe(401);
  });
});

// =============================================================================================

describe("§3c @auth0/nextjs-auth0", () => {
  it("GHSA-954c-jjx6-cxv7 reflected XSS from the callback's error parameter: an error answer leads to a fixed error name, and no page renders the provider's text", async () => {
    const app = githubApp();
    const xss = "<script>alert(document.cookie)</script>";
    const victim = browser(app);
    const authorization = await startOAuth(victim);
    const errorAnswer = new URL(`${ORIGIN}${BASE_PATH}/callback/github`);
    errorAnswer.search = new URLSearchParams({ error: xss, error_description: xss, error_uri: "javascript:alert(1)", state: authorization.searchParams.get("state") ?? "", iss: app.github.issuer }).toString();
    // In the middle of a genuine sign-in, and out of the blue.
    for (const client of [victim, browser(app)]) {
      const { response, cookies } = await client.fetch(errorAnswer.href);
      expect(sessionSet(cookies)).toBe(false);
      const target = new URL(locationOf(response));
      expect(target.origin).toBe(ORIGIN);
      expect(target.href).not.toContain("script");
      const html = await (await client.fetch(target.href)).response.text();
      expect(html).not.toContain("<script>alert");
      expect(html).not.toMatch(/(href|action|src)\s*=\s*["']?\s*javascript:/i);
    }
  });

  it("GHSA-2mqv-4j3r-vjvp open redirect via the sign-out return URL: the route, its page and the server action keep it on the site", async () => {
    const app = suiteApp();
    const { client } = await signInAlice(app);
    const page = await client.fetch(`${BASE_PATH}/signout?${new URLSearchParams({ callbackUrl: "https://evil.test/bye" })}`);
    expect(await page.response.text()).not.toContain("evil.test");
    const csrfToken = await client.csrfToken();
    expect(locationOf((await client.fetch(`${BASE_PATH}/signout`, { form: { csrfToken, callbackUrl: "https://evil.test/bye" } })).response)).toBe(ORIGIN);

    const again = (await signInAlice(app)).client;
    serverRequest({ origin: ORIGIN, "sec-fetch-site": "same-origin" }, again.jar);
    const { signOut } = nextAuthOf(app);
    expect(await serverAction(() => signOut({ redirectTo: "https://evil.test/bye" }))).toBe(ORIGIN);
    expect(next.cookies.has(SESSION_COOKIE)).toBe(false); // the sign-out itself happened
  });

  it("GHSA-pjr6-jx7r-j4r6 a session JWE without an expiry of its own: latch's token carries exp, so a copy kept past the session's life is refused", async () => {
    const app = suiteApp({ extra: { session: { strategy: "jwt", maxAge: 3600 } } });
    const { client } = await signInAlice(app);
    const raw = client.jar.get(SESSION_COOKIE) ?? "";
    const claims = await decode({ token: raw, secret: SECRET, salt: SESSION_COOKIE });
    expect(typeof claims?.exp).toBe("number");
    expect(Number(claims?.exp) - Number(claims?.iat)).toBe(3600);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 3601_000 + 30_000);
      const replay = browser(app);
      replay.jar.set(SESSION_COOKIE, raw);
      expect(await replay.session()).toBeNull();
      expect((await (nextAuthOf(app).auth as ProxyFn)(nextRequest("/dashboard", { cookie: `${SESSION_COOKIE}=${raw}` }))).status).toBe(307);
    } finally {
      vi.useRealTimers();
    }
  });

  it("GHSA-f3fg-mf2q-fj3f a session Set-Cookie kept by a shared cache: whatever latch adds a session cookie to says private, no-store — routes, the proxy, wrapped handlers and the Pages Router", async () => {
    // Every answer of every route: test/security/headers.attack.test.ts.
    const app = suiteApp();
    const { client, response } = await signInAlice(app);
    expectPrivateNoStore(response.headers.get("cache-control"), "credentials callback");
    const cookie = client.cookieHeader();
    const renews = (answer: Response) => answer.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`));
    const { auth, protect } = nextAuthOf(app);

    // The proxy renews the cookie on its way to a page that Next.js may have prerendered with s-maxage.
    const page = await (auth as ProxyFn)(nextRequest("/pricing", { cookie }));
    expect(renews(page)).toBe(true);
    expectPrivateNoStore(page.headers.get("cache-control"), "proxy → page");
    const cachedByTheApp = () => new Response("hello", { headers: { "cache-control": "public, s-maxage=3600" } });
    const wrapped = await auth(cachedByTheApp)(nextRequest("/api/hello", { cookie }), undefined);
    expect(renews(wrapped)).toBe(true);
    expectPrivateNoStore(wrapped.headers.get("cache-control"), "auth(handler)");
    const guarded = await protect(cachedByTheApp)(nextRequest("/api/hello", { cookie }), undefined);
    expect(renews(guarded)).toBe(true);
    expectPrivateNoStore(guarded.headers.get("cache-control"), "protect(handler)");

    const res = pagesResponse();
    res.setHeader("cache-control", "public, s-maxage=60");
    expect((await auth({ headers: { host: "app.test", cookie }, url: "/products" }, res))?.user?.email).toBe(ALICE.email);
    expect((res.getHeader("set-cookie") as string[]).some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(true);
    expectPrivateNoStore(res.getHeader("cache-control"), "getServerSideProps");
  });

  it("GHSA-wcgj-f865-c7j7 concurrent requests of two users answered with each other's result: sessions, bearer tokens and provider-token refreshes stay with their own user", async () => {
    const app = githubApp({ expiringTokens: { expiresIn: 1 }, extra: { providerTokens: { store: MemoryProviderTokenStore() } } });
    const users = { victim: browser(app), mallory: browser(app) };
    for (const [login, client] of Object.entries(users)) expect(sessionSet((await oauthSignIn(client, app.github, login)).cookies), login).toBe(true);
    const email = { victim: "victim@example.com", mallory: "mallory@evil.test" };
    const order: Array<"victim" | "mallory"> = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? "victim" : "mallory"));

    const sessions = await Promise.all(order.map((login) => sessionOf(users[login])));
    sessions.forEach((session, i) => expect(session?.user?.email, `request ${i}`).toBe(email[order[i] ?? "victim"]));

    const tokens = { victim: (await offlineTokens(users.victim)).token, mallory: (await offlineTokens(users.mallory)).token };
    const route = nextAuthOf(app).protect((request) => Response.json(request.auth));
    const answers = await Promise.all(order.map(async (login) => (await route(nextRequest("/api/me", { authorization: `Bearer ${tokens[login]}`, accept: "application/json" }), undefined)).json() as Promise<SessionJson>));
    answers.forEach((answer, i) => expect(answer.user?.email, `bearer request ${i}`).toBe(email[order[i] ?? "victim"]));

    // Both users' provider tokens are due; the victim's refresh answers last.
    app.github.refreshDelay.set("victim", 60);
    const resolved = getResolvedConfig(app.config);
    const provider = resolved.providers.find((p: InternalProvider): p is InternalOAuthProvider => p.type === "oauth" && p.id === "github");
    const settings = resolved.providerTokens;
    if (!provider || !settings) throw new Error("no GitHub provider or provider-token settings");
    const ids = {
      victim: (await app.adapter.getUserByAccount?.({ provider: "github", providerAccountId: "1001" }))?.id ?? "",
      mallory: (await app.adapter.getUserByAccount?.({ provider: "github", providerAccountId: "1002" }))?.id ?? "",
    };
    const results = await Promise.all(order.slice(0, 10).map((login) => getProviderAccessToken(resolved, settings, provider, ids[login])));
    results.forEach((result, i) => {
      const login = order[i] ?? "victim";
      expect("accessToken" in result ? result.accessToken : result.error, `provider token ${i}`).toMatch(new RegExp(`^gho_${login}_`));
    });
    expect(app.github.calls.filter((call) => call === "POST /login/oauth/access_token").length).toBeGreaterThanOrEqual(4);
  });
});

// =============================================================================================

describe("§3d lucia, iron-session", () => {
  it("lucia sessions/basic.md (design note, no advisory) secrets stored as hashes: a copy of the database holds no usable sign-in link or refresh token", async () => {
    // Not covered: database session rows keep the cookie's value, as Auth.js's schema does (its
    // adapters, @auth/* interop and next-auth migrations read them); hashing them is a storage
    // format decision still open.
    const db = new Database(":memory:");
    migrateSQLite(db);
    const app = suiteApp({ strategy: "database", extra: { adapter: SQLiteAdapter(db), bearer: { refreshTokens: { store: SQLiteRefreshTokenStore(db) } } } });
    const client = browser(app);
    const link = await requestLink(app, client, "victim@example.com");
    const linkToken = link.searchParams.get("token") ?? "";
    await useLink(client, link);
    const { refreshToken } = await offlineTokens(client);
    const rotated = await refresh(app, refreshToken);
    const nextToken = rotated.body.refreshToken ?? "";
    await requestLink(app, browser(app), "victim@example.com"); // a link waiting in the mailbox

    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    const dump = tables.map(({ name }) => JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())).join("\n");
    expect(dump).toContain("victim@example.com"); // the dump is real
    const pending = app.sent.at(-1)?.token ?? "";
    for (const [what, secret] of Object.entries({ "a used link": linkToken, "a pending link": pending, "a used refresh token": refreshToken, "the live refresh token": nextToken })) {
      expect(secret.length, what).toBeGreaterThan(20);
      expect(dump.includes(secret), what).toBe(false);
      expect(dump.includes(secret.replace(/^latch_rt_/, "")), what).toBe(false);
    }
  });

  it("GHSA-pxg6-pf52-xh8x (cookie <0.7.0, the bump iron-session took) attribute injection through a cookie: a callbackUrl carrying ';' or CR/LF stays inside its cookie's value", async () => {
    const app = githubApp();
    const client = browser(app);
    const csrfToken = await client.csrfToken();
    const payload = "/next; Domain=evil.test; Path=/; Max-Age=99999999\r\nSet-Cookie: injected=1";
    const { response } = await client.fetch(`${BASE_PATH}/signin/github`, { form: { csrfToken, callbackUrl: payload } });
    const headers = response.headers.getSetCookie();
    const header = headers.find((h) => h.startsWith(`${CALLBACK_COOKIE}=`)) ?? "";
    expect(header).not.toBe("");
    const parsed = parseSetCookie(header);
    expect(Object.keys(parsed.attributes).sort()).toEqual(["httponly", "path", "samesite", "secure"]);
    expect(parsed.attributes.path).toBe("/");
    expect(headers.some((h) => /^\s*injected=/i.test(h))).toBe(false);
    expect(new URL(parsed.value).origin).toBe(ORIGIN);
  });
});

// =============================================================================================

describe("§3e Next.js (the platform the proxy runs on)", () => {
  it("GHSA-f82v-jwr5-mffw x-middleware-subrequest: the header changes nothing in latch's proxy or wrappers, and auth() in the page checks again when the proxy never ran", async () => {
    const app = suiteApp();
    const { auth, protect, requireSession } = nextAuthOf(app);
    const skip = { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" };
    expect((await (auth as ProxyFn)(nextRequest("/dashboard", skip))).status).toBe(307);
    const handler = vi.fn(() => Response.json({ secret: true }));
    expect((await auth(handler)(nextRequest("/api/secret", { ...skip, accept: "application/json" }), undefined)).status).toBe(401);
    expect((await protect(handler)(nextRequest("/api/secret", { ...skip, accept: "application/json" }), undefined)).status).toBe(401);
    expect(handler).not.toHaveBeenCalled();
    // A vulnerable Next.js skips the proxy altogether: the page's own check still sees nobody.
    serverRequest(skip);
    expect(await auth()).toBeNull();
    await expect(requireSession()).rejects.toThrow(/^NEXT_REDIRECT https:\/\/app\.test\/api\/auth\/signin/);
  });

  it("GHSA-7gfc-8cq8-jh5f pathname tricks around the proxy: only latch's own routes and the sign-in page skip `authorized`, not paths that merely resemble them", async () => {
    const app = suiteApp();
    const proxy = nextAuthOf(app, { pages: { signIn: "/login" } }).auth as ProxyFn;
    for (const path of ["/api/authorize", "/api/auth-admin", "/api/authx/session", "/api/auth/../admin", "/api/auth/%2e%2e/admin", "/login/../admin", "/loginx", "//api/auth/session", "/API/auth/session"]) {
      const response = await proxy(nextRequest(path));
      expect(response.headers.get("x-middleware-next"), path).toBeNull();
      expect([307, 401], path).toContain(response.status);
    }
    for (const own of ["/api/auth/session", "/api/auth/signin", "/login"]) {
      expect((await proxy(nextRequest(own))).headers.get("x-middleware-next"), own).toBe("1");
    }
  });

  it("GHSA-mq59-m269-xvcx `Origin: null` taken for a missing Origin: a request from a sandboxed cross-site frame changes nothing, through the routes or through latch's server actions", async () => {
    // Every forgery shape on every route: test/security/csrf.attack.test.ts.
    const app = suiteApp({ extra: { revocation: SQLiteRevocationStore(new Database(":memory:")) } });
    const { client: victim } = await signInAlice(app);
    const opaque = { origin: "null", "sec-fetch-site": "cross-site" };
    const fields: Record<string, Record<string, string>> = {
      [`${BASE_PATH}/callback/credentials`]: { email: ALICE.email, password: ALICE.password },
      [`${BASE_PATH}/signin/email`]: { email: "victim@example.com" },
      [`${BASE_PATH}/session`]: { "data[name]": "Mallory" },
    };
    // The routes a browser's cookies authorize (/token's refresh grant and /revoke take the token itself as credential).
    for (const route of ROUTE_CONTRACT.filter((r) => r.stateChanging && r.methods.includes("POST") && r.path !== `${BASE_PATH}/revoke`)) {
      const forged = cloneBrowser(victim, app);
      const headers = route.path === `${BASE_PATH}/token` ? { ...opaque, "x-latch-bearer": "1" } : opaque;
      const { response, cookies } = await forged.fetch(route.path, { method: "POST", form: fields[route.path] ?? {}, headers });
      expect(response.status, route.path).not.toBe(200);
      expect(cookies.filter((c) => c.name !== CSRF_COOKIE).map((c) => c.name), route.path).toEqual([]);
    }
    expect((await sessionOf(victim))?.user?.name).toBe(ALICE.name);
    expect(app.sent).toEqual([]);

    // Server actions skip the CSRF token because Next.js checks their Origin — which Next.js
    // 16.0.1–16.1.6 (inside latch's peer range) let through when it was "null".
    const { signIn, signOut, unstable_update, signOutEverywhere } = nextAuthOf(app);
    for (const headers of [opaque, { origin: "null" }]) {
      serverRequest(headers, victim.jar);
      expect(new URL(await serverAction(() => signOut())).searchParams.get("error")).toBe("MissingCSRF");
      expect(await unstable_update({ name: "Mallory" })).toBeNull();
      expect(new URL(await serverAction(() => signOutEverywhere())).searchParams.get("error")).toBe("MissingCSRF");
      expect(next.cookies.get(SESSION_COOKIE)).toBe(victim.jar.get(SESSION_COOKIE));
      // Login CSRF: the attacker's credentials into the victim's browser.
      serverRequest(headers);
      // Refused with the AuthError, thrown as every credentials refusal is (as next-auth's signIn does).
      await expect(serverAction(() => signIn("credentials", { email: ALICE.email, password: ALICE.password, redirectTo: "/" }))).rejects.toMatchObject({ type: "MissingCSRF" });
      expect(next.cookies.has(SESSION_COOKIE)).toBe(false);
    }
    expect(app.triggers).not.toContain("update");
    expect((await sessionOf(victim))?.user?.name).toBe(ALICE.name);

    // The control: the same actions from the site's own page work.
    serverRequest({ origin: ORIGIN, "sec-fetch-site": "same-origin" }, victim.jar);
    expect((await unstable_update({ name: "Alice Again" }))?.user?.name).toBe("Alice Again");
    expect(await serverAction(() => signOut())).toBe(`${ORIGIN}/`);
    expect(next.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it("GHSA-fr5h-rqp8-mj6g (id unverified) server actions given a forged Host header: latch's actions fetch nothing from it and redirect only to AUTH_URL's origin", async () => {
    const app = githubApp();
    const fetched: string[] = [];
    vi.stubGlobal("fetch", (input: string | URL | Request) => {
      fetched.push(input instanceof Request ? input.url : String(input));
      return Promise.reject(new Error("no network in this test"));
    });
    try {
      const { signIn, signOut } = nextAuthOf(app);
      serverRequest({ host: "169.254.169.254", "x-forwarded-host": "internal.test", "x-forwarded-proto": "http" });
      const started = new URL(await serverAction(() => signIn("github", { redirectTo: "/after" })));
      expect(new URL(started.searchParams.get("redirect_uri") ?? "").origin).toBe(ORIGIN);
      expect(new URL(await serverAction(() => signIn())).origin).toBe(ORIGIN);
      expect(await serverAction(() => signOut({ redirectTo: "/bye" }))).toBe(`${ORIGIN}/bye`);
    } finally {
      vi.unstubAllGlobals();
    }
    expect(fetched).toEqual([]);
    expect(app.github.calls).toEqual([]);
  });

  it("GHSA-4342-x723-ch2f (id unverified) request headers handed to NextResponse.next(): the proxy passes them on as request headers only — a client's Location or rewrite header never becomes part of its response", async () => {
    const app = suiteApp();
    const { client } = await signInAlice(app);
    const proxy = nextAuthOf(app).auth as ProxyFn;
    const smuggled = { cookie: client.cookieHeader(), location: "http://169.254.169.254/latest/meta-data/", "x-middleware-rewrite": "http://169.254.169.254/", "x-middleware-redirect": "http://169.254.169.254/" };
    const response = await proxy(nextRequest("/dashboard", smuggled));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-middleware-next")).toBe("1");
    for (const name of ["location", "x-middleware-rewrite", "x-middleware-redirect", "refresh"]) expect(response.headers.get(name), name).toBeNull();
  });
});
