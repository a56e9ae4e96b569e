/**
 * The custom sign-in page goes through the proxy however Next.js spells its path, so it never
 * redirects to itself or drops the visitor's locale:
 *
 * - with i18n, a localized page (/fr/login) when `pages.signIn` is "/login" (nextUrl.pathname
 *   has no locale; the URL has it);
 * - `pages.signIn` naming the default locale ("/en/login"), which Next leaves out of the URL;
 * - next.config `trailingSlash: true`: Next redirects /app/login to /app/login/ before the proxy
 *   runs, while `pages.signIn` says "/app/login".
 *
 * Same makers as proxy-next-basepath.test.ts: the lean proxy on both cryptographies and latch/next.
 */
import { NextRequest } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PROXY_MAKERS } from "./helpers/proxy-makers.js";
import type { NextAuthConfig } from "../src/next/types.js";

const SECRET = "spelling-i18n-secret-of-enough-length-0123456789";
const SITE = "https://app.example";
const quiet = { error: () => undefined, warn: () => undefined };
const i18n = { locales: ["en", "fr"], defaultLocale: "en" };

const makers = PROXY_MAKERS;

afterEach(() => vi.unstubAllEnvs());

/** A browser's page request to a Pages Router app with Next's i18n (no basePath). */
function page(path: string, nextConfig: Record<string, unknown> = { i18n }): NextRequest {
  return new NextRequest(`${SITE}${path}`, { headers: { host: new URL(SITE).host, accept: "text/html" }, nextConfig });
}

const config = (signIn: string): NextAuthConfig => ({
  secret: SECRET,
  providers: [],
  logger: quiet,
  pages: { signIn },
  callbacks: { authorized: ({ auth }) => !!auth },
});

describe.each(makers)("%s in an app with Next.js i18n (en default, fr)", (_name, make) => {
  it("lets the French sign-in page /fr/login through when pages.signIn is /login", async () => {
    const proxy = make(config("/login"), { AUTH_URL: `${SITE}/api/auth` });
    const response = await proxy(page("/fr/login?callbackUrl=%2Ffr%2Fdashboard"));
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.get("x-middleware-next")).toBe("1");
  });

  it("does not loop when pages.signIn names the default locale (/en/login)", async () => {
    const proxy = make(config("/en/login"), { AUTH_URL: `${SITE}/api/auth` });
    const response = await proxy(page("/en/login"));
    const location = response.headers.get("location");
    // A redirect from /en/login to /en/login is a loop.
    expect(location === null ? null : new URL(location).pathname).not.toBe("/en/login");
    expect(response.headers.get("x-middleware-next")).toBe("1");
  });
});

/** Next.js redirects to the slashed path before the proxy runs: the page must match it. */
describe.each(makers)("%s in an app with basePath /app and trailingSlash: true", (_name, make) => {
  it("lets the sign-in page /app/login/ through when pages.signIn is /app/login", async () => {
    const proxy = make(config("/app/login"), { AUTH_URL: `${SITE}/app/api/auth` });
    const response = await proxy(page("/app/login/?callbackUrl=%2Fapp%2Fdashboard%2F", { basePath: "/app", trailingSlash: true }));
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.get("x-middleware-next")).toBe("1");
  });
});
