/**
 * `session.absoluteMaxAge`: a JWT session lasts at most that long from its sign-in (`auth_time`),
 * however often it is renewed — through the engine's session route, the lean proxy
 * (`latch/proxy`), bearer tokens and refresh-token families. Real sign-ins with the credentials
 * provider, real cookies and tokens; the clock is moved with fake `Date` only.
 */
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import { createRequestContext, resolveConfig } from "../src/core/config.js";
import { readRequestAuth } from "../src/core/session/read-session.js";
import { decode, encode } from "../src/jwt.js";
import type { NextAuthConfig } from "../src/next/types.js";
import { createProxyAuth } from "../src/proxy/create-proxy-auth.js";
import Credentials from "../src/providers/credentials.js";
import { MemoryRefreshTokenStore } from "../src/refresh-tokens/memory.js";
import { SQLiteRefreshTokenStore } from "../src/refresh-tokens/sqlite.js";
import type { RefreshTokenStore } from "../src/refresh-tokens/types.js";
import type { AuthConfig, JWT, SessionOptions } from "../src/types.js";
import { EngineClient, type SetCookie } from "./helpers/engine-client.js";
import { RUNTIMES, issuedSession, logged, recordingLogger, request as proxyRequest, setCookies, type ProxyFn } from "./helpers/proxy-requests.js";

const ORIGIN = "http://127.0.0.1:3989";
const SECRET = "absolute-lifetime-test-secret-of-enough-length-0123456789";
const SALT = "authjs.session-token";
const FINGERPRINT = "latch.bearer-fingerprint";
const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** A whole second, so that cookie and token lifetimes come out exact. */
const START = Math.floor(Date.now() / 1000) * 1000;
const T0 = START / 1000;

const alice = { id: "user-alice", name: "Alice", email: "alice@example.com" };
const quiet = { error: () => undefined, warn: () => undefined };

function credentials() {
  return Credentials({
    credentials: { email: { type: "email" }, password: { type: "password" } },
    authorize: ({ email, password }) => (email === alice.email && password === "alice-password" ? { ...alice } : null),
  });
}

function config(session: SessionOptions | undefined, extra: Partial<AuthConfig> = {}): AuthConfig {
  return { secret: SECRET, trustHost: true, providers: [credentials()], logger: quiet, ...(session ? { session } : {}), ...extra };
}

/** Sets the (fake) clock to `seconds` since the epoch. */
function at(seconds: number): void {
  vi.setSystemTime(seconds * 1000);
}

function nowSeconds(): number {
  return Date.now() / 1000;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: START });
});

afterEach(() => {
  vi.useRealTimers();
});

/** Signs Alice in with the credentials provider; returns the cookies the sign-in set. */
async function signIn(client: EngineClient): Promise<SetCookie[]> {
  const csrfToken = await client.csrfToken();
  const { response, cookies } = await client.fetch("/api/auth/callback/credentials", { form: { csrfToken, email: alice.email, password: "alice-password" } });
  expect(response.status).toBe(303);
  expect(client.jar.get(SALT)).toBeTruthy();
  return cookies;
}

async function signedIn(cfg: AuthConfig): Promise<{ client: EngineClient; cookies: SetCookie[] }> {
  const client = new EngineClient(ORIGIN, cfg);
  const cookies = await signIn(client);
  return { client, cookies };
}

async function claimsOf(token: string | undefined): Promise<JWT> {
  const claims = await decode({ token, secret: SECRET, salt: SALT });
  if (!claims) throw new Error("no session token");
  return claims;
}

function sessionCookieIn(cookies: readonly SetCookie[]): SetCookie | undefined {
  return cookies.find((c) => c.name === SALT);
}

/**
 * Seconds a set cookie lives from now, as a browser reads it: Max-Age when given, else Expires
 * (latch writes session cookies with Expires). `undefined` without either.
 */
function lifetimeOf(cookie: SetCookie | undefined): number | undefined {
  const maxAge = cookie?.attributes["max-age"];
  if (typeof maxAge === "string") return Number(maxAge);
  const expires = cookie?.attributes.expires;
  return typeof expires === "string" ? (Date.parse(expires) - Date.now()) / 1000 : undefined;
}

interface SessionBody {
  user: { name: string | null; email: string | null };
  expires: string;
}

/** `GET /session`: the session, and the session cookie the answer set (renewed or cleared). */
async function read(client: EngineClient): Promise<{ session: SessionBody | null; cookie: SetCookie | undefined; status: number }> {
  const { response, cookies } = await client.fetch("/api/auth/session");
  return { session: (await response.json()) as SessionBody | null, cookie: sessionCookieIn(cookies), status: response.status };
}

/**
 * Checks a renewed cookie against the idle and absolute lifetimes: Max-Age, Expires, the token's
 * `exp` and `session.expires` are all `min(now + maxAge, end)`.
 */
async function expectRenewedUntil(result: Awaited<ReturnType<typeof read>>, expected: { maxAge: number; end: number | undefined; authTime?: number }): Promise<JWT> {
  const now = nowSeconds();
  const until = expected.end === undefined ? now + expected.maxAge : Math.min(now + expected.maxAge, expected.end);
  expect(result.session, `a session at +${now - T0}s`).not.toBeNull();
  const cookie = result.cookie;
  expect(cookie, "the cookie is renewed").toBeDefined();
  expect(lifetimeOf(cookie)).toBe(until - now);
  expect(Date.parse(String(cookie?.attributes.expires))).toBe(until * 1000);
  const claims = await claimsOf(cookie?.value);
  expect(claims.exp).toBe(until);
  expect(Date.parse(result.session?.expires ?? "")).toBe(until * 1000);
  if (expected.end !== undefined) {
    expect(claims.exp ?? Infinity).toBeLessThanOrEqual(expected.end);
    expect(Date.parse(cookie?.attributes.expires === undefined ? "" : String(cookie.attributes.expires))).toBeLessThanOrEqual(expected.end * 1000);
    expect(Date.parse(result.session?.expires ?? "")).toBeLessThanOrEqual(expected.end * 1000);
  }
  if (expected.authTime !== undefined) expect(claims.auth_time).toBe(expected.authTime);
  return claims;
}

