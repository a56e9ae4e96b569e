import { describe, expect, it } from "vitest";
import type { SiteUrl } from "./auth-url.js";
import { checkLive } from "./live.js";
import { checkCookies, parseSetCookie } from "./live-cookies.js";
import type { ProviderEnv } from "./providers.js";

const site: SiteUrl = { origin: "http://127.0.0.1:3000", basePath: "/api/auth", basePathFrom: "default" };
const local: ProviderEnv = { id: "local", key: "LOCAL", clientId: "a", clientSecret: "b", issuer: undefined, issuerFrom: undefined };

interface Route {
  status?: number;
  body: unknown;
  cookies?: string[];
  cacheControl?: string;
}

/** A fake app: one answer per action; `fetch` never touches the network. */
function app(routes: Record<string, Route>): typeof fetch {
  return async (input) => {
    const action = String(input instanceof Request ? input.url : input).split("/").at(-1) ?? "";
    const route = routes[action];
    if (!route) return new Response("not found", { status: 404 });
    const headers = new Headers({ "content-type": "application/json", "cache-control": route.cacheControl ?? "private, no-cache, no-store" });
    for (const cookie of route.cookies ?? []) headers.append("set-cookie", cookie);
    return new Response(typeof route.body === "string" ? route.body : JSON.stringify(route.body), { status: route.status ?? 200, headers });
  };
}

const providers = { local: { id: "local", name: "Local", type: "oidc", signinUrl: "http://127.0.0.1:3000/api/auth/signin/local", callbackUrl: "http://127.0.0.1:3000/api/auth/callback/local" } };
const csrfCookie = "authjs.csrf-token=abc%7Cdef; Path=/; HttpOnly; SameSite=Lax";
const good: Record<string, Route> = { providers: { body: providers }, csrf: { body: { csrfToken: "abc" }, cookies: [csrfCookie] }, session: { body: null } };

async function live(routes: Record<string, Route>, overrides: Partial<Parameters<typeof checkLive>[0]> = {}) {
  const findings = await checkLive({ url: "http://127.0.0.1:3000", site, envProviders: [local], timeout: 1000, fetch: app(routes), ...overrides });
  return { findings, codes: findings.map((f) => `${f.severity}:${f.code}`) };
}

describe("checkLive", () => {
  it("is content with an app that answers like latch", async () => {
    const { codes, findings } = await live(good);
    expect(codes).toEqual(["ok:live-providers", "ok:live-ok"]);
    expect(findings[0]?.message).toContain("local (oidc)");
    expect(findings[1]?.message).toContain("authjs.csrf-token");
  });

  it("errors on server errors, missing routes and an app that is down", async () => {
    const broken = await live({ ...good, providers: { status: 500, body: "<h1>Server error</h1><p>There is a problem with the server configuration.</p>" } });
    expect(broken.codes).toEqual(["error:live-server-error"]);
    expect(broken.findings[0]?.message).toContain("Server error There is a problem");
    expect((await live({})).codes).toEqual(["error:live-not-found"]);
    const down = await live(good, { fetch: async () => Promise.reject(new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:3000") })) });
    expect(down.codes).toEqual(["error:live-unreachable"]);
    expect(down.findings[0]?.message).toContain("ECONNREFUSED");
    expect((await live({ ...good, providers: { body: "<html>" } })).codes).toEqual(["error:live-bad-response"]);
    expect((await live({ ...good, csrf: { body: {} } })).codes).toContain("error:live-bad-response");
  });

  it("warns when the env configures a provider the app does not serve, or builds other callback URLs", async () => {
    expect((await live({ ...good, providers: { body: {} } })).codes).toContain("warn:live-provider-missing");
    const other = await live(good, { site: { ...site, origin: "http://127.0.0.1:4321" } });
    expect(other.codes).toContain("warn:live-callback-mismatch");
  });

  it("prints the callback URL of providers configured only in code", async () => {
    const { findings } = await live(good, { envProviders: [] });
    expect(findings.find((f) => f.code === "callback-url")?.message).toContain("register http://127.0.0.1:3000/api/auth/callback/local");
  });

  it("warns when the session answer may be cached", async () => {
    expect((await live({ ...good, session: { body: null, cacheControl: "public, max-age=60" } })).codes).toContain("warn:live-session-cache");
  });
});

describe("checkCookies", () => {
  const check = (header: string, https: boolean, loopback = false) => checkCookies([parseSetCookie(header)], { https, loopback }).map((f) => `${f.severity}:${f.code}`);

  it("accepts latch's defaults over http and https", () => {
    expect(check(csrfCookie, false, true)).toEqual([]);
    expect(check("__Host-authjs.csrf-token=x; Path=/; HttpOnly; Secure; SameSite=Lax", true)).toEqual([]);
    expect(check("__Secure-authjs.session-token=x; Path=/; HttpOnly; Secure; SameSite=Lax", true)).toEqual([]);
  });

  it("errors on a cookie without Secure over https, or with Secure over plain http", () => {
    expect(check("authjs.session-token=x; Path=/; HttpOnly; SameSite=Lax", true)).toEqual(["error:live-cookie-insecure", "warn:live-cookie-attributes"]);
    expect(check("__Secure-authjs.session-token=x; Path=/; HttpOnly; Secure; SameSite=Lax", false)).toEqual(["error:live-cookie-insecure"]);
    expect(check("__Secure-authjs.session-token=x; Path=/; HttpOnly; Secure; SameSite=Lax", false, true)).toEqual(["warn:live-cookie-insecure"]);
  });

  it("errors on broken __Host- cookies and cookies scripts can read; warns on SameSite=None", () => {
    expect(check("__Host-authjs.csrf-token=x; Path=/; Domain=example.com; HttpOnly; Secure; SameSite=Lax", true)).toEqual(["error:live-cookie-attributes"]);
    expect(check("authjs.csrf-token=x; Path=/; SameSite=Lax", false)).toEqual(["error:live-cookie-attributes"]);
    expect(check("authjs.csrf-token=x; Path=/; HttpOnly; SameSite=None", false)).toEqual(["warn:live-cookie-attributes"]);
  });

  it("never keeps the cookie's value", () => {
    expect(parseSetCookie("authjs.session-token=secret-token; Path=/; HttpOnly")).toEqual({ name: "authjs.session-token", secure: false, httpOnly: true, sameSite: undefined, path: "/", domain: undefined });
  });
});
