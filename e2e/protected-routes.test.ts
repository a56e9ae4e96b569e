/**
 * Protected routes as docs/protected-routes.md sets them up, in two real builds: the lean
 * `latch/proxy` as the Next 16 proxy (e2e/apps/protected16, the split config: auth.config.ts
 * shared by auth.ts and proxy.ts) and `auth` from `latch/next` as the Next 15 middleware on the
 * Edge runtime (e2e/apps/protected15, same auth.ts). The same tests run against both:
 * the browser flow (sign-in page → IdP → back), rolling renewal that the same request's
 * server components already see, the known ways around a middleware check
 * (CVE-2025-29927 `x-middleware-subrequest`, CVE-2024-51479 path spellings, RSC and
 * prefetch headers, forged cookies), and failing closed when the server is misconfigured.
 */
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type * as LatchJwt from "latch/jwt";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { MARKERS } from "./apps/protected16/markers.js";
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
import { issuedSessionCookie, rawRequest, renderedText, type RawResponse } from "./raw-http.js";

const sessionCookieName = "authjs.session-token";
const appsDir = path.join(repoRoot, "e2e", "apps");

/**
 * The two apps: the same pages, one gated by a Next 16 proxy, one by Next 15 Edge middleware.
 *
 * `host` is the name the browser and AUTH_URL use for the server (which listens on 127.0.0.1).
 * Next 15 rewrites 127.x.x.x and [::1] to `localhost` in every redirect a middleware returns
 * (its NextURL normalizes loopback hosts: next/dist/server/web/next-url.js, applied in
 * server/web/adapter.js), so on 127.0.0.1 a middleware redirect would change origin and lose
 * the cookies; a deployed site has a real host name and never sees this. Next 16 leaves it alone.
 */
const variants = [
  { name: "Next 16 lean proxy, latch/proxy (e2e/apps/protected16)", key: "protected16", dir: path.join(appsDir, "protected16"), gate: "proxy.ts", host: "127.0.0.1", edge: false },
  { name: "Next 15 middleware on Edge (e2e/apps/protected15)", key: "protected15", dir: path.join(appsDir, "protected15"), gate: "middleware.ts", host: "localhost", edge: true },
  { name: "Next 15 middleware on Edge, latch/proxy (written from e2e/apps/protected15)", key: "protected15lean", dir: path.join(appsDir, ".protected15-lean"), gate: "middleware.ts", host: "localhost", edge: true },
] as const;

/**
 * The lean proxy as a Next 15 middleware on the Edge runtime, where Next's Edge compiler must
 * resolve latch/proxy's WebCrypto build: e2e/apps/protected15 with latch/proxy's middleware.ts,
 * written for the run (its own copy, so the committed fixture stays the README's middleware) and
 * using that fixture's Next 15 through a link to its node_modules.
 */
function writeLeanEdgeFixture(dir: string): void {
  const source = path.join(appsDir, "protected15");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const entry of ["app", "auth.config.ts", "auth.ts", "markers.ts", "next.config.ts", "package.json", "tsconfig.json"]) {
    cpSync(path.join(source, entry), path.join(dir, entry), { recursive: true });
  }
  symlinkSync(path.join(source, "node_modules"), path.join(dir, "node_modules"), "dir");
  writeFileSync(
    path.join(dir, "middleware.ts"),
    [
      'import NextAuth from "latch/proxy";',
      'import authConfig from "./auth.config";',
      "",
      "const { auth } = NextAuth(authConfig);",
      "export { auth as middleware };",
      "",
      'export const config = { matcher: ["/dashboard/:path*", "/api/private/:path*"] };',
      "",
    ].join("\n"),
  );
}

type Variant = (typeof variants)[number];

/** latch's session-token codec, loaded after the build so it is the code the apps run. */
type Jwt = typeof LatchJwt;

interface Fixtures {
  browser: Browser;
  idp: IdP;
  /** The app as deployed: AUTH_SECRET, AUTH_URL, the IdP. */
  app: ExampleApp;
  /** The app's origin as the browser and AUTH_URL name it (see `variants`). */
  origin: string;
  /** The same build started without AUTH_SECRET. */
  noSecret: ExampleApp;
  /** The same build and secret, with an `authorized` callback that throws. */
  authorizedThrows: ExampleApp;
  secret: string;
  buildOutput: string;
  buildId: string;
  jwt: Jwt;
}