function expectCleared(result: Awaited<ReturnType<typeof read>>, client: EngineClient): void {
  expect(result.status).toBe(200);
  expect(result.session).toBeNull();
  expect(result.cookie?.attributes["max-age"], "the session cookie is cleared").toBe("0");
  expect(client.jar.has(SALT)).toBe(false);
}

/** A browser holding `token` as its session cookie. */
function holding(cfg: AuthConfig, token: string): EngineClient {
  const client = new EngineClient(ORIGIN, cfg);
  client.jar.set(SALT, token);
  return client;
}

/** A session token as next-auth v5 (or latch before auth_time) issued it: no `auth_time`. */
async function legacyToken(maxAge = HOUR): Promise<string> {
  return encode({ token: { sub: "user-legacy", name: "Legacy", email: "legacy@example.com", picture: null }, secret: SECRET, salt: SALT, maxAge });
}

describe("the engine's JWT sessions", () => {
  it("renewals keep the session alive only until auth_time + absoluteMaxAge; then a read ends it though it was renewed a minute before", async () => {
    const cfg = config({ maxAge: HOUR, absoluteMaxAge: 4 * HOUR });
    const { client, cookies } = await signedIn(cfg);
    const signInCookie = sessionCookieIn(cookies);
    const first = await claimsOf(signInCookie?.value);
    expect(first.auth_time).toBe(T0);
    const end = T0 + 4 * HOUR;
    // The idle lifetime is the shorter at sign-in: a full hour.
    expect(lifetimeOf(signInCookie)).toBe(HOUR);
    expect(first.exp).toBe(T0 + HOUR);

    for (const minutes of [50, 100, 150, 200, 230, 239]) {
      at(T0 + minutes * MINUTE);
      await expectRenewedUntil(await read(client), { maxAge: HOUR, end, authTime: T0 });
    }
    // The renewal at 239 minutes gave one minute, not an hour.
    const lastRenewed = client.jar.get(SALT) ?? "";
    expect((await claimsOf(lastRenewed)).exp).toBe(end);

    // One second past the end (within the codec's 15 s clock tolerance for `exp`).
    at(end + 1);
    const copy = holding(cfg, lastRenewed);
    expectCleared(await read(client), client);
    expectCleared(await read(copy), copy);
  });

  it("ends exactly at the end, not a second later", async () => {
    const cfg = config({ maxAge: HOUR, absoluteMaxAge: 2 * HOUR });
    const { client } = await signedIn(cfg);
    for (const minutes of [55, 110]) {
      at(T0 + minutes * MINUTE);
      await expectRenewedUntil(await read(client), { maxAge: HOUR, end: T0 + 2 * HOUR, authTime: T0 });
    }
    at(T0 + 2 * HOUR - 1);
    await expectRenewedUntil(await read(client), { maxAge: HOUR, end: T0 + 2 * HOUR, authTime: T0 });
    at(T0 + 2 * HOUR);
    expectCleared(await read(client), client);
  });

  it("caps the sign-in cookie and token when absoluteMaxAge is shorter than maxAge", async () => {
    const cfg = config({ absoluteMaxAge: 2 * HOUR }); // maxAge: the default 30 days
    const { client, cookies } = await signedIn(cfg);
    const end = T0 + 2 * HOUR;
    const cookie = sessionCookieIn(cookies);
    expect(lifetimeOf(cookie)).toBe(2 * HOUR);
    expect(Date.parse(String(cookie?.attributes.expires))).toBe(end * 1000);
    const claims = await claimsOf(cookie?.value);
    expect(claims).toMatchObject({ sub: alice.id, auth_time: T0, exp: end });

    at(T0 + HOUR);
    await expectRenewedUntil(await read(client), { maxAge: 30 * DAY, end, authTime: T0 });
    at(end + 1);
    expectCleared(await read(client), client);
  });

  it("ends a cookie issued before absoluteMaxAge was set at auth_time + absoluteMaxAge, though its exp is weeks away", async () => {
    const before = config(undefined); // 30-day sessions, no absolute lifetime
    const { client } = await signedIn(before);
    const token = client.jar.get(SALT) ?? "";
    expect((await claimsOf(token)).exp).toBe(T0 + 30 * DAY);
    at(T0 + 5 * HOUR);
    const after = config({ absoluteMaxAge: 4 * HOUR });
    const refused = holding(after, token);
    expectCleared(await read(refused), refused);
    // Control: the same cookie is a session without the setting.
    const kept = holding(before, token);
    expect((await read(kept)).session).not.toBeNull();
  });

  it("a non-renewing read (auth() in a server component) reports the capped expiry and refuses past the end", async () => {
    const cfg = config({ absoluteMaxAge: 2 * HOUR });
    const { client } = await signedIn(cfg);
    const cookie = client.jar.get(SALT) ?? "";
    const resolved = resolveConfig(cfg, {});
    const readOnce = async () => {
      const ctx = createRequestContext(resolved, new Headers({ host: new URL(ORIGIN).host }), ORIGIN);
      return readRequestAuth(ctx, null, new Map([[SALT, cookie]]), { renew: false });
    };
    at(T0 + HOUR);
    const inside = await readOnce();
    expect(inside.cookies).toEqual([]);
    expect(Date.parse(inside.session?.expires ?? "")).toBe((T0 + 2 * HOUR) * 1000);
    at(T0 + 2 * HOUR + 1);
    const past = await readOnce();
    expect(past.session).toBeNull();
    expect(past.status).toBe("invalid");
  });
});

