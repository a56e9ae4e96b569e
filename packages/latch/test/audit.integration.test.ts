/**
 * Audit events end to end: the engine with a collecting `audit` sink, the real local OpenID
 * provider, SQLite, and the real refresh-token, revocation and provider-token stores. What it
 * shows: one event per security-relevant step, with the client's address and user agent; the
 * device cookie that tells a new device (and only when auditing); failures, throttling, token
 * refresh and revocation on record; a sink that throws costs nothing but a log line; and no
 * event carries a token or a secret.
 */
import { loginThroughIdP, startLocalIdP, type LocalIdP } from "@latch/local-idp";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import { getResolvedConfig } from "../src/core/config.js";
import { getProviderAccessToken } from "../src/core/provider-tokens.js";
import { CredentialsSignin, EventError } from "../src/errors.js";
import { decode } from "../src/jwt.js";
import { MemoryProviderTokenStore } from "../src/provider-tokens/memory.js";
import Credentials from "../src/providers/credentials.js";
import Email from "../src/providers/email.js";
import OIDC from "../src/providers/oidc.js";
import { MemoryRefreshTokenStore } from "../src/refresh-tokens/memory.js";
import { MemoryRevocationStore } from "../src/revocation/memory.js";
import type { Account, AuditEvent, AuthConfig, CredentialsRateLimit } from "../src/types.js";
import { EngineClient, type SetCookie } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3987";
const SECRET = "audit-test-secret-of-enough-length-0123456789abcdef";
const CLIENT_ID = "latch-audit";
const CLIENT_SECRET = "latch-audit-client-secret";
const DEVICE_COOKIE = "latch.device";
const SESSION_COOKIE = "authjs.session-token";
const quiet = { error: () => undefined, warn: () => undefined };
const alice = { id: "user-alice", name: "Alice", email: "alice@example.com" };

let idp: LocalIdP;

beforeAll(async () => {
  idp = await startLocalIdP({ clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [`${ORIGIN}/api/auth/callback/local`] }] });
});

afterAll(async () => {
  await idp?.close();
});

/** An `audit` sink that keeps every event, and what is new since the last look. */
function collector() {
  const events: AuditEvent[] = [];
  let seen = 0;
  return {
    events,
    audit: (event: AuditEvent) => void events.push(event),
    /** The events since the previous call. */
    fresh(): AuditEvent[] {
      const out = events.slice(seen);
      seen = events.length;
      return out;
    },
  };
}

/** Narrows an event list to one type, for field access without casts. */
function ofType<T extends AuditEvent["type"]>(events: AuditEvent[], type: T): Array<Extract<AuditEvent, { type: T }>> {
  return events.filter((event): event is Extract<AuditEvent, { type: T }> => event.type === type);
}

