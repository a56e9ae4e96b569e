/**
 * What the proxies let through unjudged (latch's own routes, not every path under basePath) and
 * what the lean proxy keeps when a jwt callback rebuilds the token (the iat latch's engine issued),
 * on both proxies and both cryptographies.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { PROXY_MAKERS } from "./helpers/proxy-makers.js";
import { RUNTIMES, issuedSession, request, type ProxyFn } from "./helpers/proxy-requests.js";
import { decode, encode } from "../src/jwt.js";
import EngineNextAuth from "../src/next/index.js";
import type { NextAuthConfig } from "../src/next/types.js";
import { createProxyAuth } from "../src/proxy/create-proxy-auth.js";
import { MemoryRevocationStore } from "../src/revocation/memory.js";
import type { JWT } from "../src/types.js";

const SECRET = "proxy-own-routes-secret-of-enough-length-0123456789";
const SALT = "authjs.session-token";
const quiet = { error: () => undefined, warn: () => undefined };

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

/**
 * isOwnRoute (proxy-gate.ts:120-131) lets through every path under latch's basePath, tested as
 * `pathname === basePath || pathname.startsWith(basePath + "/")`. With `basePath: "/"` (which the
 * engine supports: parseAction, configuredSite, createRequestContext all special-case it):
 * - "/" itself counts as latch's route, so `authorized` never runs for the home page (fail open);
 * - latch's real routes (/signin, /callback/…) do not, so a signed-out visitor is sent from
 *   /signin to /signin forever.
 */
describe.each(PROXY_MAKERS)("%s with basePath '/'", (_name, make) => {
  const config = (): NextAuthConfig => ({ secret: SECRET, trustHost: true, basePath: "/", providers: [], logger: quiet, callbacks: { authorized: ({ auth }) => !!auth } });

  it("lets latch's own sign-in route /signin through (no redirect loop)", async () => {
    const proxy = make(config(), {});
    const response = await proxy(request("/signin"));
    // Today: 307 to http://127.0.0.1:3000/signin?callbackUrl=…/signin — the very page asked for.
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.get("x-middleware-next")).toBe("1");
  });

  it("runs authorized for the home page '/', which is not a latch route", async () => {
    const proxy = make(config(), {});
    const response = await proxy(request("/"));
    // Today: x-middleware-next, the signed-out visitor gets the page.
    expect(response.status).toBe(307);
    expect(response.headers.get("x-middleware-next")).toBeNull();
  });
});

/**
 * The same prefix test makes every app route under /api/auth (a static route next to
 * [...nextauth], e.g. app/api/auth/me/route.ts, which Next routes before the catch-all) skip
 * `authorized`. next-auth v5's handleAuth runs `authorized` there (it only avoids redirecting the
 * sign-in page to itself), and docs/migrating-from-next-auth.md does not list this difference.
 */
describe.each(PROXY_MAKERS)("%s: an app route under /api/auth", (_name, make) => {
  it("is judged by authorized like any other route", async () => {
    const proxy = make({ secret: SECRET, trustHost: true, providers: [], logger: quiet, callbacks: { authorized: ({ auth }) => !!auth } }, {});
    const response = await proxy(request("/api/auth/me", { accept: "application/json" }));
    expect(response.status).toBe(401);
  });
});

/**
 * lightCodec.encode (session-codec.ts:166) keeps `iat` only when the payload it is given carries
 * one — and that payload is what the app's `jwt` callback returned. A callback that rebuilds the
 * token from the fields it cares about (readJwtCookie restores `sid` for exactly that case, and
 * `auth_time` with absoluteMaxAge, but not `iat`) makes the lean proxy stamp a fresh `iat` on
 * every renewal, i.e. vouch for a token it never checked against the revocation store. The
 * engine's staleness check (jwt-session.ts:51) then accepts a revoked session once the store
 * has forgotten the revocation — what docs/protected-routes.md says cannot happen.
 */
describe.each(RUNTIMES)("latch/proxy on %s with a jwt callback that rebuilds the token", (_name, jwe) => {
  const DAY = 86_400;
  const rebuild = ({ token }: { token: JWT }): JWT => ({ sub: token.sub, name: token.name, sid: token.sid, auth_time: token.auth_time });
  const authorized = ({ auth }: { auth: unknown }) => !!auth;

  it("keeps the iat latch's engine issued, so a revoked session stays refused after the store forgot it", async () => {
    const store = MemoryRevocationStore();
    const engine = EngineNextAuth({ secret: SECRET, trustHost: true, providers: [], logger: quiet, revocation: store, callbacks: { jwt: rebuild, authorized } }).auth as ProxyFn;
    const lean = createProxyAuth({ secret: SECRET, trustHost: true, providers: [], logger: quiet, callbacks: { jwt: rebuild, authorized } }, { jwe, env: () => ({}) }).auth;

    const start = Math.floor(Date.now() / 1000);
    vi.useFakeTimers({ toFake: ["Date"], now: start * 1000 });
    // Issued by the engine at sign-in; then signed out (a copied cookie is revoked until its exp).
    let token = await encode({ token: { sub: "u1", name: "Alice", sid: "sid-1", auth_time: start }, secret: SECRET, salt: SALT });
    await store.revokeSession("sid-1", new Date((start + 30 * DAY) * 1000));
    expect((await engine(request("/dashboard", { cookie: `${SALT}=${token}` }))).status).toBe(307);

    // The thief's copy is kept alive by the lean proxy, which does not ask the store.
    for (const day of [20, 40]) {
      vi.setSystemTime((start + day * DAY) * 1000);
      const response = await lean(request("/dashboard", { cookie: `${SALT}=${token}` }));
      expect(response.headers.get("x-middleware-next"), `day ${day}`).toBe("1");
      token = issuedSession(response) ?? "";
    }
    // Day 40: the store kept the revocation until day 30. The engine must still refuse the cookie
    // (today it lets it through: x-middleware-next).
    const late = await engine(request("/dashboard", { cookie: `${SALT}=${token}` }));
    expect.soft(late.status).toBe(307);
    // Today: iat is day 40, the proxy's own renewal.
    expect((await decode({ token, secret: SECRET, salt: SALT }))?.iat).toBeLessThanOrEqual(start + 1);
  });
});

describe("the proxies' list of latch's actions", () => {
  it("is the engine's route table, action for action (the lean proxy cannot import the engine)", async () => {
    const { ROUTES } = await import("../src/core/handle-request.js");
    const { LATCH_ACTIONS } = await import("../src/next/proxy-gate.js");
    expect([...LATCH_ACTIONS].sort()).toEqual(Object.keys(ROUTES).sort());
  });
});
