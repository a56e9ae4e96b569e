/**
 * A Next.js app with its own `basePath` (next.config.ts `basePath: "/app"`): Next strips it from
 * `nextUrl.pathname`, but the browser's URLs, latch's routes (AUTH_URL=…/app/api/auth) and a
 * custom sign-in page all carry it. The proxy keeps it in the callbackUrl (no sign-in that lands
 * on a 404), lets latch's routes and the sign-in page through (no redirect loop), and hands the
 * full URL to page-level checks. Also: a sign-in redirect is never cached, and one built while
 * the Host is untrusted carries no Host. Checked on the lean proxy (both cryptographies) and on
 * `auth` from latch/next.
 */
import { NextRequest } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PROXY_MAKERS } from "./helpers/proxy-makers.js";
import { encode } from "../src/jwt.js";
import type { NextAuthConfig } from "../src/next/types.js";

const SECRET = "basepath-secret-of-enough-length-0123456789";
const SITE = "https://app.example";
const AUTH_URL = `${SITE}/app/api/auth`;
const quiet = { error: () => undefined, warn: () => undefined };
const COOKIE = "__Secure-authjs.session-token";

const makers = PROXY_MAKERS;

afterEach(() => vi.unstubAllEnvs());

/** A browser's page request to an app Next.js serves under /app. */
function underApp(path: string, headers: Record<string, string> = {}, origin = SITE): NextRequest {
  return new NextRequest(`${origin}${path}`, {
    headers: { host: new URL(origin).host, accept: "text/html", ...headers },
    nextConfig: { basePath: "/app" },
  });
}

const config = (extra: Partial<NextAuthConfig> = {}): NextAuthConfig => ({
  secret: SECRET,
  providers: [],
  logger: quiet,
  callbacks: { authorized: ({ auth }) => !!auth },
  ...extra,
});

describe.each(makers)("%s in an app with Next.js basePath /app", (_name, make) => {
  it("sends a signed-out visitor to sign-in and back to the page under /app", async () => {
    const proxy = make(config(), { AUTH_URL });
    const response = await proxy(underApp("/app/dashboard/reports?tab=2"));
    expect(response.status).toBe(307);
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.href.startsWith(`${AUTH_URL}/signin?`)).toBe(true);
    expect(location.searchParams.get("callbackUrl")).toBe(`${SITE}/app/dashboard/reports?tab=2`);
    expect(response.headers.get("cache-control")).toBe("private, no-cache, no-store");
  });

  it("lets latch's own routes through even when authorized denies everything", async () => {
    const proxy = make(config({ callbacks: { authorized: () => false } }), { AUTH_URL });
    for (const path of ["/app/api/auth/signin", "/app/api/auth/session", "/app/api/auth/callback/github?code=x"]) {
      const response = await proxy(underApp(path));
      expect(response.headers.get("x-middleware-next"), path).toBe("1");
    }
    // The same path outside the app's basePath is not latch's: it is judged like any page.
    const outside = await proxy(underApp("/api/auth/session"));
    expect(outside.headers.get("x-middleware-next")).toBeNull();
  });

  it("lets the custom sign-in page under /app through: no redirect loop", async () => {
    const proxy = make(config({ pages: { signIn: "/app/login" } }), { AUTH_URL });
    const page = await proxy(underApp("/app/login?callbackUrl=%2Fapp%2Fdashboard"));
    expect(page.headers.get("x-middleware-next")).toBe("1");
    const denied = await proxy(underApp("/app/dashboard"));
    expect(new URL(denied.headers.get("location") ?? "").pathname).toBe("/app/login");
  });

  it("hands a signed-in request on with the full URL for page-level checks", async () => {
    const proxy = make(config(), { AUTH_URL });
    const token = await encode({ token: { sub: "user-1", name: "Ada" }, secret: SECRET, salt: COOKIE });
    const response = await proxy(underApp("/app/dashboard?x=1", { cookie: `${COOKIE}=${token}` }));
    expect(response.headers.get("x-middleware-next")).toBe("1");
    expect(response.headers.get("x-middleware-request-x-latch-url")).toBe(`${SITE}/app/dashboard?x=1`);
  });
});

describe.each(makers)("%s with an untrusted Host (no AUTH_URL, AUTH_TRUST_HOST=false)", (_name, make) => {
  it("denies with a sign-in redirect whose callbackUrl is a path: no Host in it", async () => {
    const proxy = make(config(), { AUTH_TRUST_HOST: "false", NODE_ENV: "production" });
    const request = new NextRequest("http://evil.example/dashboard?x=1", { headers: { host: "evil.example", accept: "text/html" } });
    const response = await proxy(request);
    expect(response.status).toBe(307);
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.searchParams.get("callbackUrl")).toBe("/dashboard?x=1");
    expect(response.headers.get("cache-control")).toBe("private, no-cache, no-store");
  });
});
