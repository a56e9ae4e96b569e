/**
 * `revokeUser(userId)` end to end: real sign-ins through the routes (credentials provider), the
 * SQLite adapter, the memory and SQLite revocation stores, bearer and refresh tokens, and the
 * `audit` sink. What it shows: every session of one user ends, on every device, from a script
 * (no request scope) or a server action, while other users keep theirs; database rows are
 * deleted; with a revocation store the user's bearer tokens end too; a config that cannot end
 * sessions, or an id that is not one, is refused before anything is ended; the audit event says
 * `revoked-by-app` and carries the request only when there is one. And `signOutEverywhere()`,
 * which now runs on the same code, still ends the other devices' sessions.
 */
import Database from "better-sqlite3";
import { NextRequest } from "next/server";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import type { Adapter } from "../src/adapters/types.js";
import { MissingAdapterMethods, UnsupportedStrategy } from "../src/errors.js";
import NextAuth from "../src/next/index.js";
import type { NextAuthConfig, NextAuthResult } from "../src/next/types.js";
import Credentials from "../src/providers/credentials.js";
import { MemoryRefreshTokenStore } from "../src/refresh-tokens/memory.js";
import { MemoryRevocationStore } from "../src/revocation/memory.js";
import { SQLiteRevocationStore } from "../src/revocation/sqlite.js";
import type { RevocationStore } from "../src/revocation/types.js";
import type { AuditEvent } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";
import { isolateAuthEnv } from "./security/helpers/app.js";

// next/headers as Next.js answers it: the request's headers and cookies inside a request scope
// (a server component, a route handler, a server action), an error outside one (a script, a job).
const next = vi.hoisted(() => ({ scope: null as { headers: Headers; cookies: Map<string, string> } | null }));
vi.mock("next/headers", async () => (await import("./helpers/next-request-scope.js")).nextHeaders(() => next.scope));
vi.mock("next/navigation", async (importOriginal) => ({
  ...(await importOriginal<object>()),
  ...(await import("./helpers/next-request-scope.js")).navigation,
}));

const ORIGIN = "https://app.test";
const BASE_PATH = "/api/auth";
const SECRET = "revoke-user-test-secret-of-enough-length-0123456789";
const SESSION_COOKIE = "__Secure-authjs.session-token";
const quiet = { error: () => undefined, warn: () => undefined };

const USERS = {
  alice: { id: "user-alice", name: "Alice", email: "alice@example.com", password: "alice-password" },
  bob: { id: "user-bob", name: "Bob", email: "bob@example.com", password: "bob-password" },
} as const;
type Who = keyof typeof USERS;

isolateAuthEnv();
beforeEach(() => {
  vi.stubEnv("AUTH_URL", ORIGIN);
  next.scope = null;
});

// ---------------------------------------------------------------------------------------------
// The application and its browsers

interface App {
  config: NextAuthConfig;
  nextAuth: NextAuthResult;
  db: Database.Database;
  adapter: Adapter;
  events: AuditEvent[];
}

interface AppOptions {
  strategy: "jwt" | "database";
  revocation?: RevocationStore;
  /** The adapter to use instead of the full SQLite adapter (same database). */
  adapter?: (full: ReturnType<typeof SQLiteAdapter>) => Adapter;
}

/** Alice and Bob sign in with the credentials form; both are stored users, for the database strategy. */
async function makeApp(options: AppOptions): Promise<App> {
  const db = new Database(":memory:");
  migrateSQLite(db);
  const full = SQLiteAdapter(db);
  for (const user of Object.values(USERS)) await full.createUser?.({ id: user.id, name: user.name, email: user.email, emailVerified: null, image: null });
  const adapter = options.adapter ? options.adapter(full) : full;
  const events: AuditEvent[] = [];
  const config: NextAuthConfig = {
    secret: SECRET,
    session: { strategy: options.strategy },
    // The JWT apps keep no adapter: a JWT session needs none, and nothing but the store can end it.
    ...(options.strategy === "database" ? { adapter } : {}),
    ...(options.revocation ? { revocation: options.revocation } : {}),
    providers: [
      Credentials({
        credentials: { email: { type: "email" }, password: { type: "password" } },
        authorize: ({ email, password }) => {
          const user = Object.values(USERS).find((u) => u.email === email && u.password === password);
          return user ? { id: user.id, name: user.name, email: user.email } : null;
        },
      }),
    ],
    bearer: { refreshTokens: { store: MemoryRefreshTokenStore() } },
    callbacks: {
      session: ({ session, token, user }) => {
        if (session.user) session.user.id = user?.id ?? (typeof token?.sub === "string" ? token.sub : undefined);
        return session;
      },
    },
    audit: (event) => void events.push(event),
    logger: quiet,
  };
  return { config, nextAuth: NextAuth(config), db, adapter, events };
}