function oidc() {
  return OIDC({ id: "local", name: "Local", issuer: idp.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
}

/** An OIDC config whose session shows the user id, and which keeps the accounts (with tokens) of every sign-in. */
function oidcConfig(extra: Partial<AuthConfig> = {}, accounts: Account[] = []): AuthConfig {
  return {
    secret: SECRET,
    trustHost: true,
    providers: [oidc()],
    logger: quiet,
    callbacks: {
      jwt({ token, account }) {
        if (account) accounts.push(account);
        return token;
      },
      session({ session, token }) {
        if (session.user) session.user.id = token.sub;
        return session;
      },
    },
    ...extra,
  };
}

function sqliteAdapter() {
  const db = new Database(":memory:");
  migrateSQLite(db);
  return { db, adapter: SQLiteAdapter(db) };
}

/** Signs `login` in through the IdP; `headers` go with the callback request, where the sign-in happens. */
async function oidcSignIn(client: EngineClient, login = "alice", headers: Record<string, string> = {}) {
  const csrfToken = await client.csrfToken();
  const start = await client.fetch("/api/auth/signin/local", { form: { csrfToken, callbackUrl: "/dashboard" } });
  expect(start.response.status).toBe(302);
  const callback = await loginThroughIdP(start.response.headers.get("location") ?? "", login);
  return client.fetch(callback, { headers });
}

async function sessionUserId(client: EngineClient): Promise<string> {
  const session = (await client.session()) as { user?: { id?: string } } | null;
  const id = session?.user?.id;
  if (typeof id !== "string") throw new Error("no signed-in user");
  return id;
}

async function signOut(client: EngineClient) {
  const csrfToken = await client.csrfToken();
  const { response } = await client.fetch("/api/auth/signout", { form: { csrfToken } });
  expect(response.status).toBe(302);
}

class AccountLocked extends CredentialsSignin {
  override code = "account-locked";
}

function credentials(rateLimit?: CredentialsRateLimit | false) {
  return Credentials({
    credentials: { email: { type: "email" }, password: { type: "password" } },
    ...(rateLimit !== undefined ? { rateLimit } : {}),
    authorize: ({ email, password }) => {
      if (email === "locked@example.com") throw new AccountLocked("This account is locked.");
      return email === alice.email && password === "alice-password" ? { ...alice } : null;
    },
  });
}

function credentialsConfig(extra: Partial<AuthConfig> = {}): AuthConfig {
  return { secret: SECRET, trustHost: true, providers: [credentials()], logger: quiet, ...extra };
}

async function credentialsAttempt(client: EngineClient, email: string, password: string, init: { csrf?: boolean; headers?: Record<string, string> } = {}) {
  const form: Record<string, string> = { email, password, callbackUrl: `${ORIGIN}/dashboard` };
  if (init.csrf !== false) form.csrfToken = await client.csrfToken();
  const { response } = await client.fetch("/api/auth/callback/credentials", { form, ...(init.headers ? { headers: init.headers } : {}) });
  return response;
}

const deviceCookieOf = (cookies: SetCookie[]) => cookies.find((cookie) => cookie.name === DEVICE_COOKIE);

describe("sign-in and new devices", () => {
  it("records one sign-in, then one new-device with a 32-hex device id, and sets an HttpOnly, SameSite=Lax device cookie", async () => {
    const sink = collector();
    const { adapter } = sqliteAdapter();
    const browser = new EngineClient(ORIGIN, oidcConfig({ adapter, audit: sink.audit }));
    const before = Date.now();
    const { response, cookies } = await oidcSignIn(browser);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    const userId = await sessionUserId(browser);

    const events = sink.fresh();
    expect(events.map((event) => event.type)).toEqual(["sign-in", "new-device"]);
    const [signIn] = ofType(events, "sign-in");
    const [newDevice] = ofType(events, "new-device");
    expect(signIn).toMatchObject({ userId, provider: "local", providerType: "oidc", isNewUser: true, newDevice: true });
    expect(new Date(signIn!.time).toISOString()).toBe(signIn!.time);
    expect(Date.parse(signIn!.time)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(signIn!.time)).toBeLessThanOrEqual(Date.now() + 1000);
    expect(newDevice).toMatchObject({ userId, provider: "local" });
    expect(newDevice!.deviceId).toMatch(/^[0-9a-f]{32}$/);

    const device = deviceCookieOf(cookies);
    expect(device?.attributes.httponly).toBe(true);
    expect(device?.attributes.samesite).toBe("Lax");
    expect(device?.attributes.path).toBe("/");
    expect(Number(device?.attributes["max-age"])).toBeGreaterThan(365 * 24 * 3600);
    expect(device?.value.split(".")[0]).toBe(newDevice!.deviceId);
    expect(device?.value, "the cookie names no user").not.toContain(userId);
  });

  it("knows the browser at the next sign-in, remembers several users, and tells each one's first sign-in from it", async () => {
    const sink = collector();
    const { adapter } = sqliteAdapter();
    const browser = new EngineClient(ORIGIN, oidcConfig({ adapter, audit: sink.audit }));
    await oidcSignIn(browser, "alice");
    const aliceId = await sessionUserId(browser);
    const [first] = ofType(sink.fresh(), "new-device");

    await oidcSignIn(browser, "alice");
    const again = sink.fresh();
    expect(again.map((event) => event.type)).toEqual(["sign-in"]);
    expect(again[0]).toMatchObject({ userId: aliceId, isNewUser: false, newDevice: false });

    // Another person in the same browser: a sign-in while Alice is signed in would link accounts.
    await signOut(browser);
    sink.fresh();
    await oidcSignIn(browser, "bob");
    const bobId = await sessionUserId(browser);
    expect(bobId).not.toBe(aliceId);
    const bob = sink.fresh();
    expect(bob.map((event) => event.type)).toEqual(["sign-in", "new-device"]);
    expect(bob[0]).toMatchObject({ userId: bobId, isNewUser: true, newDevice: true });
    expect(bob[1]).toMatchObject({ userId: bobId, deviceId: first!.deviceId });

    await signOut(browser);
    sink.fresh();
    await oidcSignIn(browser, "alice");
    const back = sink.fresh();
    expect(back.map((event) => event.type), "the cookie still vouches for the first user").toEqual(["sign-in"]);
    expect(back[0]).toMatchObject({ userId: aliceId, newDevice: false });
  });

  it("takes a device cookie copied to another browser as that device, but a tampered one as a new device", async () => {
    const sink = collector();
    const config = oidcConfig({ audit: sink.audit });
    const original = new EngineClient(ORIGIN, config);
    await oidcSignIn(original);
    sink.fresh();
    const value = original.jar.get(DEVICE_COOKIE) ?? "";
    const [deviceId, tag = ""] = value.split(".");
    expect(tag).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const copy = new EngineClient(ORIGIN, config);
    copy.jar.set(DEVICE_COOKIE, value);
    await oidcSignIn(copy);
    expect(sink.fresh().map((event) => event.type), "control: the untouched copy is known").toEqual(["sign-in"]);

    const tampered = new EngineClient(ORIGIN, config);
    const flipped = `${tag.slice(0, -1)}${tag.endsWith("A") ? "B" : "A"}`;
    tampered.jar.set(DEVICE_COOKIE, `${deviceId}.${flipped}`);
    await oidcSignIn(tampered);
    const events = sink.fresh();
    expect(events.map((event) => event.type)).toEqual(["sign-in", "new-device"]);
    expect(events[0]).toMatchObject({ newDevice: true });
  });

  it("names the device cookie __Host-latch.device over https: Secure, Path=/, no Domain", async () => {
    const sink = collector();
    const secure = new EngineClient("https://app.test", credentialsConfig({ audit: sink.audit }));
    const csrfToken = await secure.csrfToken();
    const { response, cookies } = await secure.fetch("/api/auth/callback/credentials", { form: { csrfToken, email: alice.email, password: "alice-password" } });
    expect(response.status).toBe(303);
    const device = cookies.find((cookie) => cookie.name === "__Host-latch.device");
    expect(device?.attributes).toMatchObject({ secure: true, httponly: true, path: "/", samesite: "Lax" });
    expect(device?.attributes).not.toHaveProperty("domain");
    expect(sink.events.map((event) => event.type)).toEqual(["sign-in", "new-device"]);
    expect(sink.events[0]).toMatchObject({ userId: alice.id, provider: "credentials", providerType: "credentials" });
  });

  it("sets no device cookie when the app does not audit", async () => {
    const plain = new EngineClient(ORIGIN, oidcConfig());
    const { response, cookies } = await oidcSignIn(plain);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    expect(cookies.some((cookie) => cookie.name === SESSION_COOKIE)).toBe(true);
    expect(deviceCookieOf(cookies)).toBeUndefined();
    expect(plain.jar.has(DEVICE_COOKIE)).toBe(false);

    const audited = new EngineClient(ORIGIN, oidcConfig({ audit: () => undefined }));
    expect(deviceCookieOf((await oidcSignIn(audited)).cookies), "control: with audit it is set").toBeDefined();
  });

  it("records the client address from X-Forwarded-For (one trusted proxy) and the User-Agent", async () => {
    const sink = collector();
    const browser = new EngineClient(ORIGIN, oidcConfig({ audit: sink.audit }));
    const userAgent = "Mozilla/5.0 (X11; Linux x86_64) AuditTest/1.0";
    await oidcSignIn(browser, "alice", { "x-forwarded-for": "203.0.113.9, 198.51.100.23", "user-agent": userAgent });
    const events = sink.fresh();
    expect(events).toHaveLength(2);
    for (const event of events) expect(event.request).toEqual({ ip: "198.51.100.23", userAgent });

    const direct = new EngineClient(ORIGIN, oidcConfig({ audit: sink.audit }));
    await oidcSignIn(direct, "alice", { "user-agent": userAgent });
    for (const event of sink.fresh()) expect(event.request, "no address without X-Forwarded-For").toEqual({ userAgent });
  });
});

describe("sign-out", () => {
  it("records sign-out with the user id: JWT sessions", async () => {
    const sink = collector();
    const browser = new EngineClient(ORIGIN, oidcConfig({ audit: sink.audit }));
    await oidcSignIn(browser);
    const userId = await sessionUserId(browser);
    sink.fresh();
    await signOut(browser);
    const events = sink.fresh();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "sign-out", userId });
  });

  it("records sign-out with the user id: database sessions on SQLite", async () => {
    const sink = collector();
    const { adapter, db } = sqliteAdapter();
    const browser = new EngineClient(ORIGIN, oidcConfig({ adapter, audit: sink.audit }));
    await oidcSignIn(browser);
    const userId = await sessionUserId(browser);
    sink.fresh();
    await signOut(browser);
    const events = sink.fresh();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "sign-out", userId });
    expect((db.prepare("SELECT count(*) AS n FROM sessions").get() as { n: number }).n).toBe(0);
  });

  it("records a sign-out without a session with no user id", async () => {
    const sink = collector();
    await signOut(new EngineClient(ORIGIN, oidcConfig({ audit: sink.audit })));
    const events = sink.fresh();
    expect(events).toHaveLength(1);
    expect(events[0]?.type).toBe("sign-out");
    expect(events[0]).not.toHaveProperty("userId");
  });
});