describe("a token without auth_time (a next-auth v5 cookie)", () => {
  it("is accepted, counts from when it was issued (its iat), which its first renewing read stamps as auth_time", async () => {
    const cfg = config({ maxAge: HOUR, absoluteMaxAge: 2 * HOUR });
    at(T0);
    const legacy = await legacyToken();
    const issued = (await claimsOf(legacy)).iat;
    expect(issued).toBe(T0);
    expect((await claimsOf(legacy)).auth_time).toBeUndefined();
    const client = holding(cfg, legacy);

    // Not from the first read: a later start would let the token outlive a revocation cut-off.
    const end = T0 + 2 * HOUR;
    at(T0 + 10 * MINUTE);
    const stamped = await expectRenewedUntil(await read(client), { maxAge: HOUR, end, authTime: T0 });
    expect(stamped).toMatchObject({ sub: "user-legacy", name: "Legacy" });

    // Later reads keep that time: it is not stamped anew from the renewed token's iat.
    at(T0 + 60 * MINUTE);
    await expectRenewedUntil(await read(client), { maxAge: HOUR, end, authTime: T0 });
    at(T0 + 100 * MINUTE);
    const capped = await read(client);
    await expectRenewedUntil(capped, { maxAge: HOUR, end, authTime: T0 });
    expect(lifetimeOf(capped.cookie)).toBe(20 * MINUTE);

    at(end + 1);
    expectCleared(await read(client), client);
  });

  it("without absoluteMaxAge, renews for the full maxAge, keeping as its sign-in time when it was issued (revocation cut-offs count from it)", async () => {
    const cfg = config({ maxAge: HOUR });
    const client = holding(cfg, await legacyToken());
    for (const minutes of [10, 60, 110, 160, 210]) {
      at(T0 + minutes * MINUTE);
      const claims = await expectRenewedUntil(await read(client), { maxAge: HOUR, end: undefined });
      // Not moved by renewals: a session renewed after signOutEverywhere() did not begin after it.
      expect(claims.auth_time).toBe(T0);
      expect(claims.sub).toBe("user-legacy");
    }
  });
});

describe("without absoluteMaxAge", () => {
  it("a signed-in session renewed every 50 minutes lives on for days, each renewal a full maxAge", async () => {
    const cfg = config({ maxAge: HOUR });
    const { client, cookies } = await signedIn(cfg);
    expect(lifetimeOf(sessionCookieIn(cookies))).toBe(HOUR);
    for (let minutes = 50; minutes <= 3 * 24 * 60; minutes += 50) {
      at(T0 + minutes * MINUTE);
      const result = await read(client);
      expect(lifetimeOf(result.cookie), `renewal at ${minutes} minutes`).toBe(HOUR);
      expect(result.session).not.toBeNull();
    }
    expect((await claimsOf(client.jar.get(SALT))).auth_time).toBe(T0);
  });
});

describe("jwt callbacks and auth_time", () => {
  it("a callback that returns a new object without auth_time does not restart the lifetime", async () => {
    const cfg = config(
      { maxAge: HOUR, absoluteMaxAge: 4 * HOUR },
      {
        callbacks: {
          jwt: ({ token, user }) => {
            if (user) return token;
            const { auth_time: _dropped, ...rest } = token;
            return { ...rest, role: "member" };
          },
        },
      },
    );
    const { client } = await signedIn(cfg);
    const end = T0 + 4 * HOUR;
    for (const minutes of [50, 100, 150, 200]) {
      at(T0 + minutes * MINUTE);
      const claims = await expectRenewedUntil(await read(client), { maxAge: HOUR, end, authTime: T0 });
      expect(claims.role).toBe("member");
    }
    at(end + 1);
    expectCleared(await read(client), client);
  });

  it("a callback that sets an old auth_time ends the session at once", async () => {
    const cfg = config(
      { maxAge: HOUR, absoluteMaxAge: 2 * HOUR },
      { callbacks: { jwt: ({ token, user }) => (user ? token : { ...token, auth_time: T0 - 2 * HOUR }) } },
    );
    const { client } = await signedIn(cfg);
    at(T0 + MINUTE);
    expectCleared(await read(client), client);
  });

  it("a callback that sets a later auth_time (a step-up sign-in on update) starts the lifetime anew", async () => {
    const cfg = config(
      { maxAge: HOUR, absoluteMaxAge: 2 * HOUR },
      { callbacks: { jwt: ({ token, trigger }) => (trigger === "update" ? { ...token, auth_time: Math.floor(Date.now() / 1000) } : token) } },
    );
    const { client } = await signedIn(cfg);
    at(T0 + 50 * MINUTE);
    await expectRenewedUntil(await read(client), { maxAge: HOUR, end: T0 + 2 * HOUR, authTime: T0 });
    at(T0 + 100 * MINUTE);
    const csrfToken = await client.csrfToken();
    const { response, cookies } = await client.fetch("/api/auth/session", { json: { csrfToken, data: { stepUp: true } } });
    const stepUp = T0 + 100 * MINUTE;
    await expectRenewedUntil({ session: (await response.json()) as SessionBody | null, cookie: sessionCookieIn(cookies), status: response.status }, { maxAge: HOUR, end: stepUp + 2 * HOUR, authTime: stepUp });
    at(T0 + 2 * HOUR + 1); // past the first sign-in's end, within the step-up's
    await expectRenewedUntil(await read(client), { maxAge: HOUR, end: stepUp + 2 * HOUR, authTime: stepUp });
  });

  it("a callback that drops auth_time at sign-in too: the sign-in cookie is still capped and the lifetime counts from sign-in", async () => {
    // An Auth.js-style callback that builds its own token at every call, sign-in included.
    const cfg = config(
      { absoluteMaxAge: 2 * HOUR },
      {
        callbacks: {
          jwt: ({ token }) => {
            const { auth_time: _dropped, ...rest } = token;
            return rest;
          },
        },
      },
    );
    const { client, cookies } = await signedIn(cfg);
    const cookie = sessionCookieIn(cookies);
    expect.soft(lifetimeOf(cookie), "the sign-in cookie lives at most absoluteMaxAge").toBe(2 * HOUR);
    expect.soft((await claimsOf(cookie?.value)).auth_time, "the sign-in time is kept").toBe(T0);
    // Three hours after sign-in, well within maxAge (30 days) but past the absolute lifetime.
    at(T0 + 3 * HOUR);
    const late = await read(client);
    expect.soft(late.session, "no session 3 hours after sign-in").toBeNull();
    expect.soft(late.cookie?.attributes["max-age"], "the cookie is cleared").toBe("0");
  });
});

