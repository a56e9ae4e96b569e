/**
 * Three edges the first fixes of the session-id and adapter work missed: a bearer client whose
 * first renewal meets the announcement of its own session, a next-auth cookie renewed by the lean
 * proxy (the sid both derive from it), and PostgresAdapter.deleteUser under a role granted only
 * Auth.js's four tables.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { migratePostgres, PostgresAdapter } from "../src/adapters/postgres.js";
import type { Adapter } from "../src/adapters/types.js";
import { createBearerClient, sessionChannelName } from "../src/client/bearer.js";
import { webJwe } from "../src/core/session/jwe-web.js";
import { encode } from "../src/jwt.js";
import type { NextAuthConfig } from "../src/next/types.js";
import Credentials from "../src/providers/credentials.js";
import { createProxyAuth } from "../src/proxy/create-proxy-auth.js";
import { sessionKey } from "../src/react/session-key.js";
import { MemoryRefreshTokenStore } from "../src/refresh-tokens/memory.js";
import { MemoryRevocationStore } from "../src/revocation/memory.js";
import type { AuthConfig, Session } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";
import { issuedSession, request } from "./helpers/proxy-requests.js";
import { postgresUrl, requirePostgres, type PostgresNamespace } from "./helpers/services.js";

const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// 1. The bearer client drops a renewal of the very session it is told about (7af3375).
// ---------------------------------------------------------------------------------------------
describe("bearer client: a session announcement during the first renewal", () => {
  const alice: Session = { user: { name: "Alice", email: "alice@example.com", image: null }, expires: new Date(Date.now() + 86_400_000).toISOString() };

  it("keeps the token of the session announced (a page's SessionProvider mounting, another tab loading)", async () => {
    let releaseToken!: () => void;
    const tokenMayAnswer = new Promise<void>((resolve) => (releaseToken = resolve));
    const sent: Array<string | null> = [];
    const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const req = input instanceof Request ? input : new Request(new URL(String(input), "http://app.test"), init);
      if (new URL(req.url).pathname === "/api/auth/token") {
        await tokenMayAnswer;
        return Response.json({ token: "T-alice", tokenType: "Bearer", expiresIn: 600, session: alice });
      }
      const auth = req.headers.get("authorization");
      sent.push(auth);
      return auth ? Response.json({ ok: true }) : Response.json({ error: "Unauthorized" }, { status: 401 });
    };
    const api = createBearerClient({ fetch: fetchImpl });
    // A component's effect calls the API (children's effects run before the provider's).
    const call = api.fetch("http://app.test/api/orders");
    await tick();
    // The page's <SessionProvider> mounts and announces Alice's session (what start() posts),
    // or another tab of the same user loads a page: the same session, nothing changed.
    const channel = new BroadcastChannel(sessionChannelName("/api/auth"));
    channel.postMessage({ kind: "changed", from: "provider-of-this-page", key: sessionKey(alice) });
    channel.close();
    await tick();
    releaseToken();
    const response = await call;
    api.close();
    expect(sent, "the API request must carry Alice's token").toEqual(["Bearer T-alice"]);
    expect(response.status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. A next-auth cookie renewed by the lean proxy gets no sid; the engine's derived sid then
//    changes with each proxy renewal (2caa7b6, d07e977): sign-out misses copies and families.
// ---------------------------------------------------------------------------------------------
describe("a next-auth cookie (no sid) renewed by the lean latch/proxy, with a revocation store", () => {
  const ORIGIN = "http://127.0.0.1:3000";
  const SECRET = "session-id-edges-secret-of-enough-length-0123456789";
  const SESSION_COOKIE = "authjs.session-token";
  const alice = { id: "user-alice", name: "Alice", email: "alice@example.com" };

  function config(): AuthConfig {
    return {
      secret: SECRET,
      trustHost: true,
      providers: [Credentials({ credentials: { email: {}, password: {} }, authorize: () => null })],
      revocation: MemoryRevocationStore(),
      bearer: { bindToBrowser: false, refreshTokens: { store: MemoryRefreshTokenStore() } },
      logger: { error: () => undefined, warn: () => undefined },
    };
  }

  const proxyConfig: NextAuthConfig = { secret: SECRET, trustHost: true, providers: [], logger: { error: () => undefined, warn: () => undefined }, callbacks: { authorized: ({ auth }) => !!auth } };

  async function nextAuthCookie(): Promise<string> {
    return encode({ token: { sub: alice.id, name: alice.name, email: alice.email }, secret: SECRET, salt: SESSION_COOKIE });
  }

  /** A page request through the lean proxy: the cookie it renews. */
  async function throughProxy(cookie: string): Promise<string> {
    const proxy = createProxyAuth(proxyConfig, { jwe: webJwe, env: () => ({}) }).auth;
    const response = await proxy(request("/dashboard", { cookie: `${SESSION_COOKIE}=${cookie}` }));
    expect(response.status).toBe(200);
    const renewed = issuedSession(response);
    expect(renewed).toBeDefined();
    return renewed ?? "";
  }

  function browserWith(cfg: AuthConfig, cookie: string): EngineClient {
    const client = new EngineClient(ORIGIN, cfg);
    client.jar.set(SESSION_COOKIE, cookie);
    return client;
  }

  async function signOut(client: EngineClient): Promise<void> {
    const { response } = await client.fetch("/api/auth/signout", { form: { csrfToken: await client.csrfToken() } });
    expect(response.status).toBe(302);
  }

  it("sign-out ends a copy of the cookie taken before the proxy renewed it (docs: 'copied cookies too')", async () => {
    const cfg = config();
    const original = await nextAuthCookie();
    const stolen = browserWith(cfg, original);
    // The user's next page load goes through latch/proxy, which renews the cookie without a sid.
    const browser = browserWith(cfg, await throughProxy(original));
    expect(await browser.session()).not.toBeNull();
    await signOut(browser);
    expect(await browser.session()).toBeNull();
    expect(await stolen.session(), "a copy of the signed-out session's cookie").toBeNull();
  });

  it("sign-out ends the refresh family begun while a page request through the proxy renewed the same cookie", async () => {
    const cfg = config();
    const original = await nextAuthCookie();
    // Two requests of one page load carry the same cookie: /token (the engine, which writes a
    // cookie with sid) and a page (the proxy, which writes one without); the proxy's lands last.
    const tokenRequest = browserWith(cfg, original);
    const { response } = await tokenRequest.fetch("/api/auth/token", { method: "POST", headers: { "x-latch-bearer": "1" }, json: { offline: true } });
    expect(response.status).toBe(200);
    const { refreshToken } = (await response.json()) as { refreshToken: string };
    const browser = browserWith(cfg, await throughProxy(original));
    expect(await browser.session()).not.toBeNull();
    await signOut(browser);
    const { response: refreshed } = await new EngineClient(ORIGIN, cfg).fetch("/api/auth/token", { form: { grant_type: "refresh_token", refresh_token: refreshToken } });
    expect(refreshed.status, "the refresh grant after the web session signed out").toBe(400);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. PostgresAdapter.deleteUser now deletes from sessions/accounts/authenticators itself
//    (4279341): a role without DELETE on authenticators (the DBA's grant predates the table;
//    cascades run as the table owner) can no longer delete users.
// ---------------------------------------------------------------------------------------------
describe("PostgresAdapter.deleteUser under a least-privilege role", () => {
  const role = `latch_edges_${randomBytes(4).toString("hex")}`;
  let ns: PostgresNamespace | undefined;
  const pools: pg.Pool[] = [];

  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    if (ns) {
      await ns.pool.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${ns.schema} FROM ${role}; REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${ns.schema} FROM ${role}; REVOKE ALL ON SCHEMA ${ns.schema} FROM ${role}`).catch(() => undefined);
      await ns.pool.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
      await ns.drop();
    }
  });

  it("deletes a user (and, by the cascades, its rows) with DML granted on Auth.js's four tables", async () => {
    ns = await requirePostgres();
    // The owner migrated (latch's schema: foreign keys with ON DELETE CASCADE). The app's role got
    // DML on Auth.js's tables; authenticators came later, with passkeys the app does not use.
    await migratePostgres(ns.pool);
    await ns.pool.query(`CREATE ROLE ${role} LOGIN`);
    await ns.pool.query(
      `GRANT USAGE ON SCHEMA ${ns.schema} TO ${role}; GRANT SELECT, INSERT, UPDATE, DELETE ON users, accounts, sessions, verification_token TO ${role}; GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${ns.schema} TO ${role}`,
    );
    const url = new URL(postgresUrl());
    url.username = role;
    url.password = "";
    const appPool = new pg.Pool({ connectionString: url.toString(), connectionTimeoutMillis: 3000, options: `-c search_path=${ns.schema}` });
    pools.push(appPool);
    const adapter = PostgresAdapter(appPool) as Required<Adapter>;
    const user = await adapter.createUser({ id: "", email: "gone@example.test", emailVerified: null });
    await adapter.createSession({ sessionToken: "h1.edges-session", userId: user.id, expires: new Date(Date.now() + 86_400_000) });
    await adapter.linkAccount({ userId: user.id, type: "oidc", provider: "example", providerAccountId: "acct-1" });
    // What deleteUser ran before 4279341 works under this role: the cascades run as the owner.
    const other = await adapter.createUser({ id: "", email: "old-way@example.test", emailVerified: null });
    await adapter.createSession({ sessionToken: "h1.old-way", userId: other.id, expires: new Date(Date.now() + 86_400_000) });
    await appPool.query(`DELETE FROM users WHERE id = $1`, [Number(other.id)]);
    expect(await adapter.getSessionAndUser("h1.old-way")).toBeNull();
    // deleteUser now names sessions, accounts and authenticators itself.
    await expect(Promise.resolve(adapter.deleteUser(user.id))).resolves.toEqual(user);
    expect(await adapter.getSessionAndUser("h1.edges-session")).toBeNull();
  });
});
