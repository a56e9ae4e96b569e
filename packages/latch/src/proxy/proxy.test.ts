/**
 * `latch/proxy`, the lean proxy, called with Next.js's own NextRequest outside a Next server, on
 * both of its runtimes (node:crypto, and WebCrypto as on Edge): what it lets through, what it
 * denies and how, the callbacks it runs, the configs it refuses, and failing closed.
 */
import { describe, expect, it } from "vitest";
import { ORIGIN, RUNTIMES, issuedSession, logged, recordingLogger, request, setCookies, type ProxyFn } from "../../test/helpers/proxy-requests.js";
import { decode, encode } from "../jwt.js";
import { CURRENT_URL_HEADER as PAGE_URL_HEADER } from "../next/server-session.js";
import { CURRENT_URL_HEADER } from "../next/proxy-gate.js";
import type { NextAuthConfig, NextAuthRequest } from "../next/types.js";
import type { JWT, Session } from "../types.js";
import { createProxyAuth, type ProxyRuntime } from "./create-proxy-auth.js";

const SECRET = "lean-proxy-test-secret-of-enough-length-0123";
const SALT = "authjs.session-token";

async function token(claims: JWT = { name: "Alice", email: "alice@example.test", sub: "u1" }, maxAge = 3600, secret = SECRET): Promise<string> {
  return encode({ token: claims, secret, salt: SALT, maxAge });
}
async function sessionCookie(claims?: JWT, maxAge?: number): Promise<string> {
  return `${SALT}=${await token(claims, maxAge)}`;
}