interface SessionJson {
  user?: { id?: string; email?: string | null };
}

/** A new browser ("device") signed in as `who` through POST /callback/credentials. */
async function signIn(app: App, who: Who): Promise<EngineClient> {
  const client = new EngineClient(ORIGIN, app.config);
  const csrfToken = await client.csrfToken();
  const { email, password } = USERS[who];
  const { response } = await client.fetch(`${BASE_PATH}/callback/credentials`, { form: { csrfToken, email, password, callbackUrl: `${ORIGIN}/` } });
  expect(response.status).toBe(303);
  if (!client.jar.get(SESSION_COOKIE)) throw new Error(`${who} got no session cookie`);
  expect(await userIdOf(client), `${who} is signed in`).toBe(USERS[who].id);
  return client;
}

/** GET /api/auth/session → the signed-in user's id, or null. */
async function userIdOf(client: EngineClient): Promise<string | null> {
  const session = (await client.session()) as SessionJson | null;
  return session?.user?.id ?? null;
}

/** `auth()` in a server component rendered for `client`'s browser → the user's id, or null. */
async function authOf(app: App, client: EngineClient): Promise<string | null> {
  inRequest({}, client.jar);
  try {
    const session = await app.nextAuth.auth();
    return session?.user?.id ?? null;
  } finally {
    next.scope = null;
  }
}

/** Enters a request scope: what next/headers answers while a server component or action runs. */
function inRequest(headers: Record<string, string>, jar: Map<string, string> = new Map()): void {
  const all = new Headers({ host: "app.test", ...headers });
  if (jar.size > 0) all.set("cookie", [...jar].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("; "));
  next.scope = { headers: all, cookies: new Map(jar) };
}

/** Runs a server action and returns where it redirected (or what it returned). */
async function serverAction(run: () => Promise<unknown>): Promise<string> {
  try {
    const value = await run();
    return typeof value === "string" ? value : "";
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("NEXT_REDIRECT ")) return error.message.slice("NEXT_REDIRECT ".length);
    throw error;
  }
}

/** The user ids of the database's session rows, sorted. */
function sessionRows(app: App): string[] {
  return app.db
    .prepare<[], { userId: string }>(`SELECT "userId" FROM sessions ORDER BY "userId"`)
    .all()
    .map((row) => row.userId);
}

/** `POST /token` with `offline` from a signed-in browser: an unbound bearer token and a refresh token. */
async function offlineTokens(client: EngineClient): Promise<{ token: string; refreshToken: string }> {
  const { response } = await client.fetch(`${BASE_PATH}/token`, { form: { offline: "true" }, headers: { "x-latch-bearer": "1" } });
  const body = (await response.json()) as { token?: string; refreshToken?: string };
  if (!body.token || !body.refreshToken) throw new Error(`no offline tokens: ${JSON.stringify(body)}`);
  return { token: body.token, refreshToken: body.refreshToken };
}

/** An API route behind `protect()`, called with a bearer token → its status. */
async function callApi(app: App, token: string): Promise<number> {
  const route = app.nextAuth.protect((request) => Response.json({ id: request.auth.user?.id }));
  const request = new NextRequest(`${ORIGIN}/api/me`, { headers: { host: "app.test", accept: "application/json", authorization: `Bearer ${token}` } });
  return (await route(request, undefined)).status;
}

/** The refresh grant, as a native client sends it → its status. */
async function refresh(client: EngineClient, refreshToken: string): Promise<number> {
  const cookieless = new EngineClient(ORIGIN, client.config);
  const { response } = await cookieless.fetch(`${BASE_PATH}/token`, { form: { grant_type: "refresh_token", refresh_token: refreshToken } });
  return response.status;
}