describe("configuration", () => {
  const invalid: Array<[string, unknown]> = [
    ["0", 0],
    ["-1", -1],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["-Infinity", Number.NEGATIVE_INFINITY],
    ['"3600" (a string)', "3600"],
  ];

  async function failingRequests(cfg: AuthConfig): Promise<{ errors: Error[] }> {
    const { errors, logger } = recordingLogger();
    const withLogger: AuthConfig = { ...cfg, logger };
    // A browser holding a cookie that is valid in every other respect.
    const cookie = await encode({ token: { sub: alice.id, name: "Alice", auth_time: T0 }, secret: SECRET, salt: SALT, maxAge: HOUR });
    const client = holding(withLogger, cookie);

    const session = await client.fetch("/api/auth/session");
    expect(session.response.status).toBe(500);
    expect(await session.response.json()).toMatchObject({ error: "Configuration" });
    expect(sessionCookieIn(session.cookies), "the cookie is neither renewed nor read").toBeUndefined();

    const page = await client.fetch("/api/auth/signin");
    expect(page.response.status).toBe(500);
    expect(page.response.headers.get("content-type")).toContain("text/html");

    // Nobody can sign in either.
    const signInAttempt = await new EngineClient(ORIGIN, withLogger).fetch("/api/auth/callback/credentials", {
      form: { csrfToken: "none", email: alice.email, password: "alice-password" },
    });
    expect(signInAttempt.response.status).toBe(500);
    expect(sessionCookieIn(signInAttempt.cookies)).toBeUndefined();
    return { errors };
  }

  it.each(invalid)("absoluteMaxAge %s: every request fails with an error naming session.absoluteMaxAge, and no session is given", async (_what, value) => {
    const { errors } = await failingRequests(config({ maxAge: HOUR, absoluteMaxAge: value as number }));
    expect(errors.length).toBeGreaterThan(0);
    expect(logged(errors)).toContain("session.absoluteMaxAge must be a positive number of seconds");
  });

  it.each(invalid)("absoluteMaxAge %s: the error says what value it refused", async (what, value) => {
    const { errors } = await failingRequests(config({ absoluteMaxAge: value as number }));
    const shown = typeof value === "string" ? JSON.stringify(value) : String(value);
    expect(logged(errors), `the message for ${what}`).toContain(`not ${shown}`);
  });

  it("accepts an adapter with JWT sessions", async () => {
    const db = new Database(":memory:");
    migrateSQLite(db);
    const cfg = config({ strategy: "jwt", maxAge: HOUR, absoluteMaxAge: 2 * HOUR }, { adapter: SQLiteAdapter(db) });
    const { client, cookies } = await signedIn(cfg);
    expect((await claimsOf(sessionCookieIn(cookies)?.value)).auth_time).toBe(T0);
    for (const minutes of [50, 100]) {
      at(T0 + minutes * MINUTE);
      await expectRenewedUntil(await read(client), { maxAge: HOUR, end: T0 + 2 * HOUR, authTime: T0 });
    }
  });
});

