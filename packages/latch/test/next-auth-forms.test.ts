/**
 * latch/next's `auth()` forms with what surrounds them in a real deployment: an Authorization
 * header of another scheme than Bearer (a reverse proxy's Basic) leaves the session to the cookie
 * in server components and route handlers; the Pages Router writes one renewed session cookie per
 * response, never over the app's own, and returns the session once the headers are sent.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { NextRequest } from "next/server";
import { describe, expect, it, vi } from "vitest";
import { encode } from "../src/jwt.js";
import type { NextAuthConfig, NextAuthRequest, PagesResponseLike } from "../src/next/types.js";

const next = vi.hoisted(() => ({ headers: new Headers(), cookies: new Map<string, string>() }));
vi.mock("next/headers", async () => (await import("./helpers/next-request-scope.js")).nextHeaders(() => next));
vi.mock("next/navigation", async (importOriginal) => ({
  ...(await importOriginal<object>()),
  ...(await import("./helpers/next-request-scope.js")).navigation,
}));

const SECRET = "next-auth-forms-secret-of-enough-length-0123456789";
const HOST = "127.0.0.1:3000";
const COOKIE = "authjs.session-token";
const quiet = { error: () => undefined, warn: () => undefined, debug: () => undefined };

const config = (extra: Partial<NextAuthConfig> = {}): NextAuthConfig => ({ secret: SECRET, trustHost: true, providers: [], logger: quiet, ...extra });

async function sessionToken(): Promise<string> {
  return encode({ token: { name: "Alice", email: "alice@example.test", sub: "u1" }, secret: SECRET, salt: COOKIE });
}

/** A Pages Router `res` that stores headers the way Node's ServerResponse does. */
function pagesResponse(): PagesResponseLike & { stored: Map<string, number | string | readonly string[]> } {
  const stored = new Map<string, number | string | readonly string[]>();
  return {
    stored,
    getHeader: (name) => {
      const value = stored.get(name.toLowerCase());
      return Array.isArray(value) ? [...(value as string[])] : (value as number | string | undefined);
    },
    setHeader: (name, value) => stored.set(name.toLowerCase(), value),
  };
}

const setCookies = (res: ReturnType<typeof pagesResponse>): string[] => {
  const value = res.stored.get("set-cookie");
  return value === undefined ? [] : Array.isArray(value) ? [...(value as string[])] : [String(value)];
};

describe("Pages Router: auth(req, res) / auth(ctx)", () => {
  it("writes the renewed session cookie once per response, however many times auth(ctx) is called", async () => {
    const { default: NextAuth } = await import("../src/next/index.js");
    const { auth } = NextAuth(config());
    const req = { headers: { host: HOST, cookie: `${COOKIE}=${await sessionToken()}` }, url: "/dashboard" };
    const res = pagesResponse();
    // getServerSideProps and a helper it calls (getCurrentUser(ctx)) both read the session.
    expect(await auth({ req, res })).not.toBeNull();
    expect(await auth({ req, res })).not.toBeNull();
    const sessionCookies = setCookies(res).filter((header) => header.startsWith(`${COOKIE}=`));
    expect(sessionCookies).toHaveLength(1);
  });

  it("does not append a renewed session cookie over one the route already put on res (as withCookies does for route handlers)", async () => {
    const { default: NextAuth } = await import("../src/next/index.js");
    const { auth } = NextAuth(config());
    const req = { headers: { host: HOST, cookie: `${COOKIE}=${await sessionToken()}` }, url: "/api/logout" };
    const res = pagesResponse();
    // The API route signs the user out by clearing the cookie, then reads the session (to log who left).
    res.setHeader("Set-Cookie", `${COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax`);
    await auth(req, res);
    const written = setCookies(res).filter((header) => header.startsWith(`${COOKIE}=`));
    // The app's deletion must stay the last word: a renewed cookie after it signs the user back in.
    expect(written).toEqual([`${COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax`]);
  });

  it("returns the session (and drops the cookie) instead of rejecting when the response headers were already sent", async () => {
    const { default: NextAuth } = await import("../src/next/index.js");
    const { auth } = NextAuth(config());
    let outcome: { session?: unknown; error?: unknown } = {};
    const server = createServer((req, res) => {
      void (async () => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("streaming…");
        try {
          outcome = { session: await auth(req, res) };
        } catch (error) {
          outcome = { error };
        }
        res.end();
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await (await fetch(`http://127.0.0.1:${port}/api/stream`, { headers: { cookie: `${COOKIE}=${await sessionToken()}` } })).text();
    } finally {
      server.close();
    }
    expect(outcome.error).toBeUndefined();
    expect(outcome.session).toMatchObject({ user: { name: "Alice" } });
  });
});

describe("bearer mode: an Authorization header of another scheme", () => {
  // A staging site behind HTTP Basic auth (nginx forwards `Authorization: Basic …` upstream) or an
  // app's own API-key scheme: the header is not a bearer token, so the cookie session must count.
  const basic = "Basic dXNlcjpwYXNz";

  it("auth() in a server component still reads the cookie session", async () => {
    const { default: NextAuth } = await import("../src/next/index.js");
    const { auth } = NextAuth(config({ bearer: true }));
    next.headers = new Headers({ host: HOST, authorization: basic });
    next.cookies = new Map([[COOKIE, await sessionToken()]]);
    expect(await auth()).toMatchObject({ user: { name: "Alice" } });
  });

  it("auth((req) => …) in a route handler still sets req.auth from the cookie", async () => {
    const { default: NextAuth } = await import("../src/next/index.js");
    const { auth } = NextAuth(config({ bearer: true }));
    const route = auth((req: NextAuthRequest) => Response.json({ name: req.auth?.user?.name ?? null }));
    const request = new NextRequest(`http://${HOST}/api/me`, { headers: { host: HOST, authorization: basic, cookie: `${COOKIE}=${await sessionToken()}` } });
    expect(await (await route(request, {})).json()).toEqual({ name: "Alice" });
  });
});
