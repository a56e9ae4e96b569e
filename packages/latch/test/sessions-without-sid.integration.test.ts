/**
 * JWT sessions whose token carries no `sid` — a cookie next-auth v5 wrote (latch reads those on
 * purpose), or one a `jwt` callback rebuilt from scratch — are ended like any other, with a
 * revocation store: sign-out ends their refresh families, their bearer tokens and every copy of
 * the cookie, and a reused refresh token ends the session. The engine names such a session by a
 * sid derived from its cookie, keeps it through the callbacks and writes it at renewal.
 */
import { describe, expect, it } from "vitest";
import { createRequestContext, resolveConfig } from "../src/core/config.js";
import { readRequestAuth } from "../src/core/session/read-session.js";
import { decode, encode } from "../src/jwt.js";
import Credentials from "../src/providers/credentials.js";
import { MemoryRefreshTokenStore } from "../src/refresh-tokens/memory.js";
import { MemoryRevocationStore } from "../src/revocation/memory.js";
import type { AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3997";
const SECRET = "sessions-without-sid-secret-of-enough-length-0123456789";
const SESSION_COOKIE = "authjs.session-token";

const alice = { id: "user-alice", name: "Alice", email: "alice@example.com" };

function credentials() {
  return Credentials({
    credentials: { email: { type: "email" }, password: { type: "password" } },
    authorize: ({ email, password }) => (email === alice.email && password === "alice-password" ? { ...alice } : null),
  });
}

/** JWT sessions with a revocation store and refresh tokens: where a session's sid is what ends it. */
function config(extra: Partial<AuthConfig> = {}): AuthConfig {
  return {
    secret: SECRET,
    trustHost: true,
    providers: [credentials()],
    revocation: MemoryRevocationStore(),
    bearer: { bindToBrowser: false, refreshTokens: { store: MemoryRefreshTokenStore() } },
    logger: { error: () => undefined, warn: () => undefined },
    ...extra,
  };
}

/** A browser holding a session cookie next-auth v5 wrote: no sid, no auth_time. */
async function nextAuthBrowser(cfg: AuthConfig): Promise<EngineClient> {
  const client = new EngineClient(ORIGIN, cfg);
  client.jar.set(SESSION_COOKIE, await encode({ token: { sub: alice.id, name: alice.name, email: alice.email }, secret: SECRET, salt: SESSION_COOKIE }));
  return client;
}

function copyOf(client: EngineClient, cfg: AuthConfig): EngineClient {
  const copy = new EngineClient(ORIGIN, cfg);
  for (const [name, value] of client.jar) copy.jar.set(name, value);
  return copy;
}

async function signIn(client: EngineClient): Promise<void> {
  const csrfToken = await client.csrfToken();
  const { response } = await client.fetch("/api/auth/callback/credentials", { form: { csrfToken, email: alice.email, password: "alice-password" } });
  expect(response.status).toBe(303);
}

async function signOut(client: EngineClient): Promise<void> {
  const { response } = await client.fetch("/api/auth/signout", { form: { csrfToken: await client.csrfToken() } });
  expect(response.status).toBe(302);
  expect(response.headers.get("location") ?? "").not.toContain("error");
}

interface TokenBody {
  token: string;
  refreshToken: string;
}

/** `POST /token { offline: true }` from the browser: a bearer token and the first refresh token of a family. */
async function offline(client: EngineClient): Promise<TokenBody> {
  const { response } = await client.fetch("/api/auth/token", { method: "POST", headers: { "x-latch-bearer": "1" }, json: { offline: true } });
  expect(response.status).toBe(200);
  return (await response.json()) as TokenBody;
}

/** The refresh grant from a native client: no cookies, just the refresh token. */
async function refresh(cfg: AuthConfig, refreshToken: string): Promise<{ status: number; body: Partial<TokenBody> & { error?: string } }> {
  const { response } = await new EngineClient(ORIGIN, cfg).fetch("/api/auth/token", { form: { grant_type: "refresh_token", refresh_token: refreshToken } });
  return { status: response.status, body: (await response.json()) as Partial<TokenBody> & { error?: string } };
}

/** What the session is called: the `sid` of a bearer token, or of the browser's session cookie. */
function sidOfBearer(token: string): unknown {
  return (JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>).sid;
}
async function sidOfCookie(client: EngineClient): Promise<unknown> {
  return (await decode({ token: client.jar.get(SESSION_COOKIE) ?? "", secret: SECRET, salt: SESSION_COOKIE }))?.sid;
}

describe("a next-auth session cookie (no sid), with a revocation store", () => {
  it("gets a sid at its first renewal, the one its bearer token and refresh family carry", async () => {
    const cfg = config();
    const browser = await nextAuthBrowser(cfg);
    const issued = await offline(browser);
    const sid = sidOfBearer(issued.token);
    expect(sid).toMatch(/^[0-9a-f]{32}$/);
    expect(await sidOfCookie(browser), "the renewed cookie names the session as the token does").toBe(sid);
    const refreshed = await refresh(cfg, issued.refreshToken);
    expect(refreshed.status).toBe(200);
    expect(sidOfBearer(refreshed.body.token ?? "")).toBe(sid);
  });

  it("sign-out ends the refresh family begun from it", async () => {
    const cfg = config();
    const browser = await nextAuthBrowser(cfg);
    expect(await browser.session()).toMatchObject({ user: { name: "Alice" } });
    const issued = await offline(browser);
    await signOut(browser);
    expect(await browser.session()).toBeNull();
    expect(await refresh(cfg, issued.refreshToken)).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  });

  it("sign-out ends every copy of the cookie, whether the signing-out browser's cookie was renewed first or not", async () => {
    for (const renewFirst of [true, false]) {
      const cfg = config();
      const browser = await nextAuthBrowser(cfg);
      const stolen = copyOf(browser, cfg);
      if (renewFirst) expect(await browser.session()).not.toBeNull();
      await signOut(browser);
      expect(await stolen.session(), `a copy after sign-out (renewed first: ${renewFirst})`).toBeNull();
    }
  });

  it("two requests renewing the same cookie name the session alike: sign-out with either renewed cookie ends the other's family", async () => {
    // As when the page asks for /session and /token at once: the browser keeps whichever cookie
    // arrives last, the family belongs to the other.
    const cfg = config();
    const browser = await nextAuthBrowser(cfg);
    const tokenRequest = copyOf(browser, cfg);
    const issued = await offline(tokenRequest);
    expect(await browser.session()).not.toBeNull();
    await signOut(browser);
    expect((await refresh(cfg, issued.refreshToken)).status).toBe(400);
  });

  it("a reused refresh token ends the session the family came from", async () => {
    const cfg = config();
    const browser = await nextAuthBrowser(cfg);
    const issued = await offline(browser);
    expect((await refresh(cfg, issued.refreshToken)).status).toBe(200);
    expect((await refresh(cfg, issued.refreshToken)).status, "the reuse").toBe(400);
    expect(await browser.session(), "the web session of a reused family").toBeNull();
  });

  it("sign-out ends the bearer tokens issued for it", async () => {
    const cfg = config({ bearer: { bindToBrowser: false } });
    const browser = await nextAuthBrowser(cfg);
    const { response } = await browser.fetch("/api/auth/token", { method: "POST", headers: { "x-latch-bearer": "1" } });
    const { token } = (await response.json()) as TokenBody;
    // What auth() sees for a request from another client carrying the token.
    const resolved = resolveConfig(cfg, {});
    const asBearer = async () => (await readRequestAuth(createRequestContext(resolved, new Headers({ host: new URL(ORIGIN).host }), ORIGIN), `Bearer ${token}`, new Map(), { renew: false })).status;
    expect(await asBearer()).toBe("valid");
    await signOut(browser);
    expect(await asBearer()).toBe("invalid");
  });
});

describe("a jwt callback that rebuilds the token without sid", () => {
  // A common next-auth pattern: build the token from scratch on each call.
  const rebuild: NonNullable<AuthConfig["callbacks"]> = { jwt: ({ token }) => ({ sub: token.sub, name: token.name, email: token.email, role: "user" }) };

  it("keeps the session's sid through the callback when the session is renewed", async () => {
    const cfg = config({ callbacks: rebuild });
    const browser = new EngineClient(ORIGIN, cfg);
    browser.jar.set(SESSION_COOKIE, await encode({ token: { sub: alice.id, name: alice.name, sid: "sid-of-the-sign-in" }, secret: SECRET, salt: SESSION_COOKIE }));
    expect(await browser.session()).not.toBeNull();
    expect(await sidOfCookie(browser)).toBe("sid-of-the-sign-in");
    expect(sidOfBearer((await offline(browser)).token)).toBe("sid-of-the-sign-in");
  });

  it("keeps the sid the sign-in drew: the first cookie names the session, and a copy of it ends with sign-out", async () => {
    const cfg = config({ callbacks: rebuild });
    const browser = new EngineClient(ORIGIN, cfg);
    await signIn(browser);
    const sid = await sidOfCookie(browser);
    expect(sid).toMatch(/^[0-9a-f]{32}$/);
    const copy = copyOf(browser, cfg);
    await signOut(browser);
    expect(await copy.session(), "a copy of the signed-out cookie").toBeNull();
  });

  it("sign-out still ends a refresh family begun after sign-in", async () => {
    const cfg = config({ callbacks: rebuild });
    const browser = new EngineClient(ORIGIN, cfg);
    await signIn(browser);
    const issued = await offline(browser);
    await signOut(browser);
    expect((await refresh(cfg, issued.refreshToken)).status, "refresh after sign-out").toBe(400);
  });
});
