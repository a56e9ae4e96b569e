/**
 * Page routes as next-auth answers them: a configuration error on a page route sends the browser
 * to the app's `pages.error` with `?error=Configuration` (docs/reference/config.md; without
 * `pages.error`, latch's own error page; APIs keep their JSON, and scripts asking for JSON get it), and the callbackUrl GET /signin
 * was given is remembered for the sign-in that follows.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Auth } from "../src/index.js";
import GitHub from "../src/providers/github.js";
import type { AuthConfig } from "../src/types.js";

const SECRET = "pages-error-configuration-secret-0123456789abcdef";
const ORIGIN = "https://app.test";

beforeEach(() => {
  for (const key of ["AUTH_URL", "NEXTAUTH_URL", "AUTH_TRUST_HOST", "AUTH_SECRET", "NEXTAUTH_SECRET", "AUTH_GITHUB_ID", "AUTH_GITHUB_SECRET"]) vi.stubEnv(key, undefined);
});
afterEach(() => vi.unstubAllEnvs());

const quiet = { error: () => undefined, warn: () => undefined, debug: () => undefined };

function config(extra: Partial<AuthConfig> = {}): AuthConfig {
  return {
    providers: [GitHub({ clientId: "id", clientSecret: "secret" })],
    secret: SECRET,
    trustHost: true,
    logger: quiet,
    // The redirect callback of Auth.js's docs throws for a callbackUrl it cannot parse.
    callbacks: { redirect: () => Promise.reject(new Error("the app's redirect callback broke")) },
    ...extra,
  };
}

const get = (path: string, cfg: AuthConfig) => Auth(new Request(`${ORIGIN}${path}`, { headers: { accept: "text/html" } }), cfg);

describe("a configuration error on a page route", () => {
  it("redirects to pages.error?error=Configuration on the app's origin", async () => {
    const response = await get("/api/auth/signin?callbackUrl=/x", config({ pages: { error: "/oops" } }));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/oops?error=Configuration`);
  });

  it("does so with no secret either (AUTH_URL set), keeping a query pages.error has", async () => {
    vi.stubEnv("AUTH_URL", `${ORIGIN}/api/auth`);
    const response = await get("/api/auth/signout", { providers: [], logger: quiet, pages: { error: "/oops?from=auth" } });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/oops?from=auth&error=Configuration`);
  });

  it("without pages.error shows latch's own error page (500), and the error route itself never redirects", async () => {
    const page = await get("/api/auth/signin?callbackUrl=/x", config());
    expect(page.status).toBe(500);
    expect(page.headers.get("content-type")).toContain("text/html");
    vi.stubEnv("AUTH_URL", `${ORIGIN}/api/auth`);
    const errorRoute = await get("/api/auth/error?error=Configuration", { providers: [], logger: quiet, pages: { error: "/oops" } });
    expect(errorRoute.status).toBe(500);
    expect(errorRoute.headers.get("location")).toBeNull();
  });

  it("a script that asked for JSON (X-Auth-Return-Redirect) gets a JSON 500 naming the error and the page, for a POST as for a GET", async () => {
    vi.stubEnv("AUTH_URL", `${ORIGIN}/api/auth`);
    const post = (cfg: AuthConfig) =>
      Auth(
        new Request(`${ORIGIN}/api/auth/signout`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1" },
          body: "csrfToken=x",
        }),
        cfg,
      );
    const withPage = await post({ providers: [], logger: quiet, pages: { error: "/oops" } });
    expect(withPage.status).toBe(500);
    expect(await withPage.json()).toEqual({ url: `${ORIGIN}/oops?error=Configuration`, error: "Configuration" });
    const ownPage = await post({ providers: [], logger: quiet });
    expect(ownPage.status).toBe(500);
    expect(await ownPage.json()).toEqual({ url: `${ORIGIN}/api/auth/error?error=Configuration`, error: "Configuration" });
    // A browser's own form POST still gets a page it can show.
    const form = await Auth(
      new Request(`${ORIGIN}/api/auth/signout`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "csrfToken=x" }),
      { providers: [], logger: quiet },
    );
    expect(form.status).toBe(500);
    expect(form.headers.get("content-type")).toContain("text/html");
  });

  it("an API route still answers JSON 500, with pages.error or not", async () => {
    vi.stubEnv("AUTH_URL", `${ORIGIN}/api/auth`);
    const response = await get("/api/auth/session", { providers: [], logger: quiet, pages: { error: "/oops" } });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: "Configuration" });
  });
});

describe("the callbackUrl GET /signin was given", () => {
  it("is remembered for the sign-in that follows, as next-auth does: a form that posts only the CSRF token returns the user there", async () => {
    const cfg = config({ callbacks: {}, pages: { signIn: "/login" } });
    const jar = new Map<string, string>();
    const send = async (path: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set("cookie", [...jar].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("; "));
      const response = await Auth(new Request(`${ORIGIN}${path}`, { ...init, headers }), cfg);
      for (const line of response.headers.getSetCookie()) {
        const [pair = ""] = line.split(";");
        const eq = pair.indexOf("=");
        jar.set(pair.slice(0, eq), decodeURIComponent(pair.slice(eq + 1)));
      }
      return response;
    };
    expect((await send("/api/auth/signin?callbackUrl=%2Fdashboard%3Ftab%3D2")).headers.get("location")).toBe(`${ORIGIN}/login?callbackUrl=${encodeURIComponent(`${ORIGIN}/dashboard?tab=2`)}`);
    const { csrfToken } = (await (await send("/api/auth/csrf")).json()) as { csrfToken: string };
    const started = await send("/api/auth/signin/github", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ csrfToken }).toString() });
    expect(started.headers.get("location")).toMatch(/^https:\/\/github\.com\/login\/oauth\/authorize\?/);
    expect(jar.get("__Secure-authjs.callback-url")).toBe(`${ORIGIN}/dashboard?tab=2`);
    // A foreign one is never remembered as it was asked.
    await send("/api/auth/signin?callbackUrl=https%3A%2F%2Fevil.test%2F");
    expect(new URL(jar.get("__Secure-authjs.callback-url") ?? "").origin).toBe(ORIGIN);
  });
});
