/**
 * Attack class: Host-header injection — a forged Host, X-Forwarded-Host, X-Forwarded-Proto,
 * Forwarded… trying to move the URLs latch builds (redirects, OAuth redirect_uri, sign-in links,
 * form actions, token issuer and audience, passkey RP ID) or its cookies (names, `__Secure-` /
 * `__Host-` prefixes, Secure) off the configured AUTH_URL.
 * References (shared/reference/security.md): RFC 9700 §4.13 and item 1.16 (forwarded headers not
 * trusted blindly); ASVS 4.1.3; OWASP Forgot Password CS (don't build links from Host); §4 magic
 * links ("link URL from configured AUTH_URL"); §7 checklist "Host: require AUTH_URL; trustHost
 * opt-in" (WSTG-INPV-17, better-auth GHSA-569q-mpph-wgww); ASVS 3.3.1 (Secure + prefixes); §7
 * "redirect helper" and lesson 1 (one same-origin check).
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { EngineClient, type SetCookie } from "../helpers/engine-client.js";
import { ALICE, BASE_PATH, isolateAuthEnv, suiteApp, type SuiteApp } from "./helpers/app.js";
import { pageReferences } from "./helpers/html.js";

const AUTH_URL = "https://app.test";

isolateAuthEnv();

interface Emitted {
  /** Every absolute URL latch handed out, and where. */
  urls: Array<{ where: string; url: string }>;
  cookies: Array<{ where: string; cookie: SetCookie }>;
}

function absoluteUrls(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) out.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) absoluteUrls(item, out);
  } else if (typeof value === "object" && value !== null) {
    for (const item of Object.values(value)) absoluteUrls(item, out);
  }
  return out;
}

function jwtClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

/**
 * A browser at `requestOrigin` (the URL Next.js builds from the Host header) whose requests all
 * carry `headers`, walking every route that builds a URL or sets a cookie. Returns all of it.
 */
async function walk(app: SuiteApp, requestOrigin: string, headers: Record<string, string>): Promise<Emitted> {
  const emitted: Emitted = { urls: [], cookies: [] };
  const browser = new EngineClient(requestOrigin, app.config);
  const step = async (where: string, path: string, init: Parameters<EngineClient["fetch"]>[1] = {}) => {
    const result = await browser.fetch(path, { ...init, headers: { ...headers, ...init.headers } });
    const { response, cookies } = result;
    expect(response.status, where).toBeLessThan(500);
    for (const cookie of cookies) emitted.cookies.push({ where, cookie });
    const location = response.headers.get("location");
    if (location) emitted.urls.push({ where: `${where} Location`, url: location });
    const type = response.headers.get("content-type") ?? "";
    if (type.includes("json")) for (const url of absoluteUrls(await response.clone().json())) emitted.urls.push({ where: `${where} JSON`, url });
    if (type.includes("html")) {
      const html = await response.clone().text();
      for (const { attribute, url } of pageReferences(html)) emitted.urls.push({ where: `${where} ${attribute}`, url });
      for (const match of html.matchAll(/name="callbackUrl" value="([^"]*)"/g)) emitted.urls.push({ where: `${where} callbackUrl field`, url: match[1] ?? "" });
    }
    return result;
  };

  await step("GET /providers", `${BASE_PATH}/providers`);
  await step("GET /signin", `${BASE_PATH}/signin?callbackUrl=${encodeURIComponent(`${requestOrigin}/next`)}`);
  const csrfToken = await browser.csrfToken();
  await step("POST /signin/github", `${BASE_PATH}/signin/github`, { form: { csrfToken, callbackUrl: `${requestOrigin}/after` } });
  await step("POST /signin/github without CSRF", `${BASE_PATH}/signin/github`, { form: { csrfToken: "wrong" } });
  await step("POST /signin/email", `${BASE_PATH}/signin/email`, { form: { csrfToken, email: "bob@example.com", callbackUrl: `${requestOrigin}/mail` } });
  const link = app.sent.at(-1)?.url ?? "missing:";
  emitted.urls.push({ where: "the sign-in link", url: link }, ...absoluteUrls(Object.fromEntries(new URL(link).searchParams)).map((url) => ({ where: "the sign-in link's callbackUrl", url })));
  const landing = new URL(link);
  await step("GET /callback/email (landing)", `${landing.pathname}${landing.search}`);
  await step("GET /webauthn-options/passkey", `${BASE_PATH}/webauthn-options/passkey`);
  const signIn = await step("POST /callback/credentials", `${BASE_PATH}/callback/credentials`, { form: { csrfToken, email: ALICE.email, password: ALICE.password, callbackUrl: `${requestOrigin}/home` } });
  expect(signIn.response.status, "signed in").toBe(303);
  await step("GET /session", `${BASE_PATH}/session`);
  const token = await step("POST /token", `${BASE_PATH}/token`, { method: "POST", headers: { "x-latch-bearer": "1" } });
  const issued = (await token.response.clone().json()) as { token?: string };
  const claims = jwtClaims(issued.token ?? "e30.e30.");
  emitted.urls.push({ where: "bearer iss", url: String(claims.iss) }, { where: "bearer aud", url: String(claims.aud) });
  await step("GET /signout", `${BASE_PATH}/signout`);
  await step("GET /error", `${BASE_PATH}/error?error=Verification`);
  await step("POST /signout", `${BASE_PATH}/signout`, { form: { csrfToken, callbackUrl: `${requestOrigin}/bye` } });
  return emitted;
}

