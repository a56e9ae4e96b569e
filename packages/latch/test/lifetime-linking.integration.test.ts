/**
 * Ways around session.absoluteMaxAge, revocation and the linking and throttling guards: a
 * next-auth cookie renewed by latch/proxy after revokeUser(), linking from a session past its
 * absolute end, allowDangerousEmailAccountLinking onto a squatter's user, a throw-away field
 * beside the account the credentials form really names. Real requests through the engine and
 * the lean proxy; the clock is moved with fake `Date` only where needed.
 */
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import { storedSessionKey } from "../src/core/session/database-session.js";
import { encode } from "../src/jwt.js";
import type { NextAuthConfig } from "../src/next/types.js";
import { createProxyAuth } from "../src/proxy/create-proxy-auth.js";
import Credentials from "../src/providers/credentials.js";
import GitHub from "../src/providers/github.js";
import Passkey from "../src/providers/passkey.js";
import { MemoryRevocationStore } from "../src/revocation/memory.js";
import type { AuthConfig } from "../src/types.js";
import { startGitHubStandIn, type GitHubStandIn } from "./fixtures/github-standin.js";
import { EngineClient } from "./helpers/engine-client.js";
import { gitHubSignIn, passkeyOptions, passkeySignIn, postPasskeyCredential, registerPasskey } from "./helpers/sign-in-flows.js";
import { RUNTIMES, issuedSession, request as proxyRequest } from "./helpers/proxy-requests.js";
import { StandinAuthenticator } from "./helpers/standin-authenticator.js";

const SECRET = "review-session-diff-secret-of-enough-length-0123456789";
const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const quiet = { error: () => undefined, warn: () => undefined };

interface SessionJson {
  user?: { email?: string | null; name?: string | null };
}