describe("failed sign-ins", () => {
  it("records sign-in-failed, and never sign-in, for refused credentials, a custom code, a refusing signIn callback and a missing CSRF token", async () => {
    const sink = collector();
    const client = new EngineClient(ORIGIN, credentialsConfig({ audit: sink.audit }));
    await credentialsAttempt(client, alice.email, "wrong-password");
    await credentialsAttempt(client, "locked@example.com", "whatever");
    await credentialsAttempt(client, alice.email, "alice-password", { csrf: false });
    const refusing = new EngineClient(ORIGIN, credentialsConfig({ audit: sink.audit, callbacks: { signIn: () => false } }));
    const refused = await credentialsAttempt(refusing, alice.email, "alice-password");
    expect(refused.headers.get("location")).toContain("error=AccessDenied");

    const events = sink.fresh();
    expect(events.map((event) => event.type)).toEqual(["sign-in-failed", "sign-in-failed", "sign-in-failed", "sign-in-failed"]);
    expect(events[0]).toMatchObject({ provider: "credentials", error: "CredentialsSignin", code: "credentials" });
    expect(events[1]).toMatchObject({ provider: "credentials", error: "CredentialsSignin", code: "account-locked" });
    expect(events[2]).toMatchObject({ provider: "credentials", error: "MissingCSRF" });
    expect(events[2]).not.toHaveProperty("code");
    expect(events[3]).toMatchObject({ provider: "credentials", error: "AccessDenied" });
    expect(await client.session()).toBeNull();
  });

  it("records sign-in-failed for an OAuth callback with a wrong state, and no sign-in", async () => {
    const sink = collector();
    const browser = new EngineClient(ORIGIN, oidcConfig({ audit: sink.audit }));
    const csrfToken = await browser.csrfToken();
    const start = await browser.fetch("/api/auth/signin/local", { form: { csrfToken, callbackUrl: "/dashboard" } });
    const callback = new URL(await loginThroughIdP(start.response.headers.get("location") ?? "", "alice"));
    callback.searchParams.set("state", "forged-state-value");
    const { response } = await browser.fetch(callback.href);
    expect(new URL(response.headers.get("location") ?? "").searchParams.get("error")).toBe("Configuration");
    const events = sink.fresh();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "sign-in-failed", provider: "local", error: "InvalidCheck" });
    expect(await browser.session()).toBeNull();
  });

  it("records rate-limited for a throttled attempt, with no sign-in-failed for it", async () => {
    const sink = collector();
    const client = new EngineClient(ORIGIN, credentialsConfig({ audit: sink.audit, providers: [credentials({ account: { max: 2, window: 60 }, source: false })] }));
    await credentialsAttempt(client, alice.email, "wrong-1");
    await credentialsAttempt(client, alice.email, "wrong-2");
    const blocked = await credentialsAttempt(client, alice.email, "alice-password", { headers: { "x-forwarded-for": "198.51.100.77" } });
    expect(blocked.status).toBe(429);
    const events = sink.fresh();
    expect(events.map((event) => event.type)).toEqual(["sign-in-failed", "sign-in-failed", "rate-limited"]);
    const [limited] = ofType(events, "rate-limited");
    expect(limited).toMatchObject({ limit: "credentials", provider: "credentials", request: { ip: "198.51.100.77" } });
    expect(limited!.retryAfter).toBeGreaterThan(0);
    expect(limited!.retryAfter).toBeLessThanOrEqual(60);
  });
});

