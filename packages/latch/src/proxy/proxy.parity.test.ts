/**
 * The lean proxy answers as `auth` from `latch/next` does: the same requests — paths, methods,
 * Accept and RSC headers, valid, expired and forged cookies, latch's own routes — through both
 * proxies with the same config give the same status, redirect, challenge, caching, cookies set
 * (names and attributes; the encrypted values differ) and headers handed to the rendering.
 */
import { describe, expect, it, vi } from "vitest";
import { RUNTIMES, request, setCookies, type ProxyFn } from "../../test/helpers/proxy-requests.js";
import { encode } from "../jwt.js";
import EngineNextAuth from "../next/index.js";
import type { NextAuthConfig } from "../next/types.js";
import { createProxyAuth } from "./create-proxy-auth.js";

const SECRET = "parity-secret-of-enough-length-0123456789";
const SALT = "authjs.session-token";
const quiet = { error: () => undefined, warn: () => undefined };

const configs: Array<[string, () => NextAuthConfig]> = [
  ["authorized: !!auth", () => ({ secret: SECRET, trustHost: true, providers: [], logger: quiet, callbacks: { authorized: ({ auth }) => !!auth } })],
  ["no authorized callback", () => ({ secret: SECRET, trustHost: true, providers: [], logger: quiet })],
  [
    "custom pages and basePath, a role check answering a Response",
    () => ({
      secret: SECRET,
      trustHost: true,
      providers: [],
      logger: quiet,
      basePath: "/auth",
      pages: { signIn: "/login" },
      callbacks: {
        jwt: ({ token }) => ({ ...token, role: token.email === "admin@example.test" ? "admin" : "member" }),
        session: ({ session, token }) => ({ ...session, role: token.role }),
        authorized({ request: req, auth }) {
          if (req.nextUrl.pathname.startsWith("/admin")) return auth && (auth as { role?: unknown }).role === "admin" ? true : Response.redirect(new URL("/", req.url), 302);
          return auth !== null;
        },
      },
    }),
  ],
  ["no secret", () => ({ trustHost: true, providers: [], logger: quiet, callbacks: { authorized: ({ auth }) => !!auth } })],
];

async function cookies(): Promise<Record<string, string | undefined>> {
  const valid = await encode({ token: { name: "Alice", email: "alice@example.test", sub: "u1" }, secret: SECRET, salt: SALT });
  return {
    none: undefined,
    valid: `${SALT}=${valid}`,
    admin: `${SALT}=${await encode({ token: { name: "Root", email: "admin@example.test", sub: "u0" }, secret: SECRET, salt: SALT })}`,
    expired: `${SALT}=${await encode({ token: { name: "Alice" }, secret: SECRET, salt: SALT, maxAge: -60 })}`,
    forged: `${SALT}=${valid.slice(0, -4)}AAAA`,
    "valid and stale chunks": `${SALT}=${valid}; ${SALT}.0=x; ${SALT}.1=y; other=1`,
  };
}

const requests: Array<[path: string, headers: Record<string, string>, method: string]> = [
  ["/dashboard?tab=1", {}, "GET"],
  ["/dashboard", { accept: "*/*" }, "GET"],
  ["/dashboard", { rsc: "1", accept: "*/*" }, "GET"],
  ["/dashboard", { "next-action": "abc", accept: "text/x-component" }, "POST"],
  ["/admin/users", {}, "GET"],
  ["/api/private/data", {}, "GET"],
  ["/api/private/data", { accept: "application/json" }, "DELETE"],
  ["/api/auth/session", {}, "GET"],
  ["/auth/signin", {}, "GET"],
  ["/login", {}, "GET"],
  ["/", { host: "internal:3000", "x-forwarded-host": "public.example", "x-forwarded-proto": "https" }, "GET"],
];

/** What a proxy's answer says, without what is random (the encrypted cookie values, their expiry). */
async function answer(response: Response): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = {};
  for (const name of ["location", "www-authenticate", "cache-control", "x-middleware-next", "x-middleware-override-headers", "x-middleware-request-x-latch-url", "content-type"]) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  const downstream = response.headers.get("x-middleware-request-cookie");
  return {
    status: response.status,
    headers,
    cookiesSet: setCookies(response).map((c) => ({ name: c.name, emptied: c.value === "", attributes: Object.keys(c.attributes).sort(), maxAge: c.attributes["max-age"] })),
    downstreamCookies: downstream?.split("; ").map((pair) => pair.split("=")[0]),
    body: response.status === 401 ? await response.text() : undefined,
  };
}

describe.each(RUNTIMES)("the lean proxy on %s answers as latch/next's proxy", (_name, jwe) => {
  it.each(configs)("with %s", async (_what, makeConfig) => {
    vi.stubEnv("AUTH_SECRET", "");
    try {
      const engine = EngineNextAuth(makeConfig()).auth as ProxyFn;
      const lean = createProxyAuth(makeConfig(), { jwe }).auth;
      let compared = 0;
      for (const [cookieName, cookie] of Object.entries(await cookies())) {
        for (const [path, headers, method] of requests) {
          const withCookie = cookie === undefined ? headers : { ...headers, cookie };
          const theirs = await answer(await engine(request(path, withCookie, method)));
          const ours = await answer(await lean(request(path, withCookie, method)));
          expect(ours, `${method} ${path} ${JSON.stringify(headers)} with ${cookieName} cookie`).toEqual(theirs);
          compared++;
        }
      }
      expect(compared).toBe(66);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