// ---------------------------------------------------------------------------------------------
// 1. The lean proxy stamps auth_time on a token without one, without asking the revocation store:
//    the stamp must be no later than the token's iat, or the engine would take it for a sign-in
//    after the cut-off and let a revoked user back in.
// ---------------------------------------------------------------------------------------------
describe.each(RUNTIMES)("absoluteMaxAge + revocation through latch/proxy on %s", (_runtime, jwe) => {
  const ORIGIN = "http://127.0.0.1:3000";
  const SALT = "authjs.session-token";
  const START = Math.floor(Date.now() / 1000) * 1000;
  const T0 = START / 1000;

  afterEach(() => {
    vi.useRealTimers();
  });

  it("a user revoked with revokeUser() stays revoked after latch/proxy renews their auth_time-less (next-auth) cookie", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: START });
    const revocation = MemoryRevocationStore();
    const session = { maxAge: HOUR, absoluteMaxAge: 12 * HOUR };
    const engineConfig: AuthConfig = {
      secret: SECRET,
      trustHost: true,
      logger: quiet,
      session,
      revocation,
      providers: [Credentials({ credentials: { email: { type: "email" } }, authorize: () => null })],
    };
    const proxyConfig: NextAuthConfig = { secret: SECRET, trustHost: true, logger: quiet, providers: [], session, callbacks: { authorized: ({ auth }) => !!auth } };
    const proxy = createProxyAuth(proxyConfig, { jwe, env: () => ({}) }).auth;

    // A session cookie as next-auth v5 issued it (no auth_time), e.g. a stolen one.
    const legacy = await encode({ token: { sub: "user-legacy", name: "Legacy", email: "legacy@example.test" }, secret: SECRET, salt: SALT, maxAge: HOUR });

    // The app ends every session of that user (signOutEverywhere / revokeUser / a password change).
    vi.setSystemTime((T0 + MINUTE) * 1000);
    await revocation.revokeUser("user-legacy", new Date());
    const engineRead = async (token: string) => {
      const client = new EngineClient(ORIGIN, engineConfig);
      client.jar.set(SALT, token);
      return (await client.session()) as SessionJson | null;
    };
    // Control: the engine refuses the revoked cookie.
    expect(await engineRead(legacy)).toBeNull();

    // Two minutes later the cookie's holder requests a page: the proxy (which never asks the
    // store) renews it and writes auth_time = now into it.
    vi.setSystemTime((T0 + 3 * MINUTE) * 1000);
    const renewed = await proxy(proxyRequest("/dashboard", { cookie: `${SALT}=${legacy}` }));
    const stamped = issuedSession(renewed) ?? legacy;

    // Control: without absoluteMaxAge the proxy writes no auth_time and the engine still refuses.
    const plainSession = { maxAge: HOUR };
    const plainProxy = createProxyAuth({ ...proxyConfig, session: plainSession }, { jwe, env: () => ({}) }).auth;
    const plain = issuedSession(await plainProxy(proxyRequest("/dashboard", { cookie: `${SALT}=${legacy}` }))) ?? legacy;
    const plainClient = new EngineClient(ORIGIN, { ...engineConfig, session: plainSession });
    plainClient.jar.set(SALT, plain);
    expect(await plainClient.session()).toBeNull();

    // The engine must still refuse it: the user was revoked after that token was issued.
    expect(await engineRead(stamped), "the revoked user's session is back after a pass through the proxy").toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// Shared GitHub stand-in for the linking cases.
// ---------------------------------------------------------------------------------------------
const HTTPS_ORIGIN = "https://app.test";
let github: GitHubStandIn;

describe("with a GitHub stand-in", () => {
beforeAll(async () => {
  vi.stubEnv("AUTH_URL", HTTPS_ORIGIN);
  github = await startGitHubStandIn({
    callbackUrl: `${HTTPS_ORIGIN}/api/auth/callback/github`,
    users: [
      { id: 666, login: "mallory", name: "Mallory", email: null, emails: [{ email: "mallory@evil.test", primary: true, verified: true, visibility: "private" }] },
      // Signs in through a provider that does not vouch for addresses (emailVerified: () => false below).
      { id: 777, login: "squatter", name: "Squatter", email: null, emails: [{ email: "victim@example.test", primary: true, verified: true, visibility: "private" }] },
      { id: 1001, login: "gina", name: "Gina", email: null, emails: [{ email: "gina@example.test", primary: true, verified: true, visibility: "private" }] },
    ],
  });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await github?.close();
});


// ---------------------------------------------------------------------------------------------
// 2. signedInUser() (OAuth linking, passkey registration) applies session.absoluteMaxAge like a
//    session read: a session the engine has ended cannot link accounts.
// ---------------------------------------------------------------------------------------------
describe("absoluteMaxAge and the signed-in user that linking trusts", () => {
  function setup() {
    const db = new Database(":memory:");
    migrateSQLite(db);
    const adapter = SQLiteAdapter(db);
    const config: AuthConfig = {
      secret: SECRET,
      adapter,
      session: { strategy: "jwt", absoluteMaxAge: HOUR },
      providers: [Passkey({}), GitHub({ clientId: github.clientId, clientSecret: github.clientSecret, enterprise: { baseUrl: github.url } })],
      logger: quiet,
    };
    const rows = <T>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[];
    return { adapter, config, rows };
  }

  /** A victim's cookie issued before absoluteMaxAge was set (30-day exp), signed in 2 hours ago. */
  async function endedCookie(): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return encode({ token: { sub: "victim", email: "victim@example.test", auth_time: now - 2 * HOUR }, secret: SECRET, salt: "__Secure-authjs.session-token", maxAge: 30 * DAY });
  }

  it("a session past auth_time + absoluteMaxAge cannot link the holder's GitHub account to its user", async () => {
    const { adapter, config, rows } = setup();
    await adapter.createUser!({ id: "victim", email: "victim@example.test", emailVerified: new Date(), name: "Victim", image: null });
    const thief = new EngineClient(HTTPS_ORIGIN, config);
    thief.jar.set("__Secure-authjs.session-token", await endedCookie());
    // Control: the engine says this session is over.
    const probe = new EngineClient(HTTPS_ORIGIN, config);
    probe.jar.set("__Secure-authjs.session-token", await endedCookie());
    expect(await probe.session()).toBeNull();

    await gitHubSignIn(thief, github, "mallory");
    expect(rows<{ userId: string }>(`SELECT "userId" FROM accounts WHERE provider = 'github'`), "mallory's GitHub linked to the victim through an ended session").not.toContainEqual({ userId: "victim" });
  });

  it("a database session past its absolute end (begun before the setting, last renewed 2 hours ago) cannot link the holder's GitHub account", async () => {
    const { adapter, config, rows } = setup();
    const databaseConfig: AuthConfig = { ...config, session: { strategy: "database", absoluteMaxAge: HOUR } };
    await adapter.createUser!({ id: "victim", email: "victim@example.test", emailVerified: new Date(), name: "Victim", image: null });
    const token = "a".repeat(64);
    // Its row still has 28 days to go: only the absolute lifetime has ended it.
    await adapter.createSession!({ sessionToken: await storedSessionKey(token), userId: "victim", expires: new Date(Date.now() - 2 * HOUR * 1000 + 30 * DAY * 1000) });
    const probe = new EngineClient(HTTPS_ORIGIN, databaseConfig);
    probe.jar.set("__Secure-authjs.session-token", token);
    const thief = new EngineClient(HTTPS_ORIGIN, databaseConfig);
    thief.jar.set("__Secure-authjs.session-token", token);
    await gitHubSignIn(thief, github, "mallory");
    expect(rows<{ userId: string }>(`SELECT "userId" FROM accounts WHERE provider = 'github'`), "mallory's GitHub linked to the victim through an ended session").not.toContainEqual({ userId: "victim" });
    // Control: the engine says this session is over.
    expect(await probe.session()).toBeNull();
  });

  it("a session past auth_time + absoluteMaxAge cannot add a passkey to its user", async () => {
    const { adapter, config } = setup();
    await adapter.createUser!({ id: "victim", email: "victim@example.test", emailVerified: new Date(), name: "Victim", image: null });
    const thief = new EngineClient(HTTPS_ORIGIN, config);
    thief.jar.set("__Secure-authjs.session-token", await endedCookie());
    const device = new StandinAuthenticator(HTTPS_ORIGIN);
    const body = await passkeyOptions(thief, "register");
    if (body.options) await postPasskeyCredential(thief, "register", device.register(body.options));
    const later = new EngineClient(HTTPS_ORIGIN, config);
    if (body.options) await passkeySignIn(later, device).catch(() => undefined);
    expect(((await later.session()) as SessionJson | null)?.user?.email ?? null, "the thief's passkey signs in as the victim").not.toBe("victim@example.test");
  });
});

// ---------------------------------------------------------------------------------------------
// 3. allowDangerousEmailAccountLinking must not link a verified OAuth sign-in to a user whose
//    address nobody proved (a squatter's passkey sign-up): the squatter's passkey would keep it.
// ---------------------------------------------------------------------------------------------
describe("pre-account hijacking through email linking (allowDangerousEmailAccountLinking)", () => {
  it("the victim's GitHub sign-in is refused rather than linked to a squatter's passkey user", async () => {
    const db = new Database(":memory:");
    migrateSQLite(db);
    const config: AuthConfig = {
      secret: SECRET,
      adapter: SQLiteAdapter(db),
      session: { strategy: "database" },
      providers: [
        Passkey({}),
        GitHub({ clientId: github.clientId, clientSecret: github.clientSecret, enterprise: { baseUrl: github.url }, allowDangerousEmailAccountLinking: true }),
      ],
      logger: quiet,
    };
    // The squatter signs up with a passkey under the victim's address (nothing proves it).
    const squatter = new EngineClient(HTTPS_ORIGIN, config);
    const device = new StandinAuthenticator(HTTPS_ORIGIN);
    await registerPasskey(squatter, device, "gina@example.test");

    // The victim signs in with GitHub, whose verified address is gina@example.test: not linked
    // to a user whose address nobody proved.
    const victim = new EngineClient(HTTPS_ORIGIN, config);
    const { response } = await gitHubSignIn(victim, github, "gina");
    expect(response.headers.get("location")).toBe(`${HTTPS_ORIGIN}/api/auth/signin?error=OAuthAccountNotLinked`);
    expect(await victim.session()).toBeNull();
    expect(db.prepare(`SELECT "userId" FROM accounts WHERE provider = 'github'`).all()).toEqual([]);

    // The squatter's passkey signs in to the squatter's own user, which holds nothing of the victim's.
    const again = new EngineClient(HTTPS_ORIGIN, config);
    await passkeySignIn(again, device);
    expect(db.prepare(`SELECT COUNT(*) AS n FROM accounts`).get()).toEqual({ n: 1 });
  });
});

});

// ---------------------------------------------------------------------------------------------
// 4. The throttle fallback counts every conventional field submitted: an attacker who adds a
//    fresh email each try while authorize reads `username` is still counted on the username.
// ---------------------------------------------------------------------------------------------
describe("the per-account credentials limit without declared fields", () => {
  it("cannot be dodged by adding a throw-away email field when authorize reads username", async () => {
    const config: AuthConfig = {
      secret: SECRET,
      trustHost: true,
      providers: [
        Credentials({
          // The app's own form posts username + password.
          authorize: (credentials) => (credentials.username === "alice" && credentials.password === "correct horse" ? { id: "alice", name: "Alice" } : null),
        }),
      ],
      logger: quiet,
    };
    const client = new EngineClient(HTTPS_ORIGIN, config);
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) {
      const csrfToken = await client.csrfToken();
      const { response } = await client.fetch("/api/auth/callback/credentials", { form: { csrfToken, email: `decoy-${i}@x.test`, username: "alice", password: `guess-${i}` } });
      statuses.push(response.status);
    }
    // 15 guesses at alice's password: the 11th on must be refused, as without the decoy field.
    expect(statuses.slice(10), "guesses 11–15 at one account").toEqual([429, 429, 429, 429, 429]);
  });
});
