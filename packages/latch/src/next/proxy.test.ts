/**
 * The proxy/middleware form of `auth` and its wrappers, called with Next.js's own NextRequest
 * (the real class from next/server), outside a Next server. The browser tests run the same code
 * inside built Next 16 and Next 15 apps.
 */
import { NextRequest } from "next/server";
import { describe, expect, it, vi } from "vitest";
import { encode } from "../jwt.js";
import OIDC from "../providers/oidc.js";
import type { JWT, Session } from "../types.js";
import NextAuth from "./index.js";
import type { NextAuthConfig, NextAuthRequest } from "./types.js";

const SECRET = "proxy-test-secret-of-enough-length-0123456789";
const ORIGIN = "http://127.0.0.1:3000";
const quiet = { error: () => undefined, warn: () => undefined };

function baseConfig(extra: Partial<NextAuthConfig> = {}): NextAuthConfig {
  return {
    secret: SECRET,
    trustHost: true,
    logger: quiet,
    providers: [OIDC({ id: "local", issuer: "http://127.0.0.1:9" })],
    callbacks: { authorized: ({ auth }) => !!auth },
    ...extra,
  };
}

async function sessionCookie(claims: JWT = { name: "Alice", email: "alice@example.test", sub: "u1" }, maxAge = 3600): Promise<string> {
  return `authjs.session-token=${await encode({ token: claims, secret: SECRET, salt: "authjs.session-token", maxAge })}`;
}

function request(path: string, headers: Record<string, string> = {}, method = "GET"): NextRequest {
  return new NextRequest(`${ORIGIN}${path}`, { method, headers: { host: "127.0.0.1:3000", accept: "text/html", ...headers } });
}

type ProxyFn = (request: NextRequest, context?: unknown) => Promise<Response>;