/** The URLs latch handed out that leave AUTH_URL's origin (GitHub's authorize URL is checked by its redirect_uri). */
function offOrigin(emitted: Emitted, origin: string): string[] {
  const off: string[] = [];
  for (const { where, url } of emitted.urls) {
    const parsed = new URL(url, "invalid:/");
    if (parsed.origin === "https://github.com") {
      const redirectUri = parsed.searchParams.get("redirect_uri") ?? "";
      if (redirectUri !== `${origin}${BASE_PATH}/callback/github`) off.push(`${where}: redirect_uri ${redirectUri}`);
    } else if (parsed.origin !== origin) {
      off.push(`${where}: ${url}`);
    }
  }
  return off;
}

const SPOOFS: Array<[string, string, Record<string, string>]> = [
  ["Host: evil.test (and the request URL Next.js builds from it)", "http://evil.test", {}],
  ["Host on https: evil.test", "https://evil.test", {}],
  ["X-Forwarded-Host: evil.test", AUTH_URL, { "x-forwarded-host": "evil.test" }],
  ["X-Forwarded-Proto: http", AUTH_URL, { "x-forwarded-proto": "http" }],
  ["Host, X-Forwarded-Host and X-Forwarded-Proto together", "http://evil.test", { "x-forwarded-host": "evil.test", "x-forwarded-proto": "http" }],
  ["a list in X-Forwarded-Host", AUTH_URL, { "x-forwarded-host": "evil.test, app.test", "x-forwarded-proto": "http, https" }],
  ["Forwarded: host=evil.test;proto=http (RFC 7239)", AUTH_URL, { forwarded: "for=1.2.3.4;host=evil.test;proto=http" }],
  ["X-Forwarded-Port and X-Forwarded-Prefix", AUTH_URL, { "x-forwarded-port": "8443", "x-forwarded-prefix": "/evil" }],
  ["X-Original-URL and X-Rewrite-URL", AUTH_URL, { "x-original-url": "/api/auth/signout", "x-rewrite-url": "/api/auth/signout" }],
  ["X-Host and X-Forwarded-Server", AUTH_URL, { "x-host": "evil.test", "x-forwarded-server": "evil.test" }],
  ["a look-alike Host: app.test.evil.test", "https://app.test.evil.test", {}],
  ["a Host with another port", "https://app.test:444", { "x-forwarded-host": "app.test:444" }],
];

