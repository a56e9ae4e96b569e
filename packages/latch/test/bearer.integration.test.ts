/**
 * Bearer tokens through the engine and the Next.js layer: issuance for a cookie session, offline
 * verification against the JWKS, browser binding, refusal of every other token kind and of
 * malformed headers, revocation, rotation, database sessions.
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import Database from "better-sqlite3";
import { createLocalJWKSet, decodeProtectedHeader, exportJWK, jwtVerify, SignJWT, UnsecuredJWT, type JWK } from "jose";
import { NextRequest } from "next/server";
import * as oauth from "oauth4webapi";
import { describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import { parseAuthorization } from "../src/core/bearer.js";
import { createRequestContext, resolveConfig } from "../src/core/config.js";
import { Auth } from "../src/index.js";
import { storedSessionKey } from "../src/core/session/database-session.js";
import { readRequestAuth } from "../src/core/session/read-session.js";
import { encode } from "../src/jwt.js";
import NextAuth from "../src/next/index.js";
import type { NextAuthRequest } from "../src/next/types.js";
import Credentials from "../src/providers/credentials.js";
import { MemoryRefreshTokenStore } from "../src/refresh-tokens/memory.js";
import { SQLiteRefreshTokenStore } from "../src/refresh-tokens/sqlite.js";
import { SQLiteRevocationStore } from "../src/revocation/sqlite.js";
import type { AuditEvent, AuthConfig, SigningJwk } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3998";
const SECRET = "bearer-test-secret-of-enough-length-0123456789";
const OLD_SECRET = "bearer-test-old-secret-of-enough-length-9876543210";
const FINGERPRINT = "latch.bearer-fingerprint";
// NextRequest rewrites a 127.0.0.1 URL to localhost; the Host header keeps the origin the tokens name.
const HOST = new URL(ORIGIN).host;

const alice = { id: "user-alice", name: "Alice", email: "alice@example.com" };
/** What a refresh-token store is keyed by (the engine hashes tokens with a label). */
const refreshTokenHash = (token: string) => createHash("sha256").update(`latch.refresh:${token}`).digest("hex");

function credentials() {
  return Credentials({
    credentials: { email: { type: "email" }, password: { type: "password" } },
    authorize: ({ email, password }) => (email === alice.email && password === "alice-password" ? { ...alice } : null),
  });
}

function config(extra: Partial<AuthConfig> = {}): AuthConfig {
  return { secret: SECRET, trustHost: true, bearer: true, providers: [credentials()], logger: { error: () => undefined, warn: () => undefined }, ...extra };
}

async function signIn(client: EngineClient): Promise<void> {
  const csrfToken = await client.csrfToken();
  const { response } = await client.fetch("/api/auth/callback/credentials", { form: { csrfToken, email: alice.email, password: "alice-password" } });
  expect(response.status).toBe(303);
}

interface Issued {
  token: string;
  tokenType: string;
  expiresAt: string;
  expiresIn: number;
  session: { user: { name: string } };
}

async function requestToken(client: EngineClient, headers: Record<string, string> = { "x-latch-bearer": "1" }) {
  const { response, cookies } = await client.fetch("/api/auth/token", { method: "POST", headers });
  return { response, cookies, body: (await response.json()) as Issued & { error?: string } };
}

/** What `auth()` would see for a request with these headers. */
async function sessionFor(cfg: AuthConfig, headers: { authorization?: string; cookie?: string }) {
  const resolved = resolveConfig(cfg, {});
  const ctx = createRequestContext(resolved, new Headers({ host: new URL(ORIGIN).host }), ORIGIN);
  const cookies = new Map<string, string>();
  for (const part of (headers.cookie ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name) cookies.set(name, decodeURIComponent(value.join("=")));
  }
  return readRequestAuth(ctx, headers.authorization ?? null, cookies, { renew: false });
}

async function signedInWithToken(cfg: AuthConfig = config()) {
  const client = new EngineClient(ORIGIN, cfg);
  await signIn(client);
  const issued = await requestToken(client);
  expect(issued.response.status).toBe(200);
  const fingerprint = client.jar.get(FINGERPRINT) ?? "";
  return { client, token: issued.body.token, issued, fingerprint, cookie: `${FINGERPRINT}=${fingerprint}` };
}