describe.each(RUNTIMES)("latch/proxy on %s", (_runtime, jwe) => {
  function proxyOf(session: SessionOptions | undefined, logger: NextAuthConfig["logger"] = quiet): ProxyFn {
    const cfg: NextAuthConfig = {
      secret: SECRET,
      trustHost: true,
      logger,
      providers: [],
      ...(session ? { session } : {}),
      callbacks: { authorized: ({ auth }) => !!auth },
    };
    return createProxyAuth(cfg, { jwe, env: () => ({}) }).auth;
  }

  async function tokenWith(claims: JWT, maxAge = HOUR): Promise<string> {
    return encode({ token: { sub: "u1", name: "Alice", email: "alice@example.test", ...claims }, secret: SECRET, salt: SALT, maxAge });
  }

  it("renews within the lifetime, the cookie and token capped at auth_time + absoluteMaxAge", async () => {
    const authTime = T0 - 90 * MINUTE;
    const end = authTime + 2 * HOUR;
    const response = await proxyOf({ maxAge: HOUR, absoluteMaxAge: 2 * HOUR })(proxyRequest("/dashboard", { cookie: `${SALT}=${await tokenWith({ auth_time: authTime })}` }));
    expect(response.status).toBe(200);
    const set = setCookies(response).find((c) => c.name === SALT);
    expect(lifetimeOf(set)).toBe(30 * MINUTE);
    expect(Date.parse(String(set?.attributes.expires))).toBe(end * 1000);
    const renewed = await claimsOf(issuedSession(response));
    expect(renewed).toMatchObject({ sub: "u1", auth_time: authTime, exp: end });
  });

  it("refuses a session past its end: the request is signed out and the cookie cleared, though the token's exp is later", async () => {
    const cookie = `${SALT}=${await tokenWith({ auth_time: T0 - 2 * HOUR - 1 })}`;
    const page = await proxyOf({ maxAge: HOUR, absoluteMaxAge: 2 * HOUR })(proxyRequest("/dashboard", { cookie }));
    expect(page.status).toBe(307);
    expect(issuedSession(page)).toBeUndefined();
    expect(setCookies(page).find((c) => c.name === SALT)?.attributes["max-age"], "the cookie is cleared").toBe("0");
    const api = await proxyOf({ maxAge: HOUR, absoluteMaxAge: 2 * HOUR })(proxyRequest("/api/data", { cookie, accept: "application/json" }));
    expect(api.status).toBe(401);
    // Control: without the setting the same cookie is a session.
    const control = await proxyOf({ maxAge: HOUR })(proxyRequest("/dashboard", { cookie }));
    expect(control.status).toBe(200);
    expect(issuedSession(control)).toBeDefined();
  });

  it("stamps auth_time on a token without one, and keeps it across its renewals", async () => {
    const proxy = proxyOf({ maxAge: HOUR, absoluteMaxAge: 2 * HOUR });
    const first = await proxy(proxyRequest("/dashboard", { cookie: `${SALT}=${await tokenWith({})}` }));
    expect(first.status).toBe(200);
    const stamped = issuedSession(first);
    expect(await claimsOf(stamped)).toMatchObject({ auth_time: T0, exp: T0 + HOUR });
    at(T0 + 50 * MINUTE);
    const second = await proxy(proxyRequest("/dashboard", { cookie: `${SALT}=${stamped ?? ""}` }));
    expect(second.status).toBe(200);
    expect(await claimsOf(issuedSession(second))).toMatchObject({ auth_time: T0, exp: T0 + 110 * MINUTE });
    at(T0 + 100 * MINUTE);
    const third = await proxy(proxyRequest("/dashboard", { cookie: `${SALT}=${issuedSession(second) ?? ""}` }));
    expect(third.status).toBe(200);
    expect(lifetimeOf(setCookies(third).find((c) => c.name === SALT))).toBe(20 * MINUTE);
    expect(await claimsOf(issuedSession(third))).toMatchObject({ auth_time: T0, exp: T0 + 2 * HOUR });
    at(T0 + 2 * HOUR + 1);
    const fourth = await proxy(proxyRequest("/dashboard", { cookie: `${SALT}=${issuedSession(third) ?? ""}` }));
    expect(fourth.status).toBe(307);
    expect(issuedSession(fourth)).toBeUndefined();
  });

  it("renews a cookie the engine issued, and the engine then refuses it at the same end", async () => {
    const cfg = config({ maxAge: HOUR, absoluteMaxAge: 2 * HOUR });
    const { client } = await signedIn(cfg);
    const proxy = proxyOf({ maxAge: HOUR, absoluteMaxAge: 2 * HOUR });
    at(T0 + 50 * MINUTE);
    expect((await read(client)).session).not.toBeNull();
    at(T0 + 100 * MINUTE);
    const renewed = await proxy(proxyRequest("/dashboard", { cookie: client.cookieHeader() }));
    expect(renewed.status).toBe(200);
    const token = issuedSession(renewed) ?? "";
    expect(await claimsOf(token)).toMatchObject({ sub: alice.id, auth_time: T0, exp: T0 + 2 * HOUR });
    at(T0 + 2 * HOUR + 1);
    const browser = holding(cfg, token);
    expectCleared(await read(browser), browser);
  });

  it.each([
    ["0", 0],
    ["NaN", Number.NaN],
    ['"3600"', "3600"],
  ])("an invalid absoluteMaxAge (%s) is refused, not ignored: logged, and the request signed out", async (_what, value) => {
    const { errors, logger } = recordingLogger();
    const proxy = proxyOf({ maxAge: HOUR, absoluteMaxAge: value as unknown as number }, logger);
    const response = await proxy(proxyRequest("/dashboard", { cookie: `${SALT}=${await tokenWith({ auth_time: T0 })}` }));
    expect(response.status).toBe(307);
    expect(issuedSession(response)).toBeUndefined();
    expect(logged(errors)).toContain("session.absoluteMaxAge must be a positive number of seconds");
  });
});