describe.each<[string, { config?: boolean; env?: string }]>([
  ["trustHost off", { config: false }],
  ["trustHost on (config)", { config: true }],
  ["trustHost on (AUTH_TRUST_HOST=true)", { env: "true" }],
])("with AUTH_URL=https://app.test and %s, a forged host moves nothing (RFC 9700 §4.13; ASVS 4.1.3)", (_mode, trust) => {
  beforeEach(() => {
    vi.stubEnv("AUTH_URL", AUTH_URL);
    if (trust.env) vi.stubEnv("AUTH_TRUST_HOST", trust.env);
  });

  it.each(SPOOFS)("%s", async (_label, requestOrigin, headers) => {
    const app = suiteApp({ trustHost: trust.config });
    const emitted = await walk(app, requestOrigin, headers);
    // Every redirect, link, form, callbackUrl, token claim and redirect_uri stays on AUTH_URL.
    expect(emitted.urls.length).toBeGreaterThan(20);
    expect(offOrigin(emitted, AUTH_URL)).toEqual([]);
    // Cookies keep their https names and attributes (ASVS 3.3.1).
    expect(emitted.cookies.length).toBeGreaterThan(5);
    for (const { where, cookie } of emitted.cookies) {
      expect(cookie.name, where).toMatch(/^__(Secure|Host)-/);
      expect(cookie.attributes.secure, `${where} ${cookie.name}`).toBe(true);
      expect(cookie.attributes.domain, `${where} ${cookie.name}`).toBeUndefined();
    }
    // The passkey RP ID is AUTH_URL's host.
    const options = await new EngineClient(requestOrigin, app.config).fetch(`${BASE_PATH}/webauthn-options/passkey?action=register&email=new%40example.com`, { headers });
    expect(((await options.response.json()) as { options: { rp: { id: string } } }).options.rp.id).toBe("app.test");
  });
});

describe("without AUTH_URL (security.md §7: require AUTH_URL, trustHost opt-in; better-auth GHSA-569q-mpph-wgww)", () => {
  it("trustHost on: the forwarded host is believed — the control that shows the walk above would see a move (documented: trustHost means a proxy you control sets these headers)", async () => {
    const app = suiteApp({ trustHost: true });
    const emitted = await walk(app, "https://app.test", { "x-forwarded-host": "moved.test" });
    expect(offOrigin(emitted, AUTH_URL).length).toBeGreaterThan(10);
    expect(offOrigin(emitted, "https://moved.test")).toEqual([]);
  });

  it.each(SPOOFS)("trustHost off: %s → a configuration error that hands out no URL of that host and no cookie (security.md §7: require AUTH_URL)", async (_label, requestOrigin, headers) => {
    const app = suiteApp({ trustHost: false });
    const client = new EngineClient(requestOrigin, app.config);
    for (const path of ["/providers", "/csrf", "/session", "/signin", "/signout", "/error", "/verify-request", "/jwks", "/webauthn-options/passkey", "/callback/github?code=c&state=s"]) {
      const { response, cookies } = await client.fetch(`${BASE_PATH}${path}`, { headers });
      expect(response.status, path).toBe(500);
      expect(response.headers.get("location"), path).toBeNull();
      expect(cookies, path).toEqual([]);
      const body = await response.text();
      expect(body, path).not.toMatch(/evil\.test|app\.test/);
      // The error page links by path only: a forged Host cannot put its origin there.
      if (response.headers.get("content-type")?.includes("html")) {
        for (const { url } of pageReferences(body)) expect(url, path).toMatch(/^\/(?!\/)/);
      }
    }
    for (const path of ["/signin/github", "/callback/credentials", "/signout", "/signin/email", "/token"]) {
      const { response, cookies } = await client.fetch(`${BASE_PATH}${path}`, { method: "POST", form: {}, headers });
      expect(response.status, path).toBe(500);
      expect(cookies, path).toEqual([]);
    }
    expect(app.sent).toEqual([]);
  });
});