describe("auth as proxy / middleware", () => {
  it("redirects a page request without a session to sign-in, with a same-origin callbackUrl", async () => {
    const proxy = NextAuth(baseConfig()).auth as ProxyFn;
    const response = await proxy(request("/dashboard?tab=2"));
    expect(response.status).toBe(307);
    const location = new URL(response.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(`${ORIGIN}/api/auth/signin`);
    expect(location.searchParams.get("callbackUrl")).toBe(`${ORIGIN}/dashboard?tab=2`);
  });

  it("answers API requests with 401 JSON and a WWW-Authenticate challenge, never a redirect", async () => {
    const proxy = NextAuth(baseConfig()).auth as ProxyFn;
    const response = await proxy(request("/api/data", { accept: "application/json" }));
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="latch"');
    expect(await response.json()).toMatchObject({ error: "Unauthorized" });
    const expired = await proxy(request("/api/data", { cookie: await sessionCookie(undefined, -60) }));
    expect(expired.status).toBe(401);
    expect(expired.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("lets a signed-in request through, renews the cookie, and hands the renewed cookie to the rendering", async () => {
    const proxy = NextAuth(baseConfig()).auth as ProxyFn;
    const cookie = await sessionCookie();
    const response = await proxy(request("/dashboard", { cookie: `${cookie}; theme=dark` }));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-middleware-next")).toBe("1");
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith("authjs.session-token="));
    expect(setCookie).toContain("HttpOnly");
    const renewed = setCookie?.split(";")[0]?.split("=")[1] ?? "";
    expect(renewed).not.toBe(cookie.split("=")[1]);
    // Next.js passes overridden request headers downstream as x-middleware-request-*.
    expect(response.headers.get("x-middleware-override-headers")).toContain("cookie");
    const downstreamCookie = response.headers.get("x-middleware-request-cookie") ?? "";
    expect(downstreamCookie).toContain(`authjs.session-token=${renewed}`);
    expect(downstreamCookie).toContain("theme=dark");
    expect(response.headers.get("x-middleware-request-x-latch-url")).toBe(`${ORIGIN}/dashboard`);
  });

  it("never serves a tampered, foreign-secret or check-cookie token as a session", async () => {
    const proxy = NextAuth(baseConfig()).auth as ProxyFn;
    const good = await sessionCookie();
    const foreign = `authjs.session-token=${await encode({ token: { name: "Mallory" }, secret: "another-secret-of-enough-length-0123456789", salt: "authjs.session-token" })}`;
    const check = `authjs.session-token=${await encode({ token: { value: "x", provider: "local" }, secret: SECRET, salt: "authjs.state" })}`;
    for (const cookie of [`${good.slice(0, -3)}AAA`, foreign, check, "authjs.session-token=%%%", `authjs.session-token=${"a".repeat(5000)}`]) {
      const response = await proxy(request("/dashboard", { cookie }));
      expect(response.status).toBe(307);
    }
  });

  it("passes a Response from authorized through, and continues on true", async () => {
    const blocked = new Response("maintenance", { status: 503 });
    const proxy = NextAuth(baseConfig({ callbacks: { authorized: ({ request }) => (request.nextUrl.pathname === "/down" ? blocked : true) } })).auth as ProxyFn;
    const down = await proxy(request("/down"));
    expect(down.status).toBe(503);
    expect(await down.text()).toBe("maintenance");
    const open = await proxy(request("/open"));
    expect(open.headers.get("x-middleware-next")).toBe("1");
  });

  it("denies when authorized throws, and logs why", async () => {
    const errors: string[] = [];
    const config = baseConfig({
      logger: { error: (e) => errors.push(e.message) },
      callbacks: {
        authorized: () => {
          throw new Error("boom");
        },
      },
    });
    const proxy = NextAuth(config).auth as ProxyFn;
    const response = await proxy(request("/dashboard", { cookie: await sessionCookie() }));
    expect(response.status).toBe(307);
    expect(errors.join(" ")).toContain("authorized threw");
  });

  it("denies every check when the secret is missing or the config cannot be built", async () => {
    vi.stubEnv("AUTH_SECRET", "");
    try {
      const noSecret = NextAuth({ ...baseConfig(), secret: undefined }).auth as ProxyFn;
      expect((await noSecret(request("/dashboard", { cookie: await sessionCookie() }))).status).toBe(307);
    } finally {
      vi.unstubAllEnvs();
    }
    const broken = NextAuth(() => {
      throw new Error("config store unreachable");
    }).auth as ProxyFn;
    const originalError = console.error;
    console.error = () => undefined;
    try {
      expect((await broken(request("/dashboard", { cookie: await sessionCookie() }))).status).toBe(307);
      expect((await broken(request("/api/x", { cookie: await sessionCookie() }))).status).toBe(401);
    } finally {
      console.error = originalError;
    }
  });

  it("never turns a misconfigured provider into a session (GHSA-8fpg-xm3f-6cx3)", async () => {
    // No issuer, no endpoints, no client id: sign-in with it fails, but session checks must still
    // deny without a valid cookie and must never see an error object as a session.
    const config = baseConfig({ providers: [OIDC({ id: "broken" })] });
    const { auth, handlers } = NextAuth(config);
    const proxy = auth as ProxyFn;
    expect((await proxy(request("/dashboard"))).status).toBe(307);
    expect((await proxy(request("/api/data"))).status).toBe(401);
    const sessionRoute = await handlers.GET(new Request(`${ORIGIN}/api/auth/session`, { headers: { host: "127.0.0.1:3000" } }));
    expect(sessionRoute.status).toBe(200);
    expect(await sessionRoute.json()).toBeNull();
    const signIn = await handlers.GET(new Request(`${ORIGIN}/api/auth/signin`, { headers: { host: "127.0.0.1:3000" } }));
    expect(signIn.status).toBe(200);
    const handler = vi.fn((req: NextAuthRequest) => Response.json(req.auth));
    expect((await auth(handler)(request("/x"), undefined)).status).toBe(307);
    expect(handler).not.toHaveBeenCalled();
  });

  it("does not guard its own routes or the custom sign-in page (no redirect loop)", async () => {
    const proxy = NextAuth(baseConfig({ pages: { signIn: "/login" } })).auth as ProxyFn;
    expect((await proxy(request("/api/auth/session"))).headers.get("x-middleware-next")).toBe("1");
    expect((await proxy(request("/login"))).headers.get("x-middleware-next")).toBe("1");
    const denied = await proxy(request("/dashboard"));
    expect(new URL(denied.headers.get("location") ?? "").pathname).toBe("/login");
  });

  it("answers a denied POST (server action) with 303, not 307", async () => {
    const proxy = NextAuth(baseConfig()).auth as ProxyFn;
    const response = await proxy(request("/dashboard", { "next-action": "abc" }, "POST"));
    expect(response.status).toBe(303);
  });

  it("builds the callbackUrl on AUTH_URL's origin even when Next.js rewrote the host to localhost", async () => {
    vi.stubEnv("AUTH_URL", ORIGIN);
    try {
      const proxy = NextAuth(baseConfig({ trustHost: false })).auth as ProxyFn;
      const response = await proxy(new NextRequest("http://localhost:3000/dashboard", { headers: { host: "localhost:3000", accept: "text/html" } }));
      const location = new URL(response.headers.get("location") ?? "");
      expect(location.origin).toBe(ORIGIN);
      expect(location.searchParams.get("callbackUrl")).toBe(`${ORIGIN}/dashboard`);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("auth(handler)", () => {
  it("sets req.auth and applies authorized=false even when a handler is wrapped (unlike Auth.js)", async () => {
    const seen: Array<Session | null> = [];
    const { auth } = NextAuth(baseConfig());
    const wrapped = auth((req: NextAuthRequest) => {
      seen.push(req.auth);
      return Response.json({ name: req.auth?.user?.name ?? null });
    });
    const denied = await wrapped(request("/api/me"), {});
    expect(denied.status).toBe(401);
    expect(seen).toEqual([]);
    const allowed = await wrapped(request("/api/me", { cookie: await sessionCookie() }), {});
    expect(await allowed.json()).toEqual({ name: "Alice" });
    expect(allowed.headers.getSetCookie().some((c) => c.startsWith("authjs.session-token="))).toBe(true);
  });

  it("gives req.auth = null without an authorized callback, and continues when the handler returns nothing", async () => {
    const { auth } = NextAuth(baseConfig({ callbacks: {} }));
    let seen: Session | null | undefined;
    const wrapped = auth((req: NextAuthRequest) => {
      seen = req.auth;
    });
    const response = await wrapped(request("/anything"), undefined);
    expect(seen).toBeNull();
    expect(response.headers.get("x-middleware-next")).toBe("1");
  });
});

describe("protect(handler)", () => {
  it("answers 401 without a session and never calls the handler; passes the session otherwise", async () => {
    const { protect } = NextAuth(baseConfig({ callbacks: {} }));
    const handler = vi.fn((req: { auth: Session }) => Response.json({ email: req.auth.user?.email }));
    const route = protect(handler);
    const anonymous = await route(request("/api/private"), {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe('Bearer realm="latch"');
    expect(handler).not.toHaveBeenCalled();
    const signedIn = await route(request("/api/private", { cookie: await sessionCookie() }), {});
    expect(await signedIn.json()).toEqual({ email: "alice@example.test" });
  });
});

describe("Pages Router forms", () => {
  function pagesResponse() {
    const headers = new Map<string, number | string | readonly string[]>();
    return {
      headers,
      getHeader: (name: string) => {
        const value = headers.get(name);
        return Array.isArray(value) ? [...(value as readonly string[])] : (value as number | string | undefined);
      },
      setHeader: (name: string, value: number | string | readonly string[]) => headers.set(name, value),
    };
  }

  it("reads the session in an API route (req, res) and in getServerSideProps (ctx), renewing the cookie", async () => {
    const { auth } = NextAuth(baseConfig());
    const cookie = await sessionCookie();
    const res = pagesResponse();
    res.setHeader("set-cookie", ["other=1; Path=/"]);
    const session = await auth({ headers: { host: "127.0.0.1:3000", cookie }, url: "/api/x" }, res);
    expect(session?.user?.name).toBe("Alice");
    const written = res.headers.get("set-cookie") as string[];
    expect(written[0]).toBe("other=1; Path=/");
    expect(written.some((c) => c.startsWith("authjs.session-token="))).toBe(true);

    const ctxRes = pagesResponse();
    const fromContext = await auth({ req: { headers: { host: "127.0.0.1:3000", cookie } }, res: ctxRes });
    expect(fromContext?.user?.email).toBe("alice@example.test");
    expect(await auth({ req: { headers: { host: "127.0.0.1:3000" } }, res: pagesResponse() })).toBeNull();
  });
});