describe.each(RUNTIMES)("latch/proxy on %s", (_name, jwe) => {
  const quiet = { error: () => undefined, warn: () => undefined };
  const runtime: ProxyRuntime = { jwe, env: () => ({}) };
  function proxyOf(extra: Partial<NextAuthConfig> = {}, env: Record<string, string> = {}): ProxyFn {
    const config: NextAuthConfig = { secret: SECRET, trustHost: true, logger: quiet, providers: [], callbacks: { authorized: ({ auth }) => !!auth }, ...extra };
    return createProxyAuth(config, { jwe, env: () => env }).auth;
  }

  describe("signed in", () => {
    it("lets the request through, renews the cookie and hands it, with the URL, to the rendering", async () => {
      const cookie = await sessionCookie(undefined, 120);
      const response = await proxyOf()(request("/dashboard?tab=2", { cookie: `${cookie}; theme=dark` }));
      expect(response.status).toBe(200);
      expect(response.headers.get("x-middleware-next")).toBe("1");
      expect(response.headers.get("cache-control")).toBe("private, no-cache, no-store");
      const [set] = setCookies(response);
      expect(set).toMatchObject({ name: SALT, attributes: { path: "/", httponly: true, samesite: "Lax" } });
      expect(set?.attributes.secure).toBeUndefined();
      const renewed = await decode({ token: set?.value ?? "", secret: SECRET, salt: SALT });
      const old = await decode({ token: cookie.slice(SALT.length + 1), secret: SECRET, salt: SALT });
      expect(renewed).toMatchObject({ name: "Alice", email: "alice@example.test", sub: "u1" });
      expect((renewed?.exp ?? 0) - (old?.exp ?? 0)).toBeGreaterThan(29 * 24 * 3600);
      expect(Date.parse(String(set?.attributes.expires))).toBeGreaterThan(Date.now() + 29 * 24 * 3600 * 1000);
      const downstream = response.headers.get("x-middleware-request-cookie") ?? "";
      expect(downstream).toContain(`${SALT}=${set?.value ?? ""}`);
      expect(downstream).toContain("theme=dark");
      expect(response.headers.get(`x-middleware-request-${CURRENT_URL_HEADER}`)).toBe(`${ORIGIN}/dashboard?tab=2`);
    });

    it("runs the jwt callback as a session read does (no trigger), then the session callback, and renews what jwt returned", async () => {
      const jwtCalls: unknown[] = [];
      const seen: Array<Session | null> = [];
      const proxy = proxyOf({
        session: { maxAge: 600 },
        jwt: { maxAge: 300 },
        callbacks: {
          jwt(params) {
            jwtCalls.push(Object.keys(params));
            return { ...params.token, role: "admin" };
          },
          session: ({ session, token: claims }) => ({ ...session, user: { ...session.user, id: claims.sub ?? "" }, role: claims.role }),
          authorized({ auth }) {
            seen.push(auth);
            return !!auth;
          },
        },
      });
      const before = Date.now();
      const response = await proxy(request("/x", { cookie: await sessionCookie() }));
      expect(jwtCalls).toEqual([["token"]]);
      expect(seen[0]).toMatchObject({ user: { name: "Alice", email: "alice@example.test", image: null, id: "u1" }, role: "admin" });
      expect(Date.parse(seen[0]?.expires ?? "")).toBeGreaterThanOrEqual(before + 600_000 - 1000);
      const set = setCookies(response)[0];
      const renewed = await decode({ token: set?.value ?? "", secret: SECRET, salt: SALT });
      expect(renewed?.role).toBe("admin");
      expect((renewed?.exp ?? 0) - (renewed?.iat ?? 0)).toBe(300);
      expect(Date.parse(String(set?.attributes.expires))).toBeLessThanOrEqual(Date.now() + 600_000);
    });

    it("keeps the session's sid in the renewed cookie when the jwt callback rebuilds the token without it", async () => {
      // Revocation names the session by its sid: a cookie renewed without it would outlive sign-out.
      const proxy = proxyOf({ callbacks: { jwt: ({ token: claims }) => ({ sub: claims.sub, name: claims.name }), authorized: ({ auth }) => !!auth } });
      const response = await proxy(request("/x", { cookie: await sessionCookie({ sub: "u1", name: "Alice", sid: "sid-1" }) }));
      expect(response.status).toBe(200);
      expect(await decode({ token: issuedSession(response) ?? "", secret: SECRET, salt: SALT })).toMatchObject({ sub: "u1", name: "Alice", sid: "sid-1" });
    });

    it("gives no session and clears the cookie when jwt returns null or a callback throws (logged)", async () => {
      const { errors, logger } = recordingLogger();
      for (const callbacks of [{ jwt: () => null }, { session: () => { throw new Error("session callback broke"); } }] satisfies NextAuthConfig["callbacks"][]) {
        const response = await proxyOf({ logger, callbacks: { ...callbacks, authorized: ({ auth }) => !!auth } })(request("/x", { cookie: await sessionCookie() }));
        expect(response.status).toBe(307);
        expect(setCookies(response)).toEqual([expect.objectContaining({ name: SALT, value: "", attributes: expect.objectContaining({ "max-age": "0" }) as unknown })]);
      }
      expect(logged(errors)).toContain("JWTSessionError: A jwt or session callback threw");
      expect(logged(errors)).toContain("session callback broke");
    });

    it("uses the app's jwt.encode and jwt.decode when it has them", async () => {
      const proxy = proxyOf({
        jwt: {
          encode: ({ token: claims }) => `custom.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`,
          decode: ({ token: raw }) => (raw?.startsWith("custom.") ? (JSON.parse(Buffer.from(raw.slice(7), "base64url").toString()) as JWT) : null),
        },
      });
      const response = await proxy(request("/x", { cookie: `${SALT}=custom.${Buffer.from('{"name":"Carol"}').toString("base64url")}` }));
      expect(response.status).toBe(200);
      const issued = issuedSession(response) ?? "";
      expect(issued.startsWith("custom.")).toBe(true);
      // The claims it read, with what every renewal keeps: a session id and the sign-in time.
      expect(JSON.parse(Buffer.from(issued.slice(7), "base64url").toString())).toEqual({ name: "Carol", sid: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown, auth_time: expect.any(Number) as unknown });
      expect((await proxy(request("/x", { cookie: await sessionCookie() }))).status).toBe(307);
    });

    it("runs events.session, and logs a handler that throws without failing the request", async () => {
      const { errors, logger } = recordingLogger();
      const seen: string[] = [];
      const ok = proxyOf({ events: { session: ({ session }) => void seen.push(session.user?.name ?? "") } });
      expect((await ok(request("/x", { cookie: await sessionCookie() }))).status).toBe(200);
      expect(seen).toEqual(["Alice"]);
      const throwing = proxyOf({ logger, events: { session: () => { throw new Error("event broke"); } } });
      expect((await throwing(request("/x", { cookie: await sessionCookie() }))).status).toBe(200);
      expect(logged(errors)).toContain('EventError: The "session" event handler threw.');
    });

    it("reads and writes the __Secure- cookie over https, and follows useSecureCookies and a renamed cookie", async () => {
      const secure = await encode({ token: { name: "Alice" }, secret: SECRET, salt: "__Secure-authjs.session-token" });
      const https = await proxyOf()(request("/x", { cookie: `__Secure-authjs.session-token=${secure}` }, "GET", "https://app.test"));
      expect(https.status).toBe(200);
      expect(setCookies(https)[0]).toMatchObject({ name: "__Secure-authjs.session-token", attributes: { secure: true } });
      const forced = await proxyOf({ useSecureCookies: true })(request("/x", { cookie: `__Secure-authjs.session-token=${secure}` }));
      expect(forced.status).toBe(200);
      const renamed = await encode({ token: { name: "Alice" }, secret: SECRET, salt: "app.session" });
      const custom = await proxyOf({ cookies: { sessionToken: { name: "app.session", options: { domain: "127.0.0.1" } } } })(request("/x", { cookie: `app.session=${renamed}` }));
      expect(custom.status).toBe(200);
      expect(setCookies(custom)[0]).toMatchObject({ name: "app.session", attributes: { domain: "127.0.0.1", httponly: true } });
    });
  });

  describe("callbacks.authorized", () => {
    it("true continues, false denies, a Response is sent as is (with the renewed cookie, no-store), a throw denies and is logged", async () => {
      const { errors, logger } = recordingLogger();
      const blocked = new Response("maintenance", { status: 503 });
      const proxy = proxyOf({
        logger,
        callbacks: {
          authorized({ request: req, auth }) {
            if (req.nextUrl.pathname === "/down") return blocked;
            if (req.nextUrl.pathname === "/boom") throw new Error("authorized broke");
            if (req.nextUrl.pathname === "/open") return true;
            return !!auth;
          },
        },
      });
      expect((await proxy(request("/open"))).headers.get("x-middleware-next")).toBe("1");
      expect((await proxy(request("/closed"))).status).toBe(307);
      const down = await proxy(request("/down", { cookie: await sessionCookie() }));
      expect(down.status).toBe(503);
      expect(await down.text()).toBe("maintenance");
      expect(down.headers.get("cache-control")).toBe("private, no-cache, no-store");
      expect(issuedSession(down)).toBeDefined();
      expect((await proxy(request("/boom", { cookie: await sessionCookie() }))).status).toBe(307);
      expect(logged(errors)).toContain("callbacks.authorized threw; the request is denied.");
      expect(logged(errors)).toContain("authorized broke");
    });

    it("without an authorized callback, lets everything through (as latch/next does) and still renews", async () => {
      const proxy = proxyOf({ callbacks: {} });
      expect((await proxy(request("/dashboard"))).headers.get("x-middleware-next")).toBe("1");
      expect(issuedSession(await proxy(request("/dashboard", { cookie: await sessionCookie() })))).toBeDefined();
    });

    it("never guards latch's own routes or the custom sign-in page (no redirect loop)", async () => {
      const proxy = proxyOf({ pages: { signIn: "/login" }, basePath: "/auth" });
      expect((await proxy(request("/auth/session"))).headers.get("x-middleware-next")).toBe("1");
      expect((await proxy(request("/login"))).headers.get("x-middleware-next")).toBe("1");
      expect((await proxy(request("/api/auth/session"))).status).toBe(401);
      const denied = await proxy(request("/dashboard"));
      const location = new URL(denied.headers.get("location") ?? "");
      expect(location.pathname).toBe("/login");
      expect(location.searchParams.get("callbackUrl")).toBe(`${ORIGIN}/dashboard`);
    });
  });

  describe("denied", () => {
    it("redirects a page to sign-in with a same-origin callbackUrl: 307, or 303 after a POST", async () => {
      const proxy = proxyOf();
      const page = await proxy(request("/dashboard?tab=2"));
      expect(page.status).toBe(307);
      const location = new URL(page.headers.get("location") ?? "");
      expect(`${location.origin}${location.pathname}`).toBe(`${ORIGIN}/api/auth/signin`);
      expect(location.searchParams.get("callbackUrl")).toBe(`${ORIGIN}/dashboard?tab=2`);
      expect((await proxy(request("/dashboard", { "next-action": "abc" }, "POST"))).status).toBe(303);
      // RSC and prefetch requests are page navigations, even without text/html.
      for (const headers of [{ rsc: "1", accept: "*/*" }, { "next-router-prefetch": "1", accept: "*/*" }]) expect((await proxy(request("/dashboard", headers))).status).toBe(307);
    });

    it("answers API and data requests with 401 JSON and a challenge, saying so when the cookie was invalid", async () => {
      const proxy = proxyOf();
      for (const response of [await proxy(request("/api/data")), await proxy(request("/data", { accept: "application/json" }))]) {
        expect(response.status).toBe(401);
        expect(response.headers.get("www-authenticate")).toBe('Bearer realm="latch"');
        expect(response.headers.get("cache-control")).toBe("private, no-cache, no-store");
        expect(await response.json()).toEqual({ error: "Unauthorized", message: "Sign in to use this API." });
      }
      const expired = await proxy(request("/api/data", { cookie: await sessionCookie(undefined, -60) }));
      expect(expired.status).toBe(401);
      expect(expired.headers.get("www-authenticate")).toContain('error="invalid_token"');
    });

    it("builds sign-in and callbackUrl on AUTH_URL's origin when Next.js rewrote 127.0.0.1 to localhost", async () => {
      const proxy = proxyOf({ trustHost: false }, { AUTH_URL: ORIGIN });
      const response = await proxy(request("/dashboard", {}, "GET", "http://localhost:3000"));
      const location = new URL(response.headers.get("location") ?? "");
      expect(location.origin).toBe(ORIGIN);
      expect(location.searchParams.get("callbackUrl")).toBe(`${ORIGIN}/dashboard`);
      // The other way round: the site is localhost, the request arrived as 127.0.0.1.
      const local = await proxyOf({}, { AUTH_URL: "http://localhost:3000/custom/auth" })(request("/dashboard"));
      expect(local.headers.get("location")).toBe(`http://localhost:3000/custom/auth/signin?callbackUrl=${encodeURIComponent("http://localhost:3000/dashboard")}`);
    });
  });

  describe("the auth(handler) wrapper", () => {
    it("sets req.auth, applies authorized=false before the handler (unlike Auth.js), and renews the cookie on its response", async () => {
      const seen: Array<Session | null> = [];
      const { auth } = createProxyAuth({ secret: SECRET, trustHost: true, providers: [], callbacks: { authorized: ({ auth: session }) => !!session } }, runtime);
      const wrapped = auth((req: NextAuthRequest) => {
        seen.push(req.auth);
        return Response.json({ name: req.auth?.user?.name ?? null });
      });
      expect((await wrapped(request("/api/me"), {})).status).toBe(401);
      expect(seen).toEqual([]);
      const allowed = await wrapped(request("/api/me", { cookie: await sessionCookie() }), {});
      expect(await allowed.json()).toEqual({ name: "Alice" });
      expect(issuedSession(allowed)).toBeDefined();
      expect(allowed.headers.get("cache-control")).toBe("private, no-cache, no-store");
    });

    it("gives req.auth = null without authorized, continues when the handler returns nothing, and lets the handler's own error through", async () => {
      const { auth } = createProxyAuth({ secret: SECRET, trustHost: true, providers: [] }, runtime);
      let seen: Session | null | undefined;
      const response = await auth((req: NextAuthRequest) => {
        seen = req.auth;
      })(request("/anything"), undefined);
      expect(seen).toBeNull();
      expect(response.headers.get("x-middleware-next")).toBe("1");
      const failing = auth(() => {
        throw new Error("the app's bug");
      });
      await expect(failing(request("/anything"), undefined)).rejects.toThrow("the app's bug");
    });

    it("refuses to be called as auth() without a request: that is latch/next's", () => {
      const { auth } = createProxyAuth({ secret: SECRET, providers: [] }, runtime);
      expect(() => (auth as unknown as () => unknown)()).toThrow(/auth\(\) from latch\/next/);
    });
  });

  describe("refused configs", () => {
    const cases: Array<[string, Partial<NextAuthConfig>, RegExp]> = [
      ["database sessions", { session: { strategy: "database" } }, /session\.strategy "database"/],
      ["an adapter", { adapter: {} }, /`adapter`/],
      ["a revocation store", { revocation: { isRevoked: async () => false, revokeSession: async () => undefined, revokeUser: async () => undefined } }, /`revocation` \(a revoked session would pass\)/],
      ["bearer tokens", { bearer: true }, /`bearer` \(bearer tokens are not verified here\)/],
      ["provider tokens", { providerTokens: { store: { get: async () => null, set: async () => undefined, delete: async () => undefined, lock: async () => true, unlock: async () => undefined } } as unknown as NextAuthConfig["providerTokens"] }, /`providerTokens`/],
    ];

    it.each(cases)("%s: logged at construction with what to do, and every request treated as signed out", async (_what, extra, pattern) => {
      const { errors, logger } = recordingLogger();
      const proxy = proxyOf({ logger, ...extra });
      expect(errors).toHaveLength(1);
      expect(errors[0]?.name).toBe("UnsupportedStrategy");
      expect(errors[0]?.message).toMatch(pattern);
      expect(errors[0]?.message).toMatch(/^latch\/proxy reads JWT session cookies only/);
      expect(errors[0]?.message).toContain("auth.config.ts");
      expect(errors[0]?.message).toContain("use `auth` from latch/next as the proxy");
      expect(errors[0]?.message).toContain("keep those routes out of the matcher");
      const response = await proxy(request("/dashboard", { cookie: await sessionCookie() }));
      expect(response.status).toBe(307);
      expect(logged(errors.slice(1))).toContain("UnsupportedStrategy: latch/proxy reads JWT session cookies only");
    });

    it("names every refused option at once, accepts bearer: false and an explicit jwt strategy", async () => {
      const { errors, logger } = recordingLogger();
      proxyOf({ logger, adapter: {}, bearer: {}, revocation: cases[2]?.[1].revocation });
      expect(errors[0]?.message).toMatch(/`adapter`, `revocation` .*, `bearer`/);
      const fine = recordingLogger();
      const proxy = proxyOf({ logger: fine.logger, bearer: false, session: { strategy: "jwt" } });
      expect(fine.errors).toEqual([]);
      expect((await proxy(request("/x", { cookie: await sessionCookie() }))).status).toBe(200);
    });

    it("refuses the lazy form's config per request, when it is known", async () => {
      const { errors, logger } = recordingLogger();
      const { auth } = createProxyAuth(() => ({ secret: SECRET, trustHost: true, providers: [], logger, adapter: {}, callbacks: { authorized: ({ auth: s }) => !!s } }), runtime);
      expect(errors).toEqual([]);
      expect((await auth(request("/dashboard", { cookie: await sessionCookie() }))).status).toBe(307);
      expect(logged(errors)).toContain("UnsupportedStrategy");
    });
  });

  describe("fails closed", () => {
    it("without a secret: a valid cookie opens nothing, and the log names MissingSecret", async () => {
      const { errors, logger } = recordingLogger();
      const proxy = proxyOf({ secret: undefined, logger });
      const response = await proxy(request("/dashboard", { cookie: await sessionCookie() }));
      expect(response.status).toBe(307);
      expect(setCookies(response)).toEqual([]);
      expect(logged(errors)).toContain("MissingSecret: No secret is set");
    });

    it("with a host it may not trust: signed out, UntrustedHost logged", async () => {
      const { errors, logger } = recordingLogger();
      const response = await proxyOf({ trustHost: false, logger })(request("/dashboard", { cookie: await sessionCookie() }));
      expect(response.status).toBe(307);
      expect(logged(errors)).toContain("UntrustedHost");
    });

    it("when the config cannot be built: every matched request is denied, latch's routes excepted", async () => {
      const original = console.error;
      const printed: unknown[][] = [];
      console.error = (...args: unknown[]) => void printed.push(args);
      try {
        const { auth } = createProxyAuth(() => {
          throw new Error("config store unreachable");
        }, runtime);
        expect((await auth(request("/dashboard", { cookie: await sessionCookie() }))).status).toBe(307);
        expect((await auth(request("/api/x", { cookie: await sessionCookie() }))).status).toBe(401);
        expect((await auth(request("/api/auth/session"))).headers.get("x-middleware-next")).toBe("1");
      } finally {
        console.error = original;
      }
      expect(String(printed[0]?.[0])).toContain("[latch][error] The session could not be read");
      expect(String(printed[0]?.[1])).toContain("config store unreachable");
    });

    it("never throws to Next.js for latch's own failure: an unusable pages.signIn is logged and the request denied", async () => {
      const { errors, logger } = recordingLogger();
      const response = await proxyOf({ logger, pages: { signIn: "http://exa mple/login" } })(request("/dashboard"));
      expect(response.status).toBe(307);
      expect(new URL(response.headers.get("location") ?? "").pathname).toBe("/api/auth/signin");
      expect(logged(errors)).toContain("The proxy could not answer as configured");
    });
  });
});

describe("latch/proxy's entry", () => {
  it("writes the header the page-level checks read the URL from", () => {
    expect(CURRENT_URL_HEADER).toBe(PAGE_URL_HEADER);
  });
});