describe("bearer refresh tokens", () => {
  async function offline(client: EngineClient): Promise<{ token: string; refreshToken: string }> {
    const { response } = await client.fetch("/api/auth/token", { method: "POST", headers: { "x-latch-bearer": "1" }, json: { offline: true } });
    expect(response.status).toBe(200);
    return (await response.json()) as { token: string; refreshToken: string };
  }

  async function refresh(config: AuthConfig, refreshToken: string): Promise<number> {
    const native = new EngineClient(ORIGIN, config);
    const { response } = await native.fetch("/api/auth/token", { form: { grant_type: "refresh_token", refresh_token: refreshToken } });
    return response.status;
  }

  it("records token-refreshed at rotation, token-refresh-failed and session-revoked at reuse, session-revoked at /revoke", async () => {
    const sink = collector();
    const config = credentialsConfig({ audit: sink.audit, bearer: { refreshTokens: { store: MemoryRefreshTokenStore() } }, revocation: MemoryRevocationStore() });
    const phone = new EngineClient(ORIGIN, config);
    expect((await credentialsAttempt(phone, alice.email, "alice-password")).status).toBe(303);
    const issued = await offline(phone);
    sink.fresh();

    expect(await refresh(config, issued.refreshToken)).toBe(200);
    expect(sink.fresh()).toMatchObject([{ type: "token-refreshed", userId: alice.id }]);

    expect(await refresh(config, issued.refreshToken)).toBe(400);
    expect(sink.fresh()).toMatchObject([
      { type: "token-refresh-failed", userId: alice.id, error: "invalid_grant" },
      { type: "session-revoked", userId: alice.id, scope: "session", reason: "refresh-token-reused" },
    ]);

    expect(await refresh(config, "latch_rt_unknown")).toBe(400);
    const unknown = sink.fresh();
    expect(unknown).toMatchObject([{ type: "token-refresh-failed", error: "invalid_grant" }]);
    expect(unknown[0], "an unknown token names no user").not.toHaveProperty("userId");

    const laptop = new EngineClient(ORIGIN, config);
    await credentialsAttempt(laptop, alice.email, "alice-password");
    const laptopTokens = await offline(laptop);
    sink.fresh();
    const native = new EngineClient(ORIGIN, config);
    const { response } = await native.fetch("/api/auth/revoke", { form: { token: laptopTokens.refreshToken } });
    expect(response.status).toBe(200);
    expect(sink.fresh()).toMatchObject([{ type: "session-revoked", userId: alice.id, scope: "session", reason: "client-revoked" }]);
  });
});

