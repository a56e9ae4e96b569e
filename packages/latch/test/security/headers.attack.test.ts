/**
 * Attack class: what the response headers let a cache, a framing page or a third party learn.
 * References (shared/reference/security.md): ASVS 14.3.2 `Cache-Control: no-store` and
 * GHSA-f3fg-mf2q-fj3f (nextjs-auth0 session cookie cached by a CDN); RFC 9700 §4.2.4 (Referer
 * leakage: no third-party resources, `Referrer-Policy: no-referrer`) and ASVS 3.4.5; RFC 9700
 * §4.16 and ASVS 3.4.6 (clickjacking: `frame-ancestors`); ASVS 3.4.3 (CSP), 3.4.4 (nosniff).
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { EngineClient } from "../helpers/engine-client.js";
import { BASE_PATH, isolateAuthEnv, suiteApp } from "./helpers/app.js";
import { parseCsp, scriptsOf, thirdPartyReferences, thirdPartySources } from "./helpers/html.js";
import { ROUTE_CONTRACT } from "./helpers/routes.js";
import { tourEveryRoute, type Exchange } from "./helpers/tour.js";

const ORIGIN = "https://app.test";

isolateAuthEnv();
beforeEach(() => {
  vi.stubEnv("AUTH_URL", ORIGIN);
});

interface Page {
  label: string;
  status: number;
  headers: Headers;
  html: string;
}

let tour: Exchange[];
let pages: Page[];

beforeAll(async () => {
  vi.stubEnv("AUTH_URL", ORIGIN);
  tour = await tourEveryRoute(ORIGIN);
  pages = [];
  for (const { label, response } of tour) {
    if (response.headers.get("content-type")?.startsWith("text/html")) pages.push({ label, status: response.status, headers: response.headers, html: await response.clone().text() });
  }
  vi.unstubAllEnvs();
});

describe("caching (ASVS 14.3.2; GHSA-f3fg-mf2q-fj3f)", () => {
  it("the tour reaches every route of the contract with every method it serves", () => {
    const visited = new Set(tour.map(({ method, path }) => `${method} ${path}`));
    const missing = ROUTE_CONTRACT.flatMap((route) => route.methods.map((method) => `${method} ${route.path}`)).filter((pair) => !visited.has(pair));
    expect(missing).toEqual([]);
  });

  it("every answer of every route but /jwks says Cache-Control: private, no-cache, no-store — redirects, errors, 404, 405, 413 and 500 included", () => {
    const cacheable = tour
      .filter(({ path, method, response }) => !(method === "GET" && path === `${BASE_PATH}/jwks` && response.status === 200))
      .filter(({ response }) => response.headers.get("cache-control") !== "private, no-cache, no-store" || response.headers.get("pragma") !== "no-cache" || response.headers.get("expires") !== "0")
      .map(({ label, response }) => `${label} → ${response.status} ${response.headers.get("cache-control")}`);
    expect(cacheable).toEqual([]);
    const statuses = new Set(tour.map(({ response }) => response.status));
    for (const status of [200, 302, 303, 400, 401, 403, 404, 405, 413, 429, 500]) expect(statuses.has(status), `the tour saw a ${status}`).toBe(true);
  });

  it("every answer that sets a cookie is no-store (the session cookie of a sign-in above all)", () => {
    const withCookies = tour.filter(({ response }) => response.headers.getSetCookie().length > 0);
    expect(withCookies.map(({ label }) => label)).toContain("POST /callback/credentials");
    for (const { label, response } of withCookies) expect(response.headers.get("cache-control"), label).toContain("no-store");
  });

  it("GET /jwks alone may be cached: public keys, no cookie, no personal data", async () => {
    const jwks = tour.find(({ path, method }) => method === "GET" && path === `${BASE_PATH}/jwks`)!;
    expect(jwks.response.status).toBe(200);
    expect(jwks.response.headers.get("cache-control")).toBe("public, max-age=300");
    expect(jwks.response.headers.getSetCookie()).toEqual([]);
    // No contradicting legacy headers next to an explicit max-age.
    expect(jwks.response.headers.get("pragma")).toBeNull();
    expect(jwks.response.headers.get("expires")).toBeNull();
    const body = (await jwks.response.clone().json()) as { keys: Array<Record<string, unknown>> };
    for (const key of body.keys) expect(Object.keys(key).sort()).toEqual(["alg", "crv", "kid", "kty", "use", "x"]);
  });

  it("every answer is X-Content-Type-Options: nosniff (ASVS 3.4.4)", () => {
    const sniffable = tour.filter(({ response }) => response.headers.get("x-content-type-options") !== "nosniff").map(({ label }) => label);
    expect(sniffable).toEqual([]);
  });
});

describe("the built-in pages (RFC 9700 §4.2.4, §4.16; ASVS 3.4.3, 3.4.5, 3.4.6)", () => {
  it("the tour renders every kind of built-in page", () => {
    const labels = pages.map(({ label }) => label);
    for (const expected of [
      "GET /api/auth/signin (no cookie, no token)",
      "GET /api/auth/signout (no cookie, no token)",
      "GET /error?error=Configuration",
      "GET /error?error=AccessDenied",
      "GET /error?error=Verification",
      "GET /verify-request",
      "GET /callback/email (landing page)",
      "POST /callback/credentials wrong password #3",
      "GET /callback/nope (unknown provider page)",
      "GET /signin (configuration error page)",
    ]) {
      expect(labels, expected).toContain(expected);
    }
    expect(pages.find(({ label }) => label === "POST /callback/credentials wrong password #3")?.status).toBe(429);
  });

  it("every page says Referrer-Policy: no-referrer — the sign-in link's landing page carries its token in the URL (RFC 9700 §4.2.4; ASVS 3.4.5)", () => {
    for (const { label, headers } of pages) expect(headers.get("referrer-policy"), label).toBe("no-referrer");
  });

  it("no page may be framed: CSP frame-ancestors 'none' and X-Frame-Options: DENY (RFC 9700 §4.16; ASVS 3.4.6)", () => {
    for (const { label, headers } of pages) {
      expect(parseCsp(headers.get("content-security-policy")).get("frame-ancestors"), label).toEqual(["'none'"]);
      expect(headers.get("x-frame-options"), label).toBe("DENY");
    }
  });

  it("the CSP allows nothing from another origin: default-src 'none', images from the page or inline, no base, scripts only by nonce (RFC 9700 §4.2.4; ASVS 3.4.3)", () => {
    for (const { label, headers, html } of pages) {
      const csp = parseCsp(headers.get("content-security-policy"));
      expect(thirdPartySources(csp), label).toEqual([]);
      expect(csp.get("default-src"), label).toEqual(["'none'"]);
      expect(csp.get("img-src"), label).toEqual(["'self'", "data:"]);
      expect(csp.get("base-uri"), label).toEqual(["'none'"]);
      expect(csp.get("style-src"), label).toEqual(["'unsafe-inline'"]);
      const scripts = scriptsOf(html);
      if (scripts.length === 0) {
        expect(csp.has("script-src"), label).toBe(false);
        continue;
      }
      // The passkey page: one inline script, allowed by this response's nonce, fetching only from its own origin.
      const nonce = /^'nonce-([0-9a-f]{32})'$/.exec(csp.get("script-src")?.join(" ") ?? "")?.[1];
      expect(nonce, label).toBeDefined();
      expect(scripts.map(({ attributes }) => attributes.trim()), label).toEqual([`nonce="${nonce}"`]);
      expect(csp.get("connect-src"), label).toEqual(["'self'"]);
    }
    expect(pages.some(({ html }) => scriptsOf(html).length > 0), "a page with the passkey script was checked").toBe(true);
  });

  it("the page reader finds every kind of reference to another origin (so the check below is not vacuous)", () => {
    const hostile = `<html><head><link rel="stylesheet" href="https://cdn.test/a.css"><style>@import "https://cdn.test/b.css"; .x{background:url('//cdn.test/c.png')}</style>
<meta http-equiv="refresh" content="0;url=https://cdn.test/"></head><body><img src="https://cdn.test/d.png" srcset="/ok.png 1x, https://cdn.test/e.png 2x">
<form action="https://cdn.test/f"><button formaction="http://app.test/g">x</button></form><a href="https&#58;//cdn.test/h">x</a><div style="background:url(https://cdn.test/i.png)"></div>
<form data-options="https://cdn.test/j"></form><script src="https://cdn.test/k.js"></script><img src="data:image/png;base64,AA=="><a href="/fine">x</a></body></html>`;
    const found = thirdPartyReferences(hostile, ORIGIN).map(({ url }) => new URL(url, ORIGIN).pathname.slice(1) || url);
    // "/ok.png", the data: image and "/fine" stay in the page.
    expect(found.sort()).toEqual(["https://cdn.test/", "a.css", "b.css", "c.png", "d.png", "e.png", "f", "g", "h", "i.png", "j", "k.js"].sort());
  });

  it("no page refers to another origin: every src, href, action, fetched URL and CSS url() stays on AUTH_URL's origin or inline (RFC 9700 §4.2.4)", () => {
    for (const { label, html } of pages) expect(thirdPartyReferences(html, ORIGIN), label).toEqual([]);
  });

  it.each<[string, string, string | undefined]>([
    ["a CDN logo", "https://cdn.example.test/logo.png", undefined],
    ["a protocol-relative logo", "//cdn.example.test/logo.png", undefined],
    ["a logo on the same host over http", "http://app.test/logo.png", undefined],
    ["a logo on another port", "https://app.test:8443/logo.png", undefined],
    ["a logo with credentials in the URL", "https://user:pw@app.test/logo.png", undefined],
    ["a javascript: logo", "javascript:alert(1)", undefined],
    ["a data: HTML document", "data:text/html,<script>alert(1)</script>", undefined],
    ["a path on the site", "/brand/logo.png", `${ORIGIN}/brand/logo.png`],
    ["an absolute URL on the site", `${ORIGIN}/brand/logo.png`, `${ORIGIN}/brand/logo.png`],
    ["an inline PNG", "data:image/png;base64,iVBORw0KGgo=", "data:image/png;base64,iVBORw0KGgo="],
  ])("the theme logo: %s (%s) → %s", async (_label, logo, shown) => {
    vi.stubEnv("AUTH_URL", ORIGIN);
    const app = suiteApp({ extra: { theme: { logo } } });
    const client = new EngineClient(ORIGIN, app.config);
    for (const path of [`${BASE_PATH}/signin`, `${BASE_PATH}/error?error=Verification`, `${BASE_PATH}/verify-request`, `${BASE_PATH}/signout`]) {
      const html = await (await client.fetch(path)).response.text();
      const images = [...html.matchAll(/<img [^>]*src="([^"]*)"/g)].map((m) => m[1]);
      expect(images, path).toEqual(shown === undefined ? [] : [shown]);
      expect(thirdPartyReferences(html, ORIGIN), path).toEqual([]);
    }
  });
});