/** Waits until the clock is in a later whole second than `after` (ms): auth_time counts whole seconds. */
async function nextSecond(after: number): Promise<void> {
  const wait = (Math.floor(after / 1000) + 1) * 1000 - Date.now() + 20;
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

function revokedEvents(app: App) {
  return app.events.filter((event): event is Extract<AuditEvent, { type: "session-revoked" }> => event.type === "session-revoked");
}

// =============================================================================================

describe("revokeUser() with JWT sessions and a revocation store", () => {
  it("ends both of Alice's devices from a script (no request scope), leaves Bob signed in, and lets Alice sign in again", async () => {
    const app = await makeApp({ strategy: "jwt", revocation: SQLiteRevocationStore(new Database(":memory:")) });
    const laptop = await signIn(app, "alice");
    const phone = await signIn(app, "alice");
    const bob = await signIn(app, "bob");
    expect(await authOf(app, laptop)).toBe(USERS.alice.id);

    expect(next.scope).toBeNull();
    await app.nextAuth.revokeUser(USERS.alice.id);
    const revokedAt = Date.now();

    expect(await userIdOf(laptop)).toBeNull();
    expect(await userIdOf(phone)).toBeNull();
    expect(await authOf(app, laptop)).toBeNull();
    expect(await authOf(app, phone)).toBeNull();
    expect(await userIdOf(bob)).toBe(USERS.bob.id);
    expect(await authOf(app, bob)).toBe(USERS.bob.id);

    // A sign-in in the same second as the cut-off would still be refused (auth_time is in whole seconds).
    await nextSecond(revokedAt);
    const again = await signIn(app, "alice");
    expect(await authOf(app, again)).toBe(USERS.alice.id);
    // The old cookies stay dead.
    expect(await userIdOf(laptop)).toBeNull();
  });

  it("also ends a copy of a session cookie kept elsewhere (the memory store)", async () => {
    const app = await makeApp({ strategy: "jwt", revocation: MemoryRevocationStore() });
    const laptop = await signIn(app, "alice");
    const copy = new EngineClient(ORIGIN, app.config);
    for (const [name, value] of laptop.jar) copy.jar.set(name, value);
    expect(await userIdOf(copy)).toBe(USERS.alice.id);
    await app.nextAuth.revokeUser(USERS.alice.id);
    expect(await userIdOf(copy)).toBeNull();
    expect(await userIdOf(laptop)).toBeNull();
  });
});

describe("revokeUser() with database sessions", () => {
  it("deletes every session row of Alice, ends both her devices, and leaves Bob's row and session", async () => {
    const app = await makeApp({ strategy: "database" });
    const laptop = await signIn(app, "alice");
    const phone = await signIn(app, "alice");
    const bob = await signIn(app, "bob");
    expect(sessionRows(app)).toEqual([USERS.alice.id, USERS.alice.id, USERS.bob.id]);

    await app.nextAuth.revokeUser(USERS.alice.id);

    expect(sessionRows(app)).toEqual([USERS.bob.id]);
    expect(await userIdOf(laptop)).toBeNull();
    expect(await userIdOf(phone)).toBeNull();
    expect(await authOf(app, phone)).toBeNull();
    expect(await userIdOf(bob)).toBe(USERS.bob.id);
    expect(await authOf(app, bob)).toBe(USERS.bob.id);

    // No cut-off applies to database sessions: Alice can sign in again at once.
    const again = await signIn(app, "alice");
    expect(await authOf(app, again)).toBe(USERS.alice.id);
    expect(sessionRows(app)).toEqual([USERS.alice.id, USERS.bob.id]);
  });

  it("with a revocation store too, ends Alice's sessions and refresh tokens and leaves Bob's; her issued bearer token lives out its lifetime, not refused forever", async () => {
    const app = await makeApp({ strategy: "database", revocation: SQLiteRevocationStore(new Database(":memory:")) });
    const laptop = await signIn(app, "alice");
    const alice = await offlineTokens(laptop);
    const bob = await offlineTokens(await signIn(app, "bob"));
    expect(await callApi(app, alice.token)).toBe(200);

    await app.nextAuth.revokeUser(USERS.alice.id);

    expect(await userIdOf(laptop)).toBeNull();
    expect(await refresh(laptop, alice.refreshToken)).toBe(400);
    // No user cut-off is written for database sessions: one would refuse her later bearer tokens
    // too, since they carry no sign-in time (the next test).
    expect(await callApi(app, alice.token)).toBe(200);
    expect(await callApi(app, bob.token)).toBe(200);
    expect(await refresh(laptop, bob.refreshToken)).toBe(200);
  });

  it("with a revocation store, Alice's bearer tokens from a later sign-in work, refreshed ones too (no cut-off outlives the rows)", async () => {
    const app = await makeApp({ strategy: "database", revocation: SQLiteRevocationStore(new Database(":memory:")) });
    const before = await offlineTokens(await signIn(app, "alice"));
    await app.nextAuth.revokeUser(USERS.alice.id);
    expect(await callApi(app, before.token), "the old bearer token lives out its lifetime").toBe(200);

    const phone = await signIn(app, "alice");
    const after = await offlineTokens(phone);
    expect(await callApi(app, after.token), "a bearer token of the new sign-in").toBe(200);
    const cookieless = new EngineClient(ORIGIN, phone.config);
    const { response } = await cookieless.fetch(`${BASE_PATH}/token`, { form: { grant_type: "refresh_token", refresh_token: after.refreshToken } });
    expect(response.status).toBe(200);
    const refreshed = (await response.json()) as { token?: string };
    expect(await callApi(app, refreshed.token ?? ""), "a bearer token from its refresh token").toBe(200);
  });

  it("without a revocation store, Alice's refresh token ends with her rows but an issued bearer token lives out its lifetime (as documented)", async () => {
    const app = await makeApp({ strategy: "database" });
    const laptop = await signIn(app, "alice");
    const alice = await offlineTokens(laptop);
    await app.nextAuth.revokeUser(USERS.alice.id);
    expect(await userIdOf(laptop)).toBeNull();
    expect(await refresh(laptop, alice.refreshToken)).toBe(400);
    // The control for the test above: there, the store is what ends the bearer token.
    expect(await callApi(app, alice.token)).toBe(200);
  });
});

describe("revokeUser() refuses, and ends nothing", () => {
  it("JWT sessions without a revocation store: UnsupportedStrategy naming `revocation`", async () => {
    const app = await makeApp({ strategy: "jwt" });
    const laptop = await signIn(app, "alice");
    const refused = app.nextAuth.revokeUser(USERS.alice.id);
    await expect(refused).rejects.toBeInstanceOf(UnsupportedStrategy);
    await expect(refused).rejects.toThrow(/revocation/);
    expect(await userIdOf(laptop)).toBe(USERS.alice.id);
    expect(revokedEvents(app)).toEqual([]);
  });

  it("database sessions with an adapter lacking deleteSessionsByUserId: MissingAdapterMethods, before the revocation store is touched", async () => {
    const revocation = MemoryRevocationStore();
    const revokeUserSpy = vi.spyOn(revocation, "revokeUser");
    const app = await makeApp({
      strategy: "database",
      revocation,
      adapter: (full) => {
        const lacking: Adapter = { ...full };
        delete lacking.deleteSessionsByUserId;
        return lacking;
      },
    });
    const laptop = await signIn(app, "alice");
    const { token } = await offlineTokens(laptop);
    const refused = app.nextAuth.revokeUser(USERS.alice.id);
    await expect(refused).rejects.toBeInstanceOf(MissingAdapterMethods);
    await expect(refused).rejects.toThrow(/deleteSessionsByUserId/);
    expect(revokeUserSpy).not.toHaveBeenCalled();
    expect(sessionRows(app)).toEqual([USERS.alice.id]);
    expect(await userIdOf(laptop)).toBe(USERS.alice.id);
    expect(await callApi(app, token)).toBe(200);
    expect(revokedEvents(app)).toEqual([]);
  });

  it("an id that is not a non-empty string: TypeError, in either strategy", async () => {
    for (const strategy of ["jwt", "database"] as const) {
      const revocation = MemoryRevocationStore();
      const revokeUserSpy = vi.spyOn(revocation, "revokeUser");
      const app = await makeApp({ strategy, revocation });
      const laptop = await signIn(app, "alice");
      for (const bad of ["", 42 as unknown as string, undefined as unknown as string, null as unknown as string]) {
        await expect(app.nextAuth.revokeUser(bad), `${strategy} ${String(bad)}`).rejects.toBeInstanceOf(TypeError);
      }
      expect(revokeUserSpy, strategy).not.toHaveBeenCalled();
      expect(await userIdOf(laptop), strategy).toBe(USERS.alice.id);
      if (strategy === "database") expect(sessionRows(app)).toEqual([USERS.alice.id]);
      expect(revokedEvents(app), strategy).toEqual([]);
      // The control: a valid call ends what the bad ones did not (and the spy sees the store
      // through latch's wrapping, so "not called" above means something).
      await app.nextAuth.revokeUser(USERS.alice.id);
      expect(await userIdOf(laptop), strategy).toBeNull();
      if (strategy === "jwt") expect(revokeUserSpy.mock.calls.map((call) => call[0]), strategy).toEqual([USERS.alice.id]);
      else expect(sessionRows(app), strategy).toEqual([]);
    }
  });
});

describe("revokeUser() audit", () => {
  it("outside a request scope: session-revoked, scope user, reason revoked-by-app, the user id, and no request", async () => {
    for (const strategy of ["jwt", "database"] as const) {
      const app = await makeApp({ strategy, revocation: MemoryRevocationStore() });
      await signIn(app, "alice");
      const before = app.events.length;
      await app.nextAuth.revokeUser(USERS.alice.id);
      const events = app.events.slice(before);
      expect(events, strategy).toEqual([{ type: "session-revoked", time: expect.any(String) as unknown, userId: USERS.alice.id, scope: "user", reason: "revoked-by-app" }]);
      expect(events[0], strategy).not.toHaveProperty("request");
    }
  });

  it("inside a server action: the event carries the admin's request (user agent, address), and the admin's own session is untouched", async () => {
    const app = await makeApp({ strategy: "jwt", revocation: MemoryRevocationStore() });
    const alice = await signIn(app, "alice");
    const admin = await signIn(app, "bob");
    const userAgent = "Mozilla/5.0 AdminPanel/1.0";
    inRequest({ origin: ORIGIN, "sec-fetch-site": "same-origin", "user-agent": userAgent, "x-forwarded-for": "203.0.113.7" }, admin.jar);
    await app.nextAuth.revokeUser(USERS.alice.id);
    next.scope = null;
    const events = revokedEvents(app);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "session-revoked", userId: USERS.alice.id, scope: "user", reason: "revoked-by-app" });
    expect(events[0]?.request).toEqual({ ip: "203.0.113.7", userAgent });
    expect(await userIdOf(alice)).toBeNull();
    expect(await userIdOf(admin)).toBe(USERS.bob.id);
  });
});