describe("provider token refresh against the real IdP", () => {
  it("records token-refreshed for a refreshed provider token, and token-refresh-failed once the grant is revoked", async () => {
    const sink = collector();
    const accounts: Account[] = [];
    const store = MemoryProviderTokenStore();
    // A margin longer than the token's life: every call refreshes, without waiting for expiry.
    const config = oidcConfig({ audit: sink.audit, providerTokens: { store, refreshMargin: 7200 } }, accounts);
    const browser = new EngineClient(ORIGIN, config);
    await oidcSignIn(browser);
    const userId = await sessionUserId(browser);
    sink.fresh();
    const resolved = getResolvedConfig(config);
    const provider = resolved.providers.find((candidate) => candidate.id === "local");
    if (provider?.type !== "oidc" || !resolved.providerTokens) throw new Error("not configured");

    const refreshed = await getProviderAccessToken(resolved, resolved.providerTokens, provider, userId);
    expect(refreshed).toHaveProperty("accessToken");
    expect(refreshed).not.toMatchObject({ accessToken: accounts[0]?.access_token });
    expect(sink.fresh()).toMatchObject([{ type: "token-refreshed", userId, provider: "local" }]);

    const stored = await store.get(userId, "local");
    const revoked = await fetch(`${idp.issuer}/token/revocation`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}` },
      body: new URLSearchParams({ token: stored?.refreshToken ?? "", token_type_hint: "refresh_token" }),
    });
    expect(revoked.status).toBe(200);
    expect(await getProviderAccessToken(resolved, resolved.providerTokens, provider, userId)).toEqual({ error: "RefreshTokenError" });
    expect(sink.fresh()).toMatchObject([{ type: "token-refresh-failed", userId, provider: "local", error: "RefreshTokenError" }]);
  });
});

describe("which token an event is about", () => {
  it("says kind \"refresh-token\" or \"provider\" in token events", async () => {
    const sink = collector();
    const store = MemoryProviderTokenStore();
    const config = oidcConfig({ audit: sink.audit, providers: [oidc(), credentials()], bearer: { refreshTokens: { store: MemoryRefreshTokenStore() } }, providerTokens: { store, refreshMargin: 7200 } });
    const phone = new EngineClient(ORIGIN, config);
    await credentialsAttempt(phone, alice.email, "alice-password");
    const { response } = await phone.fetch("/api/auth/token", { method: "POST", headers: { "x-latch-bearer": "1" }, json: { offline: true } });
    const { refreshToken } = (await response.json()) as { refreshToken: string };
    await new EngineClient(ORIGIN, config).fetch("/api/auth/token", { form: { grant_type: "refresh_token", refresh_token: refreshToken } });
    await new EngineClient(ORIGIN, config).fetch("/api/auth/token", { form: { grant_type: "refresh_token", refresh_token: "latch_rt_unknown" } });

    const browser = new EngineClient(ORIGIN, config);
    await oidcSignIn(browser);
    const resolved = getResolvedConfig(config);
    const provider = resolved.providers.find((candidate) => candidate.id === "local");
    if (provider?.type !== "oidc" || !resolved.providerTokens) throw new Error("not configured");
    expect(await getProviderAccessToken(resolved, resolved.providerTokens, provider, await sessionUserId(browser))).toHaveProperty("accessToken");

    const tokenEvents = [...ofType(sink.events, "token-refreshed"), ...ofType(sink.events, "token-refresh-failed")];
    expect(tokenEvents.map((event) => [event.type, event.kind])).toEqual([
      ["token-refreshed", "refresh-token"],
      ["token-refreshed", "provider"],
      ["token-refresh-failed", "refresh-token"],
    ]);
  });
});

describe("email-proved revocation", () => {
  const unescapeHtml = (value: string) => value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

  /** Opens a sign-in link and presses the landing page's button. */
  async function useLink(client: EngineClient, link: string) {
    const landing = await client.fetch(link);
    const html = await landing.response.text();
    const action = /<form[^>]*action="([^"]+)"[^>]*method="POST"/.exec(html)?.[1];
    if (!action) throw new Error("the landing page has no form");
    const fields: Record<string, string> = {};
    for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[unescapeHtml(name!)] = unescapeHtml(value!);
    return client.fetch(unescapeHtml(action), { form: fields });
  }

  it("records session-revoked (email-proved) when a link proves an address an unverified user held", async () => {
    const sink = collector();
    const links: string[] = [];
    const { adapter } = sqliteAdapter();
    const config: AuthConfig = {
      secret: SECRET,
      trustHost: true,
      adapter,
      logger: quiet,
      audit: sink.audit,
      providers: [Email({ sendVerificationRequest: ({ url }) => void links.push(url) })],
    };
    await adapter.createUser!({ id: "squatted", email: "victim@example.com", emailVerified: null, name: "Squatter" });
    await adapter.createSession!({ sessionToken: "squatter-session", userId: "squatted", expires: new Date(Date.now() + 3_600_000) });

    const requester = new EngineClient(ORIGIN, config);
    await requester.fetch("/api/auth/signin/email", { form: { csrfToken: await requester.csrfToken(), email: "victim@example.com" } });
    expect(links).toHaveLength(1);
    const owner = new EngineClient(ORIGIN, config);
    const { response } = await useLink(owner, links[0]!);
    expect(response.status).toBe(303);
    expect(await adapter.getSessionAndUser!("squatter-session")).toBeNull();

    const events = sink.fresh();
    expect(events.map((event) => event.type)).toEqual(["session-revoked", "sign-in", "new-device"]);
    expect(events[0]).toMatchObject({ userId: "squatted", scope: "user", reason: "email-proved" });
    expect(events[1]).toMatchObject({ userId: "squatted", provider: "email", providerType: "email" });
  });
});

describe("the sink and what it is given", () => {
  it("does not wait for a sink that hangs longer than storeTimeout: the sign-in goes on, the stall is logged", async () => {
    const errors: Error[] = [];
    const browser = new EngineClient(
      ORIGIN,
      oidcConfig({
        storeTimeout: 200,
        logger: { error: (error) => void errors.push(error), warn: () => undefined },
        audit: (event) => (event.type === "sign-in" ? new Promise<void>(() => undefined) : undefined),
      }),
    );
    const { response } = await oidcSignIn(browser);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    expect(await browser.session()).toMatchObject({ user: { name: "Alice" } });
    expect(errors.map((error) => error.message)).toEqual([expect.stringContaining('did not finish a "sign-in" event within 200 ms')]);
  });

  it("goes on with the sign-in when the sink throws, logging it once as EventError", async () => {
    const errors: Error[] = [];
    const delivered: string[] = [];
    const browser = new EngineClient(
      ORIGIN,
      oidcConfig({
        logger: { error: (error) => void errors.push(error), warn: () => undefined },
        audit: (event) => {
          if (event.type === "sign-in") throw new Error("the audit database is down");
          delivered.push(event.type);
        },
      }),
    );
    const { response, cookies } = await oidcSignIn(browser);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    expect(cookies.some((cookie) => cookie.name === SESSION_COOKIE && cookie.value !== "")).toBe(true);
    expect(await browser.session()).toMatchObject({ user: { name: "Alice" } });
    expect(delivered, "later events still reach the sink").toEqual(["new-device"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(EventError);
    expect(errors[0]?.message).toContain('"sign-in"');
    expect((errors[0]?.cause as Error | undefined)?.message).toBe("the audit database is down");
  });

  it("never lets emitting change the outcome: a debug logger that throws costs the debug line, not the sign-in", async () => {
    const sink = collector();
    const browser = new EngineClient(
      ORIGIN,
      oidcConfig({
        debug: true,
        logger: {
          ...quiet,
          debug: () => {
            throw new Error("the log shipper is down");
          },
        },
        audit: sink.audit,
      }),
    );
    const { response } = await oidcSignIn(browser);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    expect(sink.events.map((event) => event.type)).toEqual(["sign-in", "new-device"]);
  });

  it("puts no token, cookie or secret in any event", async () => {
    const sink = collector();
    const accounts: Account[] = [];
    const config = oidcConfig(
      { audit: sink.audit, bearer: { refreshTokens: { store: MemoryRefreshTokenStore() } }, revocation: MemoryRevocationStore(), providers: [oidc(), credentials()] },
      accounts,
    );
    const browser = new EngineClient(ORIGIN, config);
    await oidcSignIn(browser, "alice", { "user-agent": "AuditTest/1.0" });
    const sessionCookie = browser.jar.get(SESSION_COOKIE) ?? "";
    const claims = await decode({ token: sessionCookie, secret: SECRET, salt: SESSION_COOKIE });
    expect(claims?.sub).toBeTypeOf("string");
    const { response } = await browser.fetch("/api/auth/token", { method: "POST", headers: { "x-latch-bearer": "1" }, json: { offline: true } });
    const issued = (await response.json()) as { token: string; refreshToken: string };
    const native = new EngineClient(ORIGIN, config);
    await native.fetch("/api/auth/token", { form: { grant_type: "refresh_token", refresh_token: issued.refreshToken } });
    await native.fetch("/api/auth/token", { form: { grant_type: "refresh_token", refresh_token: issued.refreshToken } });
    await credentialsAttempt(new EngineClient(ORIGIN, config), alice.email, "alice-password-wrong");
    await signOut(browser);

    expect(sink.events.map((event) => event.type)).toEqual(["sign-in", "new-device", "token-refreshed", "token-refresh-failed", "session-revoked", "sign-in-failed", "sign-out"]);
    const account = accounts[0];
    const secrets = {
      sessionCookie,
      deviceCookie: browser.jar.get(DEVICE_COOKIE) ?? "",
      accessToken: String(account?.access_token),
      refreshToken: String(account?.refresh_token),
      idToken: String(account?.id_token),
      bearerToken: issued.token,
      latchRefreshToken: issued.refreshToken,
      clientSecret: CLIENT_SECRET,
      authSecret: SECRET,
    };
    const serialized = JSON.stringify(sink.events);
    for (const [name, value] of Object.entries(secrets)) {
      expect(value.length, name).toBeGreaterThan(20);
      expect(serialized.includes(value), name).toBe(false);
    }
  });
});