/** Every string that only a protected route renders. */
const markers: readonly string[] = Object.values(MARKERS);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

describe.each(variants)("protected routes: $name", (variant: Variant) => {
  const use = useFixtures(async (cleanup): Promise<Fixtures> => {
    // The browser first: a missing Chromium should fail in a second, not after a build.
    const browser = cleanup.add(await launchBrowser());
    if (variant.key === "protected15lean") writeLeanEdgeFixture(variant.dir);
    const buildOutput = await buildExampleApp(variant.dir);
    const buildId = readFileSync(path.join(variant.dir, ".next", "BUILD_ID"), "utf8").trim();
    const jwt = await import("latch/jwt");
    const secret = randomBytes(33).toString("base64");
    // The port is chosen before the IdP starts because the IdP must know the redirect URI.
    const port = await getFreePort();
    const origin = `http://${variant.host}:${port}`;
    const idp = cleanup.add(await startIdP({ redirectUris: [`${origin}/api/auth/callback/local`] }));
    const idpEnv = { AUTH_LOCAL_ISSUER: idp.issuer, AUTH_LOCAL_SECRET: demoClient.clientSecret };
    const app = cleanup.add(await startExampleApp({ appDir: variant.dir, port, env: { AUTH_URL: origin, AUTH_SECRET: secret, ...idpEnv } }));
    // Each server is started before the next port is chosen, so no two can be handed the same one.
    const noSecretPort = await getFreePort();
    const noSecret = cleanup.add(
      await startExampleApp({
        appDir: variant.dir,
        port: noSecretPort,
        env: { AUTH_URL: `http://127.0.0.1:${noSecretPort}`, AUTH_SECRET: undefined, ...idpEnv },
      }),
    );
    const throwsPort = await getFreePort();
    const authorizedThrows = cleanup.add(
      await startExampleApp({
        appDir: variant.dir,
        port: throwsPort,
        env: { AUTH_URL: `http://127.0.0.1:${throwsPort}`, AUTH_SECRET: secret, PROTECTED_AUTHORIZED_THROWS: "1", ...idpEnv },
      }),
    );
    return { browser, idp, app, origin, noSecret, authorizedThrows, secret, buildOutput, buildId, jwt };
  });

  /** Each server of the variant, labelled for a failure report. */
  function servers(): Record<string, ExampleApp> {
    const { app, noSecret, authorizedThrows } = use();
    return { [`${variant.key} app`]: app, [`${variant.key} noSecret`]: noSecret, [`${variant.key} authorizedThrows`]: authorizedThrows };
  }

  /** On failure, prints what each server said. */
  function reportServerLogs(): void {
    reportOnFailure([], variant.key, servers());
  }

  /** A fresh browser context and page; on failure, a screenshot and where the browser was, and what each server said. */
  async function openPage(name: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await use().browser.newContext();
    const page = await context.newPage();
    reportOnFailure(page, `${variant.key}-${name}`, servers());
    return { context, page };
  }

  /**
   * A session token for Alice as latch issues it, expiring in `maxAge` seconds (negative:
   * already expired). Minted rather than signed in for, so a test can choose the expiry.
   */
  async function mintToken(maxAge: number, secret = use().secret): Promise<string> {
    return use().jwt.encode({ token: { name: "Alice", email: "alice@example.test", sub: "alice-sub" }, secret, salt: sessionCookieName, maxAge });
  }

  /** The `Cookie` header a browser holding `token` sends. */
  function sessionCookie(token: string): string {
    return `${sessionCookieName}=${token}`;
  }

  /** What a denied request gets: a redirect to sign-in for a page a browser asks for, else 401 JSON. */
  function expectDenied(what: string, target: string, accept: string, response: RawResponse): void {
    expectNothingProtected(what, response);
    if (target.startsWith("/api/") || accept !== "text/html") expect(response.status, what).toBe(401);
    else expect([303, 307], `${what} is denied with a redirect`).toContain(response.status);
  }

  /** Asserts an answer served nothing protected and did not crash. */
  function expectNothingProtected(what: string, response: RawResponse): void {
    expect(response.status, `${what}: no 5xx (body: ${response.body.slice(0, 200)})`).toBeLessThan(500);
    for (const marker of markers) expect(response.body.includes(marker), `${what} (status ${response.status}) served ${marker}`).toBe(false);
  }

  it(`builds: the ${variant.gate} compiles with latch, without latch errors`, () => {
    const { buildOutput } = use();
    expect(buildOutput).not.toContain("[latch][error]");
    expect(buildOutput).not.toMatch(/Failed to compile|Module not found/);
    const manifest: unknown = JSON.parse(readFileSync(path.join(variant.dir, ".next", "server", "middleware-manifest.json"), "utf8"));
    const edgeMiddleware = isRecord(manifest) && isRecord(manifest.middleware) ? manifest.middleware["/"] : undefined;
    if (variant.edge) {
      // Next 15 lists Edge middleware here and nowhere else: this is the runtime the check ran on.
      expect(edgeMiddleware, "middleware.ts was built for the Edge runtime").toBeDefined();
      if (variant.key === "protected15lean") {
        // Next's Edge compiler resolved latch/proxy's WebCrypto build, and only that one.
        const sources: unknown = JSON.parse(readFileSync(path.join(variant.dir, ".next", "server", "middleware.js.map"), "utf8"));
        const files = isRecord(sources) && Array.isArray(sources.sources) ? sources.sources.map(String) : [];
        expect(files.some((file) => file.endsWith("dist/proxy/index.js")), "latch/proxy's Edge build").toBe(true);
        expect(files.filter((file) => /dist\/(proxy\/node|core\/session\/jwe-fast)\.js$/.test(file)), "latch/proxy's Node.js build").toEqual([]);
      }
    } else {
      // Next 16's proxy runs on Node.js; an Edge entry here would mean the fixture changed runtime.
      expect(edgeMiddleware, "proxy.ts runs on Node.js, not Edge").toBeUndefined();
    }
  });

  it("is the same app in both variants: only the proxy/middleware file and the Next-version plumbing differ", () => {
    // The fixtures are copies (each app must resolve its own `next`); this keeps them from drifting.
    const shared = [
      "auth.ts",
      "auth.config.ts",
      "markers.ts",
      "next.config.ts",
      "app/layout.tsx",
      "app/page.tsx",
      "app/actions.ts",
      "app/action-result.tsx",
      "app/dashboard/page.tsx",
      "app/dashboard/settings/page.tsx",
      "app/api/private/data/route.ts",
      "app/api/guarded/route.ts",
      "app/api/auth/[...nextauth]/route.ts",
    ];
    for (const file of shared) {
      const a = readFileSync(path.join(appsDir, "protected16", file), "utf8");
      const b = readFileSync(path.join(appsDir, "protected15", file), "utf8");
      expect(b, `e2e/apps/protected15/${file} matches e2e/apps/protected16/${file}`).toBe(a);
    }
  });

  it("signed out, /dashboard goes to latch's sign-in page, the IdP, and back to /dashboard; the APIs answer 401 before and 200 after; sign-out protects it again", async () => {
    const { origin, idp } = use();
    const { context, page } = await openPage("browser-flow");

    // The APIs first, with the browser's (empty) cookie jar: 401 JSON, never a redirect.
    for (const api of ["/api/private/data", "/api/guarded"]) {
      const response = await context.request.get(`${origin}${api}`, { maxRedirects: 0 });
      expect(response.status(), `${api} signed out`).toBe(401);
      expect(response.headers()["www-authenticate"], `${api} challenges`).toMatch(/^Bearer realm="latch"/);
      expect(await response.json()).toMatchObject({ error: "Unauthorized" });
    }

    await page.goto(`${origin}/dashboard`);
    await page.waitForURL((url) => url.origin === origin && url.pathname === "/api/auth/signin");
    expect(new URL(page.url()).searchParams.get("callbackUrl"), "the callback URL is the page asked for, on the app's origin").toBe(`${origin}/dashboard`);
    await page.getByRole("button", { name: "Sign in with Local IdP" }).click();
    await page.waitForURL((url) => url.origin === new URL(idp.issuer).origin);
    expect(await page.getByLabel("Username").inputValue()).toBe("alice");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.origin === origin && url.pathname === "/dashboard");
    await page.getByTestId("dashboard-name").filter({ hasText: /^Alice$/ }).waitFor();
    expect(await page.content()).toContain(MARKERS.dashboard);

    const data = await context.request.get(`${origin}/api/private/data`, { maxRedirects: 0 });
    expect(data.status()).toBe(200);
    expect(await data.json()).toEqual({ marker: MARKERS.privateData });
    const guarded = await context.request.get(`${origin}/api/guarded`, { maxRedirects: 0 });
    expect(guarded.status()).toBe(200);
    expect(await guarded.json()).toEqual({ marker: MARKERS.guarded, name: "Alice" });
    await page.goto(`${origin}/dashboard/settings`);
    await page.getByText(MARKERS.settings).waitFor();

    await page.goto(`${origin}/`);
    await page.getByTestId("home-greeting").filter({ hasText: /^Signed in as Alice$/ }).waitFor();
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.getByTestId("home-greeting").filter({ hasText: /^Not signed in$/ }).waitFor();
    expect((await context.cookies(origin)).some((c) => c.name.startsWith(sessionCookieName)), "sign-out removed the session cookie").toBe(false);

    await page.goto(`${origin}/dashboard`);
    await page.waitForURL((url) => url.pathname === "/api/auth/signin");
    expect(await page.content()).not.toContain(MARKERS.dashboard);
    for (const api of ["/api/private/data", "/api/guarded"]) {
      const response = await context.request.get(`${origin}${api}`, { maxRedirects: 0 });
      expect(response.status(), `${api} after sign-out`).toBe(401);
      expect(response.headers()["www-authenticate"]).toMatch(/^Bearer realm="latch"/);
    }
    await context.close();
  });

  it('a server action with requireSession({ onMissing: "throw" }) gets SessionRequired signed out, the session signed in', async () => {
    const { origin } = use();
    const { context, page } = await openPage("server-action");
    const answer = async (): Promise<string> => {
      const output = page.getByTestId("action-answer");
      await page.getByRole("button", { name: "Ask the action", exact: true }).click();
      await output.filter({ hasText: /\S/ }).waitFor();
      return (await output.textContent()) ?? "";
    };

    await page.goto(`${origin}/`);
    expect(await answer()).toBe("SessionRequired");

    await context.addCookies([{ name: sessionCookieName, value: await mintToken(3_600), url: origin }]);
    await page.goto(`${origin}/`);
    expect(await answer()).toBe("session for Alice");
    await context.close();
  });

  it("renews the session cookie on /dashboard, and the page rendering that same request sees the renewed session", async () => {
    const { origin, jwt, secret } = use();
    reportServerLogs();
    // Two minutes left: a renewal to the default 30 days cannot be mistaken for the old expiry.
    const token = await mintToken(120);
    const cookie = sessionCookie(token);
    const oldExp = (await jwt.decode({ token, secret, salt: sessionCookieName }))?.exp;
    expect(typeof oldExp).toBe("number");

    const response = await rawRequest(origin, { path: "/dashboard", headers: { accept: "text/html", cookie } });
    expect(response.status, response.body.slice(0, 300)).toBe(200);
    expect(response.body).toContain(MARKERS.dashboard);

    const issued = issuedSessionCookie(response);
    expect(issued, "the proxy sets a renewed session cookie").toBeDefined();
    const value = (issued ?? "").split(";")[0]?.slice(sessionCookieName.length + 1) ?? "";
    const renewed = await jwt.decode({ token: value, secret, salt: sessionCookieName });
    const newExp = renewed?.exp;
    expect(typeof newExp === "number" && typeof oldExp === "number" && newExp > oldExp + 3_600, `renewed exp ${String(newExp)} is well after ${String(oldExp)}`).toBe(true);
    const cookieExpires = /expires=([^;]+)/i.exec(issued ?? "")?.[1];
    expect(cookieExpires !== undefined && Date.parse(cookieExpires) / 1000 > (oldExp ?? 0) + 3_600, `Set-Cookie Expires ${String(cookieExpires)} is later`).toBe(true);

    // The server component decoded the renewed cookie, not the one the browser sent.
    expect(renderedText(response.body, "token-expires")).toBe(String(newExp));
    const sessionExpires = renderedText(response.body, "session-expires") ?? "";
    expect(Date.parse(sessionExpires) / 1000, `session.expires ${sessionExpires}`).toBeGreaterThan((oldExp ?? 0) + 3_600);
  });

  describe("never serves protected content without a valid session", () => {
    const pages = ["/dashboard", "/dashboard/settings"];
    const apis = ["/api/private/data"];

    it("for any spelling of a protected path", async () => {
      const { origin, buildId } = use();
      reportServerLogs();
      const paths = [
        "/dashboard",
        "/dashboard/",
        "/Dashboard",
        "/DASHBOARD/settings",
        "/dashboard/Settings",
        "/%64ashboard",
        "/%64ashboard/settings",
        "/dashboard%2Fsettings",
        "/dashboard%2fsettings",
        "//dashboard",
        "//dashboard/settings",
        "/dashboard//settings",
        "/./dashboard",
        "/dashboard/./settings",
        "/x/../dashboard/settings",
        "/dashboard/settings/",
        "/dashboard/settings;x",
        "/dashboard/settings?x=1",
        "/dashboard/settings#x",
        "/dashboard.rsc",
        "/dashboard/settings.rsc",
        "/dashboard/settings.txt",
        "/index/dashboard/settings",
        "/api/private/data",
        "/api/private/data/",
        "/API/private/data",
        "/api/Private/data",
        "/api/private/../private/data",
        "/api/x/../private/data",
        "/api/private%2Fdata",
        "/api/%70rivate/data",
        "//api/private/data",
        "/api//private/data",
        "/api/private//data",
        `/_next/data/${buildId}/dashboard.json`,
        `/_next/data/${buildId}/dashboard/settings.json`,
        `/_next/data/${buildId}/api/private/data.json`,
      ];
      for (const p of paths) {
        for (const accept of ["text/html", "*/*"]) {
          expectNothingProtected(`GET ${p} (accept ${accept})`, await rawRequest(origin, { path: p, headers: { accept } }));
        }
      }
    });

    it("with the headers Next.js treats specially (CVE-2025-29927 and friends)", async () => {
      const { origin } = use();
      reportServerLogs();
      const tree = encodeURIComponent(JSON.stringify(["", { children: ["dashboard", { children: ["__PAGE__", {}] }] }, null, null, true]));
      const headerSets: Record<string, string>[] = [
        { rsc: "1" },
        { rsc: "1", "next-router-prefetch": "1" },
        { "next-router-prefetch": "1" },
        { rsc: "1", "next-router-state-tree": tree },
        { "next-router-state-tree": tree },
        { rsc: "1", "next-router-segment-prefetch": "/_tree" },
        { "x-middleware-prefetch": "1" },
        { purpose: "prefetch" },
        { "x-nextjs-data": "1" },
        { "x-invoke-path": "/dashboard/settings" },
        { "x-invoke-output": "/dashboard/settings" },
        { "x-matched-path": "/dashboard/settings" },
        { "x-matched-path": "/" },
        { "x-middleware-subrequest": "middleware" },
        { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" },
        { "x-middleware-subrequest": "src/middleware" },
        { "x-middleware-subrequest": "src/middleware:src/middleware:src/middleware:src/middleware:src/middleware" },
        { "x-middleware-subrequest": "pages/_middleware" },
        { "x-middleware-subrequest": "proxy" },
        { "x-middleware-subrequest": "proxy:proxy:proxy:proxy:proxy" },
        { "x-middleware-subrequest": "src/proxy:src/proxy:src/proxy:src/proxy:src/proxy" },
        { "x-middleware-subrequest-id": "1", "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" },
        { "x-middleware-next": "1" },
        { "x-middleware-skip": "1" },
        { "x-middleware-rewrite": "/dashboard/settings" },
        { "x-nextjs-rewrite": "/dashboard/settings" },
        { "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" },
        { "x-latch-url": "http://127.0.0.1/dashboard" },
        { authorization: "Bearer anything" },
      ];
      for (const target of [...pages, ...apis]) {
        for (const headers of headerSets) {
          const what = `GET ${target} with ${JSON.stringify(headers)}`;
          expectNothingProtected(what, await rawRequest(origin, { path: target, headers: { accept: "text/html", ...headers } }));
        }
        // A server action call: Next routes it by the Next-Action header, on any page's path.
        const action = { "next-action": "0".repeat(42), "content-type": "text/plain;charset=UTF-8", accept: "text/x-component", rsc: "1" };
        expectNothingProtected(`POST ${target} with Next-Action`, await rawRequest(origin, { path: target, method: "POST", headers: action, body: "[]" }));
        expectNothingProtected(`OPTIONS ${target}`, await rawRequest(origin, { path: target, method: "OPTIONS" }));
      }
    });

    it("with a tampered, expired, foreign-secret or check cookie as the session cookie", async () => {
      const { origin, jwt, secret } = use();
      reportServerLogs();
      const valid = await mintToken(3_600);
      // One character of the ciphertext changed: the authentication tag no longer matches.
      const parts = valid.split(".");
      const cipher = parts[3] ?? "";
      parts[3] = `${cipher[0] === "A" ? "B" : "A"}${cipher.slice(1)}`;
      const tampered = parts.join(".");
      const expired = await mintToken(-3_600);
      const foreign = await mintToken(3_600, randomBytes(33).toString("base64"));
      // A PKCE check cookie as latch seals it (same secret, its own cookie name as the salt).
      const check = await jwt.encode({ token: { value: "verifier", provider: "local" }, secret, salt: "authjs.pkce.code_verifier", maxAge: 900 });
      const unsigned = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"name":"Alice"}').toString("base64url")}.`;
      const forged: Record<string, string> = {
        tampered: sessionCookie(tampered),
        expired: sessionCookie(expired),
        "foreign-secret": sessionCookie(foreign),
        "check": sessionCookie(check),
        "unsigned (alg none)": sessionCookie(unsigned),
        // The chunked form latch reads for large sessions, holding the tampered token.
        "chunked tampered": `${sessionCookieName}.0=${tampered.slice(0, 100)}; ${sessionCookieName}.1=${tampered.slice(100)}`,
      };
      for (const target of [...pages, ...apis, "/api/guarded"]) {
        for (const [kind, cookie] of Object.entries(forged)) {
          for (const accept of ["text/html", "*/*"]) {
            const response = await rawRequest(origin, { path: target, headers: { accept, cookie } });
            expectNothingProtected(`GET ${target} with a ${kind} session cookie (accept ${accept})`, response);
            expect(issuedSessionCookie(response), `no session cookie is issued for a ${kind} one`).toBeUndefined();
          }
        }
        if (target.startsWith("/api/")) {
          const response = await fetch(`${origin}${target}`, { headers: { cookie: sessionCookie(expired) }, redirect: "manual" });
          expect(response.status, `${target} with an expired session`).toBe(401);
          expect(response.headers.get("www-authenticate"), "the challenge says the token is invalid").toMatch(/error="invalid_token"/);
        }
      }
    });

    it("signed out, pages redirect to sign-in with a same-origin callbackUrl, APIs answer 401 JSON", async () => {
      const { origin } = use();
      reportServerLogs();
      for (const target of pages) {
        const response = await fetch(`${origin}${target}?tab=1`, { headers: { accept: "text/html" }, redirect: "manual" });
        expect(response.status, target).toBe(307);
        const location = new URL(response.headers.get("location") ?? "", origin);
        expect(`${location.origin}${location.pathname}`).toBe(`${origin}/api/auth/signin`);
        expect(location.searchParams.get("callbackUrl")).toBe(`${origin}${target}?tab=1`);
      }
      for (const target of [...apis, "/api/guarded"]) {
        const response = await fetch(`${origin}${target}`, { headers: { accept: "text/html" }, redirect: "manual" });
        expect(response.status, target).toBe(401);
        expect(response.headers.get("www-authenticate")).toBe('Bearer realm="latch"');
        expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      }
    });
  });

  describe("fails closed", () => {
    it("without AUTH_SECRET: a valid cookie opens nothing, and the log names MissingSecret", async () => {
      const { noSecret } = use();
      reportServerLogs();
      const cookie = sessionCookie(await mintToken(3_600));
      for (const target of ["/dashboard", "/dashboard/settings", "/api/private/data", "/api/guarded"]) {
        for (const accept of ["text/html", "*/*"]) {
          const response = await rawRequest(noSecret.url, { path: target, headers: { accept, cookie } });
          expectDenied(`${target} on a server without AUTH_SECRET (accept ${accept})`, target, accept, response);
        }
      }
      expect(noSecret.logs()).toContain("MissingSecret");
    });

    it("when callbacks.authorized throws: a valid cookie opens nothing behind the proxy, and the log says so", async () => {
      const { authorizedThrows } = use();
      reportServerLogs();
      const cookie = sessionCookie(await mintToken(3_600));
      for (const target of ["/dashboard", "/dashboard/settings", "/api/private/data"]) {
        for (const accept of ["text/html", "*/*"]) {
          const response = await rawRequest(authorizedThrows.url, { path: target, headers: { accept, cookie } });
          expectDenied(`${target} when authorized throws (accept ${accept})`, target, accept, response);
        }
      }
      expect(authorizedThrows.logs()).toContain("authorized threw");
      expect(authorizedThrows.logs()).toContain("PROTECTED_AUTHORIZED_THROWS=1");
    });
  });
});