describe("signOutEverywhere() on the shared code", () => {
  it("ends the other device's session, signs out here, and leaves Bob signed in", async () => {
    for (const strategy of ["jwt", "database"] as const) {
      const app = await makeApp({ strategy, ...(strategy === "jwt" ? { revocation: MemoryRevocationStore() } : {}) });
      const laptop = await signIn(app, "alice");
      const phone = await signIn(app, "alice");
      const bob = await signIn(app, "bob");
      inRequest({ origin: ORIGIN, "sec-fetch-site": "same-origin", "user-agent": "Laptop/1.0" }, laptop.jar);
      const scope = next.scope;
      expect(await serverAction(() => app.nextAuth.signOutEverywhere({ redirectTo: "/bye" })), strategy).toBe(`${ORIGIN}/bye`);
      next.scope = null;
      expect(scope?.cookies.has(SESSION_COOKIE), `${strategy}: signed out here`).toBe(false);
      expect(await userIdOf(phone), strategy).toBeNull();
      expect(await userIdOf(laptop), strategy).toBeNull();
      expect(await userIdOf(bob), strategy).toBe(USERS.bob.id);
      if (strategy === "database") expect(sessionRows(app)).toEqual([USERS.bob.id]);
      expect(revokedEvents(app), strategy).toMatchObject([{ userId: USERS.alice.id, scope: "user", reason: "sign-out-everywhere", request: { userAgent: "Laptop/1.0" } }]);
    }
  });
});