describe("bearer tokens", () => {
  interface Issued {
    token: string;
    expiresAt: string;
    expiresIn: number;
    refreshToken?: string;
    refreshTokenExpiresAt?: string;
    error?: string;
    message?: string;
  }

  async function requestToken(client: EngineClient, json?: unknown): Promise<{ status: number; body: Issued; cookies: SetCookie[] }> {
    const { response, cookies } = await client.fetch("/api/auth/token", { method: "POST", headers: { "x-latch-bearer": "1" }, ...(json !== undefined ? { json } : {}) });
    return { status: response.status, body: (await response.json()) as Issued, cookies };
  }

  /** What `auth()` would see for a request carrying this bearer token (and the browser's fingerprint cookie). */
  async function bearerSession(cfg: AuthConfig, token: string, fingerprint = "") {
    const resolved = resolveConfig(cfg, {});
    const ctx = createRequestContext(resolved, new Headers({ host: new URL(ORIGIN).host }), ORIGIN);
    return readRequestAuth(ctx, `Bearer ${token}`, new Map(fingerprint ? [[FINGERPRINT, fingerprint]] : []), { renew: false });
  }

  function payloadOf(token: string): { exp?: number; auth_time?: number } {
    return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { exp?: number; auth_time?: number };
  }

  it("near the end, POST /token gives a token that expires at the session's end, and the session cookie is capped too", async () => {
    const cfg = config({ maxAge: HOUR, absoluteMaxAge: 2 * HOUR }, { bearer: true });
    const { client } = await signedIn(cfg);
    const end = T0 + 2 * HOUR;
    for (const minutes of [50, 100]) {
      at(T0 + minutes * MINUTE);
      expect((await read(client)).session).not.toBeNull();
    }
    at(end - 5 * MINUTE);
    const issued = await requestToken(client);
    expect(issued.status).toBe(200);
    expect(payloadOf(issued.body.token)).toMatchObject({ exp: end, auth_time: T0 });
    expect(Date.parse(issued.body.expiresAt)).toBe(end * 1000);
    expect(issued.body.expiresIn).toBe(5 * MINUTE);
    expect(lifetimeOf(sessionCookieIn(issued.cookies))).toBe(5 * MINUTE);

    const fingerprint = client.jar.get(FINGERPRINT) ?? "";
    at(end - 1);
    expect((await bearerSession(cfg, issued.body.token, fingerprint)).session).not.toBeNull();
  });

  it("a bearer token used after the session's end gives no session, even one issued before absoluteMaxAge was set", async () => {
    const before = config({ maxAge: HOUR }, { bearer: true });
    const { client } = await signedIn(before);
    for (const minutes of [50, 100]) {
      at(T0 + minutes * MINUTE);
      expect((await read(client)).session).not.toBeNull();
    }
    at(T0 + 115 * MINUTE);
    const issued = await requestToken(client);
    expect(issued.status).toBe(200);
    expect(payloadOf(issued.body.token).exp, "10 minutes: no absolute lifetime then").toBe(T0 + 125 * MINUTE);
    const fingerprint = client.jar.get(FINGERPRINT) ?? "";

    const after = config({ maxAge: HOUR, absoluteMaxAge: 2 * HOUR }, { bearer: true });
    at(T0 + 2 * HOUR + 1);
    const refused = await bearerSession(after, issued.body.token, fingerprint);
    expect(refused.session).toBeNull();
    expect(refused.status).toBe("invalid");
    // Control: the token itself is still valid.
    expect((await bearerSession(before, issued.body.token, fingerprint)).session).not.toBeNull();
  });

  const stores: Array<[string, () => RefreshTokenStore]> = [
    ["memory", () => MemoryRefreshTokenStore()],
    ["SQLite", () => SQLiteRefreshTokenStore(new Database(":memory:"))],
  ];

  describe.each(stores)("refresh tokens in %s", (_store, makeStore) => {
    async function refresh(cfg: AuthConfig, refreshToken: string | undefined): Promise<{ status: number; body: Issued }> {
      const { response } = await new EngineClient(ORIGIN, cfg).fetch("/api/auth/token", { form: { grant_type: "refresh_token", refresh_token: String(refreshToken) } });
      return { status: response.status, body: (await response.json()) as Issued };
    }

    it("the family ends with the session: refreshTokenExpiresAt and every token's exp ≤ the end, and a refresh after it is invalid_grant", async () => {
      const cfg = config({ maxAge: HOUR, absoluteMaxAge: 2 * HOUR }, { bearer: { refreshTokens: { store: makeStore() } } });
      const { client } = await signedIn(cfg);
      const end = T0 + 2 * HOUR;
      at(T0 + 50 * MINUTE);
      expect((await read(client)).session).not.toBeNull();
      at(T0 + 100 * MINUTE);
      const first = await requestToken(client, { offline: true });
      expect(first.status).toBe(200);
      // The idle lifetime (one hour) would reach past the session's end.
      expect(Date.parse(first.body.refreshTokenExpiresAt ?? "")).toBe(end * 1000);
      expect(payloadOf(first.body.token).exp).toBe(T0 + 110 * MINUTE);

      at(T0 + 115 * MINUTE);
      const second = await refresh(cfg, first.body.refreshToken);
      expect(second.status).toBe(200);
      expect(Date.parse(second.body.refreshTokenExpiresAt ?? "")).toBeLessThanOrEqual(end * 1000);
      expect(payloadOf(second.body.token)).toMatchObject({ exp: end, auth_time: T0 });
      expect(second.body.expiresIn).toBe(5 * MINUTE);

      at(end + 1);
      const late = await refresh(cfg, second.body.refreshToken);
      expect(late.status).toBe(400);
      expect(late.body.error).toBe("invalid_grant");
    });

    it("a family begun before absoluteMaxAge was set is refused after the session's end (invalid_grant)", async () => {
      const store = makeStore();
      const before = config({ maxAge: HOUR }, { bearer: { refreshTokens: { store } } });
      const { client } = await signedIn(before);
      at(T0 + 50 * MINUTE);
      expect((await read(client)).session).not.toBeNull();
      at(T0 + 100 * MINUTE);
      const first = await requestToken(client, { offline: true });
      expect(first.status).toBe(200);
      expect(Date.parse(first.body.refreshTokenExpiresAt ?? "")).toBe((T0 + 160 * MINUTE) * 1000);

      const after = config({ maxAge: HOUR, absoluteMaxAge: 2 * HOUR }, { bearer: { refreshTokens: { store } } });
      at(T0 + 2 * HOUR + 1);
      const refused = await refresh(after, first.body.refreshToken);
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe("invalid_grant");
      expect(refused.body.message).toContain("has ended");
    });

    it("control: without absoluteMaxAge the same refresh succeeds past that time", async () => {
      const cfg = config({ maxAge: HOUR }, { bearer: { refreshTokens: { store: makeStore() } } });
      const { client } = await signedIn(cfg);
      at(T0 + 50 * MINUTE);
      expect((await read(client)).session).not.toBeNull();
      at(T0 + 100 * MINUTE);
      const first = await requestToken(client, { offline: true });
      expect(first.status).toBe(200);
      at(T0 + 2 * HOUR + 1);
      const refreshed = await refresh(cfg, first.body.refreshToken);
      expect(refreshed.status).toBe(200);
      expect(payloadOf(refreshed.body.token).exp).toBe(T0 + 2 * HOUR + 1 + 10 * MINUTE);
    });
  });
});

