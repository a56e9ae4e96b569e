import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { authUrl, resolveBasePath } from "./auth-url.js";

/** Fresh copies of the modules: the provider's base path is module-wide, and must not leak between tests. */
async function client() {
  vi.resetModules();
  const [provider, session, csrf, providers, signOut] = await Promise.all([
    import("./session-provider.js"),
    import("./get-session.js"),
    import("./get-csrf-token.js"),
    import("./get-providers.js"),
    import("./sign-out.js"),
  ]);
  return { SessionProvider: provider.SessionProvider, getSession: session.getSession, getCsrfToken: csrf.getCsrfToken, getProviders: providers.getProviders, signOut: signOut.signOut };
}

/** The URL a fetch was called with, as a string. */
function urlOf(input: RequestInfo | URL): string {
  return input instanceof Request ? input.url : input instanceof URL ? input.href : input;
}

let paths: string[] = [];

beforeEach(() => {
  paths = [];
  vi.stubGlobal("window", { location: { href: "http://app.test/page", assign: () => undefined } });
  vi.stubGlobal("fetch", async (input: RequestInfo | URL) => {
    const { pathname } = new URL(urlOf(input), "http://app.test");
    paths.push(pathname);
    const body = pathname.endsWith("/csrf") ? { csrfToken: "csrf" } : pathname.endsWith("/signout") ? { url: "http://app.test/" } : null;
    return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("resolveBasePath and authUrl", () => {
  it("drops trailing slashes and defaults to /api/auth", () => {
    expect(resolveBasePath("/auth/")).toBe("/auth");
    expect(resolveBasePath(undefined)).toBe("/api/auth");
    expect(authUrl("/api/auth", "signin", { callbackUrl: "/" })).toBe("/api/auth/signin?callbackUrl=%2F");
  });
});

describe("the standalone functions' base path", () => {
  it("is /api/auth before any provider says otherwise", async () => {
    const { getSession } = await client();
    await getSession();
    expect(paths).toEqual(["/api/auth/session"]);
  });

  it("is <SessionProvider basePath> once it rendered, as in next-auth", async () => {
    const { SessionProvider, getSession, getCsrfToken, getProviders, signOut } = await client();
    renderToString(createElement(SessionProvider, { basePath: "/custom/auth/", session: null }));
    await getSession();
    await getCsrfToken();
    await getProviders();
    await signOut({ redirect: false });
    expect(paths).toEqual(["/custom/auth/session", "/custom/auth/csrf", "/custom/auth/providers", "/custom/auth/csrf", "/custom/auth/signout"]);
  });

  it("yields to a call's own basePath, and a provider without one changes nothing", async () => {
    const { SessionProvider, getSession } = await client();
    renderToString(createElement(SessionProvider, { basePath: "/custom/auth", session: null }));
    renderToString(createElement(SessionProvider, { session: null }));
    await getSession({ basePath: "/explicit/auth" });
    await getSession();
    expect(paths).toEqual(["/explicit/auth/session", "/custom/auth/session"]);
  });
});