describe("issuing bearer tokens", () => {
  it("issues a 10-minute at+jwt for the cookie session, verifiable offline against the JWKS", async () => {
    const { client, token, issued } = await signedInWithToken();
    expect(issued.body).toMatchObject({ tokenType: "Bearer", session: { user: { name: "Alice" } } });
    expect(issued.body.expiresIn).toBeGreaterThan(590);
    expect(issued.body.expiresIn).toBeLessThanOrEqual(600);

    const jwks = await client.fetch("/api/auth/jwks");
    expect(jwks.response.headers.get("cache-control")).toBe("public, max-age=300");
    const keySet = (await jwks.response.json()) as { keys: JWK[] };
    expect(keySet.keys).toHaveLength(1);
    expect(keySet.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
    expect(keySet.keys[0]).not.toHaveProperty("d");

    // What another service does: verify with the published keys only.
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(keySet), { issuer: `${ORIGIN}/api/auth`, audience: ORIGIN, typ: "at+jwt" });
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", typ: "at+jwt", kid: keySet.keys[0]?.kid });
    expect(payload).toMatchObject({ sub: alice.id, name: "Alice", email: alice.email });
    expect(typeof payload.sid).toBe("string");
    expect(typeof payload.jti).toBe("string");
    expect(payload.fgp).toMatch(/^[0-9a-f]{64}$/);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600);
  });

  it("binds the token to the browser with an HttpOnly, SameSite=Strict fingerprint cookie", async () => {
    const { issued, fingerprint } = await signedInWithToken();
    const cookie = issued.cookies.find((c) => c.name === FINGERPRINT);
    expect(cookie?.attributes).toMatchObject({ httponly: true, samesite: "Strict", path: "/" });
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it("keeps the fingerprint across tokens, so every tab's token stays valid", async () => {
    const { client, fingerprint, token } = await signedInWithToken();
    const second = await requestToken(client);
    expect(client.jar.get(FINGERPRINT)).toBe(fingerprint);
    const cfg = client.config;
    expect((await sessionFor(cfg, { authorization: `Bearer ${token}`, cookie: `${FINGERPRINT}=${fingerprint}` })).session).not.toBeNull();
    expect((await sessionFor(cfg, { authorization: `Bearer ${second.body.token}`, cookie: `${FINGERPRINT}=${fingerprint}` })).session).not.toBeNull();
  });

  it("refuses without a session (401), without the request header or from another origin (403)", async () => {
    const anonymous = new EngineClient(ORIGIN, config());
    expect((await requestToken(anonymous)).response.status).toBe(401);
    const client = new EngineClient(ORIGIN, config());
    await signIn(client);
    expect((await requestToken(client, {})).response.status).toBe(403);
    expect((await requestToken(client, { "x-latch-bearer": "1", origin: "https://evil.example" })).response.status).toBe(403);
    expect((await requestToken(client, { "x-latch-bearer": "1", "sec-fetch-site": "cross-site" })).response.status).toBe(403);
    expect((await requestToken(client, { "x-latch-bearer": "1", origin: ORIGIN, "sec-fetch-site": "same-origin" })).response.status).toBe(200);
    const get = await client.fetch("/api/auth/token");
    expect(get.response.status).toBe(405);
  });

  it("answers 404 on /token and /jwks when bearer tokens are off", async () => {
    const client = new EngineClient(ORIGIN, config({ bearer: undefined }));
    await signIn(client);
    expect((await requestToken(client)).response.status).toBe(404);
    expect((await client.fetch("/api/auth/jwks")).response.status).toBe(404);
  });

  it("copies the claims the app chooses, but never lets them override latch's", async () => {
    const { token } = await signedInWithToken(
      config({
        callbacks: { jwt: ({ token: t }) => ({ ...t, role: "admin", secretish: "server-only" }) },
        bearer: { claims: (t) => ({ role: t.role, sub: "someone-else", exp: 1 }) },
      }),
    );
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;
    expect(claims.role).toBe("admin");
    expect(claims.sub).toBe(alice.id);
    expect(Number(claims.exp)).toBeGreaterThan(Date.now() / 1000);
    expect(claims).not.toHaveProperty("secretish");
  });
});

describe("accepting bearer tokens", () => {
  it("gives the session for a valid token with its fingerprint cookie, shaped by the session callback", async () => {
    const cfg = config({ callbacks: { session: ({ session, token }) => ({ ...session, user: { ...session.user, id: token.sub } }) } });
    const { token, cookie } = await signedInWithToken(cfg);
    const result = await sessionFor(cfg, { authorization: `Bearer ${token}`, cookie });
    expect(result.status).toBe("valid");
    expect(result.session).toMatchObject({ user: { id: alice.id, name: "Alice", email: alice.email } });
    expect(result.cookies).toEqual([]);
  });

  it("refuses a copied token without this browser's fingerprint cookie, or with another browser's", async () => {
    const cfg = config();
    const { token } = await signedInWithToken(cfg);
    const other = await signedInWithToken(cfg);
    expect((await sessionFor(cfg, { authorization: `Bearer ${token}` })).status).toBe("invalid");
    expect((await sessionFor(cfg, { authorization: `Bearer ${token}`, cookie: other.cookie })).status).toBe("invalid");
    expect((await sessionFor(cfg, { authorization: `Bearer ${token}`, cookie: `${FINGERPRINT}=garbage` })).status).toBe("invalid");
  });

  it("accepts an unbound token anywhere when bindToBrowser is false", async () => {
    const cfg = config({ bearer: { bindToBrowser: false } });
    const { token, client } = await signedInWithToken(cfg);
    expect(client.jar.has(FINGERPRINT)).toBe(false);
    expect((await sessionFor(cfg, { authorization: `Bearer ${token}` })).session).toMatchObject({ user: { name: "Alice" } });
  });

  it.each([
    ["scheme only", "Bearer"],
    ["scheme and space", "Bearer "],
    ["percent", "Bearer %"],
    ["two tokens", "Bearer a.b.c, Bearer d.e.f"],
    ["two words", "Bearer a.b.c d.e.f"],
    ["huge", `Bearer ${"a".repeat(20_000)}`],
    ["control characters", "Bearer abc\u0000def"],
    ["not a JWS", "Bearer not-a-token"],
  ])("treats a malformed Authorization header (%s) as no session, whatever the cookie says", async (_name, header) => {
    const cfg = config();
    const { client, cookie } = await signedInWithToken(cfg);
    const sessionCookie = `authjs.session-token=${client.jar.get("authjs.session-token") ?? ""}; ${cookie}`;
    // The cookie alone is a session…
    expect((await sessionFor(cfg, { cookie: sessionCookie })).session).not.toBeNull();
    // …but a request that sends an Authorization header is judged by it.
    const result = await sessionFor(cfg, { authorization: header, cookie: sessionCookie });
    expect(result.session).toBeNull();
    expect(result.status).toBe("invalid");
  });

  it.each([
    ["a reverse proxy's Basic credentials (a guarded staging site)", "Basic YWxpY2U6cGFzc3dvcmQ="],
    ["an app's own scheme", "Token 0123456789abcdef"],
    ["an empty header", ""],
    ["a token without a scheme", "eyJhbGciOiJFZERTQSJ9.e30.sig"],
  ])("leaves the session to the cookie when the Authorization header is not a Bearer one: %s", async (_name, header) => {
    const cfg = config();
    const { client, cookie } = await signedInWithToken(cfg);
    const sessionCookie = `authjs.session-token=${client.jar.get("authjs.session-token") ?? ""}; ${cookie}`;
    const result = await sessionFor(cfg, { authorization: header, cookie: sessionCookie });
    expect(result.session?.user?.email).toBe("alice@example.com");
    // Without the cookie, nobody.
    expect((await sessionFor(cfg, { authorization: header })).session).toBeNull();
  });

  it("refuses every other kind of token as a bearer token, and a bearer token as a session cookie", async () => {
    const cfg = config();
    const { client, token, cookie } = await signedInWithToken(cfg);
    const sessionCookieValue = client.jar.get("authjs.session-token") ?? "";
    const checkLike = await encode({ token: { value: "verifier" }, secret: SECRET, salt: "authjs.pkce.code_verifier" });
    for (const other of [sessionCookieValue, checkLike]) {
      expect((await sessionFor(cfg, { authorization: `Bearer ${other}`, cookie })).status, other.slice(0, 20)).toBe("invalid");
    }
    expect((await sessionFor(cfg, { cookie: `authjs.session-token=${token}; ${cookie}` })).session).toBeNull();
    // A valid token is not accepted from the query string: only the header counts.
    const { auth } = NextAuth({ ...cfg, callbacks: { authorized: ({ auth: session }) => !!session } });
    const proxy = auth as unknown as (request: NextRequest) => Promise<Response>;
    const viaQuery = await proxy(new NextRequest(`${ORIGIN}/api/data?access_token=${token}&token=${token}`, { headers: { host: HOST, cookie, accept: "application/json" } }));
    expect(viaQuery.status).toBe(401);
    const viaHeader = await proxy(new NextRequest(`${ORIGIN}/api/data`, { headers: { host: HOST, cookie, accept: "application/json", authorization: `Bearer ${token}` } }));
    expect(viaHeader.status).toBe(200);
  });

  it("refuses forged tokens: alg none, HMAC with the public key, a foreign key, wrong typ, iss, aud, expired, missing jti", async () => {
    // A configured P-256 key, so the test can also sign with latch's own key and vary one claim at a time.
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = (await exportJWK(privateKey)) as SigningJwk;
    const cfg = config({ bearer: { signingKeys: [{ ...jwk, kid: "k1" }], bindToBrowser: false } });
    const { token } = await signedInWithToken(cfg);
    expect((await sessionFor(cfg, { authorization: `Bearer ${token}` })).status).toBe("valid");
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "ES256", kid: "k1" });

    const now = Math.floor(Date.now() / 1000);
    const good = { sub: alice.id, iss: `${ORIGIN}/api/auth`, aud: ORIGIN, iat: now, exp: now + 600, jti: "j1", name: "Alice" };
    const sign = (claims: Record<string, unknown>, header: Record<string, unknown> = {}, key: Parameters<SignJWT["sign"]>[0] = privateKey) =>
      new SignJWT(claims).setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: "k1", ...header }).sign(key);
    expect((await sessionFor(cfg, { authorization: `Bearer ${await sign(good)}` })).status, "control: a well-formed token").toBe("valid");

    const foreign = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const publicJwk = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
    const forged = [
      ["alg none", new UnsecuredJWT(good).encode()],
      ["HMAC keyed with the public key", await new SignJWT(good).setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: "k1" }).sign(new TextEncoder().encode(JSON.stringify(publicJwk)))],
      ["a foreign key", await sign(good, {}, foreign)],
      ["a foreign key with an embedded jwk header", await sign(good, { jwk: await exportJWK(foreign) }, foreign)],
      ["typ JWT", await sign(good, { typ: "JWT" })],
      ["no typ", await new SignJWT(good).setProtectedHeader({ alg: "ES256", kid: "k1" }).sign(privateKey)],
      ["unknown kid", await sign(good, { kid: "k2" })],
      ["wrong issuer", await sign({ ...good, iss: "https://other.example/api/auth" })],
      ["wrong audience", await sign({ ...good, aud: "https://api.other.example" })],
      ["expired", await sign({ ...good, iat: now - 1200, exp: now - 600 })],
      ["no jti", await sign({ ...good, jti: undefined })],
      ["no sub", await sign({ ...good, sub: undefined })],
      ["tampered payload", `${(await sign(good)).split(".")[0]}.${Buffer.from(JSON.stringify({ ...good, sub: "admin" })).toString("base64url")}.${(await sign(good)).split(".")[2]}`],
    ] as const;
    for (const [name, forgedToken] of forged) {
      expect((await sessionFor(cfg, { authorization: `Bearer ${forgedToken}` })).status, name).toBe("invalid");
    }
  });

  it("derives the same key on every instance from the same secret, and keeps old tokens valid across a secret rotation", async () => {
    const before = config({ secret: OLD_SECRET, bearer: { bindToBrowser: false } });
    const { token, client } = await signedInWithToken(before);
    const other = new EngineClient(ORIGIN, config({ secret: OLD_SECRET, bearer: { bindToBrowser: false } }));
    expect(await (await other.fetch("/api/auth/jwks")).response.json()).toEqual(await (await client.fetch("/api/auth/jwks")).response.json());

    const rotated = config({ secret: [SECRET, OLD_SECRET], bearer: { bindToBrowser: false } });
    expect((await sessionFor(rotated, { authorization: `Bearer ${token}` })).session).toMatchObject({ user: { name: "Alice" } });
    const keys = (await (await new EngineClient(ORIGIN, rotated).fetch("/api/auth/jwks")).response.json()) as { keys: JWK[] };
    expect(keys.keys).toHaveLength(2);
    const afterRotation = await signedInWithToken(rotated);
    expect(decodeProtectedHeader(afterRotation.token).kid).toBe(keys.keys[0]?.kid);
    expect(decodeProtectedHeader(token).kid).toBe(keys.keys[1]?.kid);
  });
});