describe("database sessions", () => {
  /** The SQLite adapter with Alice stored, and a config with database sessions renewed at every read. */
  function databaseSetup(session: SessionOptions, extra: Partial<AuthConfig> = {}) {
    const db = new Database(":memory:");
    migrateSQLite(db);
    const adapter = SQLiteAdapter(db);
    db.prepare(`INSERT INTO users (id, name, email) VALUES (?, ?, ?)`).run(alice.id, alice.name, alice.email);
    const cfg = config({ strategy: "database", updateAge: 0, ...session }, { adapter, ...extra });
    const rows = () => db.prepare(`SELECT "sessionToken" AS key, expires FROM sessions`).all() as Array<{ key: string; expires: number }>;
    return { db, adapter, cfg, rows };
  }

  /** Checks a renewed database session: Max-Age, Expires, the row and `session.expires` are all `min(now + maxAge, end)`. */
  function expectRowUntil(result: Awaited<ReturnType<typeof read>>, rows: Array<{ expires: number }>, until: number): void {
    const now = nowSeconds();
    expect(result.session, `a session at +${now - T0}s`).not.toBeNull();
    expect(lifetimeOf(result.cookie)).toBe(until - now);
    expect(Date.parse(result.session?.expires ?? "")).toBe(until * 1000);
    expect(rows.map((row) => row.expires)).toEqual([until * 1000]);
  }

  it("the token says when the session began; renewals stop at that time + absoluteMaxAge, and then the row is deleted", async () => {
    const { cfg, rows } = databaseSetup({ maxAge: HOUR, absoluteMaxAge: 2 * HOUR });
    const { client, cookies } = await signedIn(cfg);
    const token = sessionCookieIn(cookies)?.value ?? "";
    expect(token).toMatch(new RegExp(`^[0-9a-f]{64}\\.s${T0}$`));
    expect(lifetimeOf(sessionCookieIn(cookies))).toBe(HOUR);
    // The row is stored under the hash of the whole token: the time cannot be edited apart from it.
    expect(rows()[0]?.key).toMatch(/^h1\./);
    expect(rows()[0]?.key).not.toContain(String(T0));

    at(T0 + 50 * MINUTE);
    expectRowUntil(await read(client), rows(), T0 + 110 * MINUTE);
    at(T0 + 100 * MINUTE);
    expectRowUntil(await read(client), rows(), T0 + 2 * HOUR);
    at(T0 + 110 * MINUTE);
    expectRowUntil(await read(client), rows(), T0 + 2 * HOUR);

    at(T0 + 2 * HOUR);
    expectCleared(await read(client), client);
    expect(rows()).toEqual([]);
  });

  it("caps the sign-in when absoluteMaxAge is shorter than maxAge", async () => {
    const { cfg, rows } = databaseSetup({ maxAge: DAY, absoluteMaxAge: HOUR });
    const { client, cookies } = await signedIn(cfg);
    expect(lifetimeOf(sessionCookieIn(cookies))).toBe(HOUR);
    expect(rows().map((row) => row.expires)).toEqual([(T0 + HOUR) * 1000]);
    at(T0 + HOUR - 1);
    expect((await read(client)).session).not.toBeNull();
    at(T0 + HOUR);
    expect((await read(client)).session).toBeNull();
  });

  it("a token whose time was edited names no row: no session, the cookie is cleared, the real session is untouched", async () => {
    const { cfg, rows } = databaseSetup({ maxAge: HOUR, absoluteMaxAge: 2 * HOUR });
    const { client } = await signedIn(cfg);
    const token = client.jar.get(SALT) ?? "";
    at(T0 + 50 * MINUTE);
    expect((await read(client)).session).not.toBeNull();
    at(T0 + 100 * MINUTE);
    for (const edited of [token.replace(`.s${T0}`, `.s${T0 + 100 * MINUTE}`), token.replace(`.s${T0}`, ""), `${token}.s${T0 + 100 * MINUTE}`]) {
      const forged = holding(cfg, edited);
      expectCleared(await read(forged), forged);
    }
    expect(rows()).toHaveLength(1);
    expect((await read(client)).session).not.toBeNull();
  });

  it("a session begun before absoluteMaxAge was set is no longer renewed: it ends when its row expires", async () => {
    const before = databaseSetup({ maxAge: HOUR });
    const { client } = await signedIn(before.cfg);
    expect(client.jar.get(SALT)).toMatch(/^[0-9a-f]{64}$/);
    const after = { ...before.cfg, session: { ...before.cfg.session, absoluteMaxAge: 12 * HOUR } };
    const browser = holding(after, client.jar.get(SALT) ?? "");
    at(T0 + 30 * MINUTE);
    const result = await read(browser);
    expect(result.session).not.toBeNull();
    expect(Date.parse(result.session?.expires ?? "")).toBe((T0 + HOUR) * 1000);
    expect(before.rows().map((row) => row.expires)).toEqual([(T0 + HOUR) * 1000]);
    at(T0 + HOUR);
    expect((await read(browser)).session).toBeNull();
    // Signing in again gives a token that says when it began, renewed as usual.
    at(T0 + HOUR + MINUTE);
    const again = await signedIn(after);
    expect(again.client.jar.get(SALT)).toMatch(new RegExp(`\\.s${T0 + HOUR + MINUTE}$`));
    at(T0 + 2 * HOUR);
    expect(lifetimeOf((await read(again.client)).cookie)).toBe(HOUR);
  });

  it("such a session counts from its last renewal when absoluteMaxAge is shorter than what is left of it", async () => {
    const before = databaseSetup({ maxAge: DAY });
    const { client } = await signedIn(before.cfg);
    const after = { ...before.cfg, session: { ...before.cfg.session, absoluteMaxAge: HOUR } };
    const browser = holding(after, client.jar.get(SALT) ?? "");
    at(T0 + HOUR - 1);
    const last = await read(browser);
    expect(last.session).not.toBeNull();
    // The app and the cookie see that end, not the row's expiry a day later.
    expect(Date.parse(last.session?.expires ?? "")).toBe((T0 + HOUR) * 1000);
    expect(lifetimeOf(last.cookie)).toBe(1);
    at(T0 + HOUR);
    expect((await read(browser)).session).toBeNull();
    expect(before.rows()).toEqual([]);
  });

  it("a next-auth session, after a migration that also lowers maxAge, counts from its first read, not when its 30-day row expires", async () => {
    const { adapter, cfg, rows } = databaseSetup({ maxAge: DAY, absoluteMaxAge: 12 * HOUR });
    // next-auth (30-day maxAge) renewed it just now, under the raw token.
    const token = crypto.randomUUID();
    await adapter.createSession?.({ sessionToken: token, userId: alice.id, expires: new Date((T0 + 30 * DAY) * 1000) });
    const browser = holding(cfg, token);
    const first = await read(browser);
    expect(first.session).not.toBeNull();
    expect(Date.parse(first.session?.expires ?? "")).toBe((T0 + 12 * HOUR) * 1000);
    // Its row is cut to the new maxAge, so the session counts from this first read and stays put.
    expect(rows().map((row) => row.expires)).toEqual([(T0 + DAY) * 1000]);
    at(T0 + 12 * HOUR - 1);
    expect((await read(browser)).session).not.toBeNull();
    at(T0 + 12 * HOUR);
    expect((await read(browser)).session).toBeNull();
    at(T0 + 5 * DAY);
    expect((await read(browser)).session).toBeNull();
  });

  it("a token that ends in .s and a time ahead of the clock (a custom generateSessionToken's) is no stamp: it is not renewed past its row", async () => {
    const { adapter, cfg } = databaseSetup({ maxAge: DAY, absoluteMaxAge: 12 * HOUR });
    const token = `${crypto.randomUUID()}.s999999999999`;
    await adapter.createSession?.({ sessionToken: token, userId: alice.id, expires: new Date((T0 + DAY) * 1000) });
    const browser = holding(cfg, token);
    let signedInUntil = T0;
    for (let hours = 1; hours <= 240; hours += 11) {
      at(T0 + hours * HOUR);
      if ((await read(browser)).session !== null) signedInUntil = T0 + hours * HOUR;
    }
    // Counted from its last renewal (its expiry less maxAge: T0), however often it is used.
    expect(signedInUntil).toBeLessThan(T0 + 12 * HOUR);
  });

  it("bearer and refresh tokens of a database session end with it", async () => {
    const { cfg } = databaseSetup({ maxAge: HOUR, absoluteMaxAge: 2 * HOUR }, { bearer: { refreshTokens: { store: MemoryRefreshTokenStore() } } });
    const { client } = await signedIn(cfg);
    const end = T0 + 2 * HOUR;
    at(T0 + 50 * MINUTE);
    expect((await read(client)).session).not.toBeNull();
    at(T0 + 100 * MINUTE);
    const { response } = await client.fetch("/api/auth/token", { method: "POST", headers: { "x-latch-bearer": "1" }, json: { offline: true } });
    expect(response.status).toBe(200);
    const issued = (await response.json()) as { token: string; refreshToken: string; refreshTokenExpiresAt: string };
    const payload = JSON.parse(Buffer.from(issued.token.split(".")[1] ?? "", "base64url").toString()) as { exp?: number; auth_time?: number };
    expect(payload).toMatchObject({ exp: T0 + 110 * MINUTE, auth_time: T0 });
    expect(Date.parse(issued.refreshTokenExpiresAt)).toBe(end * 1000);

    at(end + 1);
    const late = await new EngineClient(ORIGIN, cfg).fetch("/api/auth/token", { form: { grant_type: "refresh_token", refresh_token: issued.refreshToken } });
    expect(late.response.status).toBe(400);
    expect(await late.response.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("without absoluteMaxAge nothing changes: a plain token, renewed for the full maxAge", async () => {
    const { cfg, rows } = databaseSetup({ maxAge: HOUR });
    const { client } = await signedIn(cfg);
    expect(client.jar.get(SALT)).toMatch(/^[0-9a-f]{64}$/);
    for (const minutes of [50, 100, 150, 200]) {
      at(T0 + minutes * MINUTE);
      expectRowUntil(await read(client), rows(), T0 + (minutes + 60) * MINUTE);
    }
  });
});