describe("ending bearer tokens", () => {
  it("sign-out clears the fingerprint cookie, so this browser's tokens stop working at once", async () => {
    const cfg = config();
    const { client, token, cookie } = await signedInWithToken(cfg);
    const { cookies } = await client.fetch("/api/auth/signout", { form: { csrfToken: await client.csrfToken() } });
    expect(cookies.find((c) => c.name === FINGERPRINT)?.attributes["max-age"]).toBe("0");
    expect((await sessionFor(cfg, { authorization: `Bearer ${token}`, cookie: client.cookieHeader() })).session).toBeNull();
    // A copy of the old cookie and the token together are refused only with a revocation store: see below.
    expect(cookie).toContain(FINGERPRINT);
  });

  it("with a revocation store, sign-out ends the session's bearer tokens everywhere (JWT sessions)", async () => {
    const cfg = config({ revocation: SQLiteRevocationStore(new Database(":memory:")), bearer: { bindToBrowser: false } });
    const { client, token } = await signedInWithToken(cfg);
    expect((await sessionFor(cfg, { authorization: `Bearer ${token}` })).session).not.toBeNull();
    await client.fetch("/api/auth/signout", { form: { csrfToken: await client.csrfToken() } });
    expect((await sessionFor(cfg, { authorization: `Bearer ${token}` })).status).toBe("invalid");
  });

  it("database sessions: the token names the session by a hash, the session callback gets the stored user, sign-out and user deletion end it", async () => {
    const db = new Database(":memory:");
    migrateSQLite(db);
    const adapter = SQLiteAdapter(db);
    await adapter.createUser!({ ...alice, emailVerified: null });
    const cfg = config({
      adapter,
      revocation: SQLiteRevocationStore(db),
      bearer: { bindToBrowser: false },
      callbacks: { session: ({ session, user }) => ({ ...session, user: { ...session.user, id: user?.id } }) },
    });
    const { client, token } = await signedInWithToken(cfg);
    const sessionToken = client.jar.get("authjs.session-token") ?? "";
    expect(token).not.toContain(sessionToken);
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { sid: string };
    expect(claims.sid).toMatch(/^[0-9a-f]{32}$/);
    expect(sessionToken).not.toContain(claims.sid);
    expect((await sessionFor(cfg, { authorization: `Bearer ${token}` })).session).toMatchObject({ user: { id: alice.id } });

    const second = await signedInWithToken(cfg);
    await client.fetch("/api/auth/signout", { form: { csrfToken: await client.csrfToken() } });
    expect((await sessionFor(cfg, { authorization: `Bearer ${token}` })).status, "signed out").toBe("invalid");
    expect((await sessionFor(cfg, { authorization: `Bearer ${second.token}` })).status, "another device's session").toBe("valid");
    await adapter.deleteUser!(alice.id);
    expect((await sessionFor(cfg, { authorization: `Bearer ${second.token}` })).status, "the user was deleted").toBe("invalid");
  });

  it("database sessions: sign-out refuses the session's bearer token for as long as it is accepted, its exp plus the clock tolerance", async () => {
    const db = new Database(":memory:");
    migrateSQLite(db);
    const adapter = SQLiteAdapter(db);
    await adapter.createUser!({ ...alice, emailVerified: null });
    const cfg = config({ adapter, revocation: SQLiteRevocationStore(db), bearer: { bindToBrowser: false } });
    const { client, token } = await signedInWithToken(cfg);
    const { exp } = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { exp: number };
    await client.fetch("/api/auth/signout", { form: { csrfToken: await client.csrfToken() } });
    expect((await sessionFor(cfg, { authorization: `Bearer ${token}` })).status, "right after sign-out").toBe("invalid");
    // The token is accepted until exp + 5 s (BEARER_CLOCK_TOLERANCE); a revocation that lasted
    // bearer.maxAge from sign-out let it work again in between.
    vi.useFakeTimers({ toFake: ["Date"], now: exp * 1000 + 4500 });
    try {
      expect((await sessionFor(cfg, { authorization: `Bearer ${token}` })).status, "half a second before the tolerance ends").toBe("invalid");
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("the Next.js layer", () => {
  it("protect() answers 401 with an invalid_token challenge for a bad bearer token and runs the handler for a good one", async () => {
    const cfg = config({ bearer: { bindToBrowser: false } });
    const { token } = await signedInWithToken(cfg);
    const { protect } = NextAuth(cfg);
    const route = protect((request: NextAuthRequest) => Response.json({ user: request.auth?.user }));
    const good = await route(new NextRequest(`${ORIGIN}/api/me`, { headers: { host: HOST, authorization: `Bearer ${token}` } }), undefined);
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ user: { name: "Alice" } });
    // Tokens name the origin they were issued for (iss, aud): another origin of the same app refuses them.
    const elsewhere = await route(new NextRequest("http://localhost:3998/api/me", { headers: { host: "localhost:3998", authorization: `Bearer ${token}` } }), undefined);
    expect(elsewhere.status).toBe(401);
    for (const header of ["Bearer %", "Bearer x.y.z", `Bearer ${token}x`]) {
      const bad = await route(new NextRequest(`${ORIGIN}/api/me`, { headers: { host: HOST, authorization: header } }), undefined);
      expect(bad.status, header).toBe(401);
      expect(bad.headers.get("www-authenticate")).toContain('error="invalid_token"');
    }
  });

  it("parses the Authorization header strictly", () => {
    expect(parseAuthorization(null)).toEqual({ kind: "none" });
    expect(parseAuthorization("bearer abc.DEF-_~+/=")).toEqual({ kind: "token", token: "abc.DEF-_~+/=" });
    expect(parseAuthorization("Bearer  abc  ")).toEqual({ kind: "token", token: "abc" });
    expect(parseAuthorization("Bearer a=b")).toEqual({ kind: "invalid" });
  });
});

describe("refresh tokens for clients outside the browser", () => {
  interface Refreshed {
    token: string;
    refreshToken: string;
    refreshTokenExpiresAt: string;
    error?: string;
  }

  async function offline(client: EngineClient) {
    const { response } = await client.fetch("/api/auth/token", { method: "POST", headers: { "x-latch-bearer": "1" }, json: { offline: true } });
    return { status: response.status, body: (await response.json()) as Refreshed };
  }

  /** A native client: no cookies, just the refresh token. */
  async function refresh(cfg: AuthConfig, refreshToken: unknown) {
    const client = new EngineClient(ORIGIN, cfg);
    const { response } = await client.fetch("/api/auth/token", { form: { grant_type: "refresh_token", refresh_token: String(refreshToken) } });
    return { status: response.status, body: (await response.json()) as Refreshed, setCookies: response.headers.getSetCookie() };
  }

  function refreshConfig(extra: Partial<AuthConfig> = {}): AuthConfig {
    return config({ bearer: { refreshTokens: { store: MemoryRefreshTokenStore() } }, ...extra });
  }

  it("gives a signed-in client an unbound bearer token and a refresh token; each refresh rotates it", async () => {
    const cfg = refreshConfig();
    const client = new EngineClient(ORIGIN, cfg);
    await signIn(client);
    const first = await offline(client);
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).toMatch(/^latch_rt_[0-9a-f]{64}$/);
    const firstClaims = JSON.parse(Buffer.from(first.body.token.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;
    expect(firstClaims).not.toHaveProperty("fgp");
    expect((await sessionFor(cfg, { authorization: `Bearer ${first.body.token}` })).session).toMatchObject({ user: { name: "Alice" } });

    const second = await refresh(cfg, first.body.refreshToken);
    expect(second.status).toBe(200);
    expect(second.setCookies).toEqual([]);
    expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
    const secondClaims = JSON.parse(Buffer.from(second.body.token.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;
    expect(secondClaims).toMatchObject({ sub: alice.id, sid: firstClaims.sid, name: "Alice", email: alice.email });
    expect((await sessionFor(cfg, { authorization: `Bearer ${second.body.token}` })).session).toMatchObject({ user: { name: "Alice" } });
    const third = await refresh(cfg, second.body.refreshToken);
    expect(third.status).toBe(200);
  });

  it("answers the refresh grant in RFC 6749's shape too: a stock OAuth client (oauth4webapi) refreshes and sees the reuse refused", async () => {
    const cfg = refreshConfig();
    const client = new EngineClient(ORIGIN, cfg);
    await signIn(client);
    const first = await offline(client);
    const as: oauth.AuthorizationServer = { issuer: ORIGIN, token_endpoint: `${ORIGIN}/api/auth/token` };
    const native: oauth.Client = { client_id: "native-app" };
    const options = { [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<"POST", URLSearchParams>) => Auth(new Request(url, init), cfg), [oauth.allowInsecureRequests]: true };
    const response = await oauth.refreshTokenGrantRequest(as, native, oauth.None(), first.body.refreshToken, options);
    const tokens = await oauth.processRefreshTokenResponse(as, native, response);
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.expires_in).toBeGreaterThan(590);
    expect(tokens.refresh_token).toMatch(/^latch_rt_[0-9a-f]{64}$/);
    expect((await sessionFor(cfg, { authorization: `Bearer ${tokens.access_token}` })).session).toMatchObject({ user: { name: "Alice" } });
    const replay = await oauth.refreshTokenGrantRequest(as, native, oauth.None(), first.body.refreshToken, options);
    const refused = await oauth.processRefreshTokenResponse(as, native, replay).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(oauth.ResponseBodyError);
    expect((refused as oauth.ResponseBodyError).error).toBe("invalid_grant");
  });

  it("revokes the family and the session when a used refresh token comes back (JWT sessions with a revocation store)", async () => {
    const cfg = refreshConfig({ revocation: SQLiteRevocationStore(new Database(":memory:")) });
    const client = new EngineClient(ORIGIN, cfg);
    await signIn(client);
    const first = await offline(client);
    const rotated = await refresh(cfg, first.body.refreshToken);
    expect(rotated.status).toBe(200);

    const replay = await refresh(cfg, first.body.refreshToken);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe("invalid_grant");
    expect((await refresh(cfg, rotated.body.refreshToken)).status, "the thief's or the client's successor token").toBe(400);
    expect((await sessionFor(cfg, { authorization: `Bearer ${rotated.body.token}` })).status, "bearer tokens of the session").toBe("invalid");
    expect(await client.session(), "the browser session it came from").toBeNull();
  });

  it("keeps the session a reused refresh token ended revoked for as long as its cookie can live, past the family's end", async () => {
    const cfg = config({
      bearer: { refreshTokens: { store: MemoryRefreshTokenStore(), absoluteMaxAge: 24 * 60 * 60 } },
      revocation: SQLiteRevocationStore(new Database(":memory:")),
    });
    const client = new EngineClient(ORIGIN, cfg);
    await signIn(client);
    const cookie = client.jar.get("authjs.session-token") ?? "";
    const first = await offline(client);
    await refresh(cfg, first.body.refreshToken);
    expect((await refresh(cfg, first.body.refreshToken)).status, "the reuse").toBe(400);
    const start = Date.now();
    vi.useFakeTimers({ toFake: ["Date"], now: start });
    try {
      // Two days on: the family (one day) is over, the session cookie (30 days) is not.
      vi.setSystemTime(start + 2 * 24 * 60 * 60 * 1000);
      const browser = new EngineClient(ORIGIN, cfg);
      browser.jar.set("authjs.session-token", cookie);
      expect(await browser.session()).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it("lets exactly one of 10 concurrent refreshes with one token succeed", async () => {
    const cfg = refreshConfig({ adapter: undefined });
    const client = new EngineClient(ORIGIN, cfg);
    await signIn(client);
    const first = await offline(client);
    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(cfg, first.body.refreshToken)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400)).toHaveLength(9);
    expect(results.every((r) => r.status === 200 || r.body.error === "invalid_grant")).toBe(true);
  });

  it("lets a client whose answer was lost retry with the same refresh token; the token it never received is a reuse", async () => {
    const events: AuditEvent[] = [];
    const cfg = config({
      bearer: { refreshTokens: { store: MemoryRefreshTokenStore(), retryWindow: 10 } },
      revocation: SQLiteRevocationStore(new Database(":memory:")),
      audit: (event) => void events.push(event),
    });
    const client = new EngineClient(ORIGIN, cfg);
    await signIn(client);
    const first = await offline(client);
    const lost = await refresh(cfg, first.body.refreshToken);
    expect(lost.status).toBe(200);
    // The answer never reached the client: it sends the same token again, within the 10 s.
    const retry = await refresh(cfg, first.body.refreshToken);
    expect(retry.status).toBe(200);
    expect(retry.body.refreshToken).not.toBe(lost.body.refreshToken);
    expect((await sessionFor(cfg, { authorization: `Bearer ${retry.body.token}` })).session).toMatchObject({ user: { name: "Alice" } });
    const refreshed = events.filter((event) => event.type === "token-refreshed");
    expect(refreshed.map((event) => "retried" in event && event.retried)).toEqual([false, true]);
    const next = await refresh(cfg, retry.body.refreshToken);
    expect(next.status).toBe(200);
    // The lost successor turns up (someone else had the answer): every token of the sign-in ends.
    expect((await refresh(cfg, lost.body.refreshToken)).body.error).toBe("invalid_grant");
    expect(events.at(-1)).toMatchObject({ type: "session-revoked", reason: "refresh-token-reused" });
    expect((await refresh(cfg, next.body.refreshToken)).status).toBe(400);
    expect(await client.session(), "the browser session it came from").toBeNull();
  });

  it("leaves one live refresh token when 10 refreshes with one token race within the retry window", async () => {
    const store = MemoryRefreshTokenStore();
    const cfg = config({ adapter: undefined, bearer: { refreshTokens: { store, retryWindow: 10 } } });
    const client = new EngineClient(ORIGIN, cfg);
    await signIn(client);
    const first = await offline(client);
    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(cfg, first.body.refreshToken)));
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 10 }, () => 200));
    const live = [];
    for (const result of results) if ((await store.peek?.(refreshTokenHash(result.body.refreshToken))) != null) live.push(result);
    expect(live).toHaveLength(1);
  });

  it.each([-1, 61, Number.NaN, Number.POSITIVE_INFINITY, "10"])("refuses bearer.refreshTokens.retryWindow %s with what to set", (retryWindow) => {
    const cfg = config({ bearer: { refreshTokens: { store: MemoryRefreshTokenStore(), retryWindow: retryWindow as number } } });
    const resolved = resolveConfig(cfg, {});
    expect(() => createRequestContext(resolved, new Headers({ host: HOST }), ORIGIN)).toThrow("bearer.refreshTokens.retryWindow must be a number of seconds from 0 (off) to 60");
  });

  it("database sessions: reuse deletes the session row; a signed-out session's refresh token stops working", async () => {
    const db = new Database(":memory:");
    migrateSQLite(db);
    const adapter = SQLiteAdapter(db);
    await adapter.createUser!({ ...alice, emailVerified: null });
    const cfg = config({ adapter, bearer: { refreshTokens: { store: SQLiteRefreshTokenStore(db) } } });
    const rows = () => (db.prepare("SELECT count(*) AS n FROM sessions").get() as { n: number }).n;

    const phone = new EngineClient(ORIGIN, cfg);
    await signIn(phone);
    const issued = await offline(phone);
    expect(rows()).toBe(1);
    // The refresh store names the row by its stored key: it holds no token that works as a cookie.
    const cookieToken = phone.jar.get("authjs.session-token") ?? "";
    expect(db.prepare("SELECT session_token FROM latch_refresh_families").all()).toEqual([{ session_token: await storedSessionKey(cookieToken) }]);
    const rotated = await refresh(cfg, issued.body.refreshToken);
    expect(rotated.status).toBe(200);
    expect((await refresh(cfg, issued.body.refreshToken)).status).toBe(400);
    expect(rows(), "the reused family's session row is deleted").toBe(0);
    expect(await phone.session()).toBeNull();

    const laptop = new EngineClient(ORIGIN, cfg);
    await signIn(laptop);
    const laptopTokens = await offline(laptop);
    await laptop.fetch("/api/auth/signout", { form: { csrfToken: await laptop.csrfToken() } });
    expect((await refresh(cfg, laptopTokens.body.refreshToken)).status, "after sign-out").toBe(400);
  });

  it("signs a native client out at /revoke: the family is revoked and the session ended; the answer never says whether the token was good", async () => {
    const cfg = refreshConfig({ revocation: SQLiteRevocationStore(new Database(":memory:")) });
    const client = new EngineClient(ORIGIN, cfg);
    await signIn(client);
    const issued = await offline(client);
    const native = new EngineClient(ORIGIN, cfg);
    const revoked = await native.fetch("/api/auth/revoke", { form: { token: issued.body.refreshToken } });
    expect(revoked.response.status).toBe(200);
    expect((await refresh(cfg, issued.body.refreshToken)).status).toBe(400);
    expect((await sessionFor(cfg, { authorization: `Bearer ${issued.body.token}` })).status).toBe("invalid");
    expect(await client.session(), "the session the family came from").toBeNull();
    for (const token of ["latch_rt_unknown", "garbage", ""]) {
      const unknown = await native.fetch("/api/auth/revoke", { form: { token } });
      expect(unknown.response.status).toBe(200);
      expect(await unknown.response.json()).toEqual({});
    }
  });

  it("refuses malformed and unknown refresh tokens, other grants, and offline requests when refresh tokens are off", async () => {
    const cfg = refreshConfig();
    for (const bad of ["", "latch_rt_", "latch_rt_unknown", "not-a-refresh-token", `latch_rt_${"a".repeat(300)}`]) {
      const result = await refresh(cfg, bad);
      expect(result.status, bad.slice(0, 20)).toBe(400);
      expect(result.body.error).toBe("invalid_grant");
    }
    const other = new EngineClient(ORIGIN, cfg);
    const password = await other.fetch("/api/auth/token", { form: { grant_type: "password", username: "alice", password: "x" } });
    expect(password.response.status).toBe(400);
    expect(await password.response.json()).toMatchObject({ error: "unsupported_grant_type" });

    const plain = config();
    expect((await refresh(plain, "latch_rt_abc")).status).toBe(400);
    const client = new EngineClient(ORIGIN, plain);
    await signIn(client);
    expect((await offline(client)).status).toBe(400);
  });
});
