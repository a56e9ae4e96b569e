/**
 * Database sessions and account linking end to end: the real local OpenID provider, the SQLite
 * adapter on a real better-sqlite3 database, the engine in between.
 */
import { loginThroughIdP, startLocalIdP, type LocalIdP } from "@latch/local-idp";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import { storedSessionKey } from "../src/core/session/database-session.js";
import OIDC from "../src/providers/oidc.js";
import { MemoryRevocationStore } from "../src/revocation/memory.js";
import type { AuthConfig, Provider } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3996";
const SECRET = "database-session-secret-of-enough-length-0123456789";
let idp: LocalIdP;

beforeAll(async () => {
  idp = await startLocalIdP({
    clients: [
      {
        client_id: "latch-db",
        client_secret: "latch-db-secret",
        redirect_uris: [`${ORIGIN}/api/auth/callback/local`, `${ORIGIN}/api/auth/callback/other`],
      },
    ],
  });
});

afterAll(async () => {
  await idp?.close();
});

function provider(id: string, extra: { allowDangerousEmailAccountLinking?: boolean } = {}): Provider {
  return OIDC({ id, name: id, issuer: idp.issuer, clientId: "latch-db", clientSecret: "latch-db-secret", ...extra });
}

function freshDb(): Database.Database {
  const db = new Database(":memory:");
  migrateSQLite(db);
  return db;
}

function configFor(db: Database.Database, extra: Partial<AuthConfig> = {}): AuthConfig {
  return { secret: SECRET, trustHost: true, adapter: SQLiteAdapter(db), providers: [provider("local"), provider("other")], logger: { error: () => undefined }, ...extra };
}

async function signIn(client: EngineClient, providerId = "local", login = "alice"): Promise<Response> {
  const csrfToken = await client.csrfToken();
  const start = await client.fetch(`/api/auth/signin/${providerId}`, { form: { csrfToken, callbackUrl: "/home" } });
  const callback = await loginThroughIdP(start.response.headers.get("location") ?? "", login);
  return (await client.fetch(callback)).response;
}

function count(db: Database.Database, table: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

describe("database sessions (the default with an adapter)", () => {
  it("stores an opaque token, reads the user from the database, and deletes the row at sign-out", async () => {
    const db = freshDb();
    const seen: unknown[] = [];
    const client = new EngineClient(ORIGIN, configFor(db, { callbacks: { session: ({ session, token, user }) => (seen.push({ sub: token.sub, userId: user?.id }), { ...session, userId: token.sub }) } }));
    const response = await signIn(client);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/home`);
    const cookie = client.jar.get("authjs.session-token") ?? "";
    expect(cookie).toMatch(/^[0-9a-f]{64}$/);
    expect(count(db, "sessions")).toBe(1);
    expect(count(db, "users")).toBe(1);

    const session = (await client.session()) as { user: { name: string; email: string }; userId: string };
    expect(session.user).toMatchObject({ name: "Alice", email: "alice@example.test" });
    const stored = db.prepare("SELECT id FROM users").get() as { id: string };
    expect(session.userId).toBe(stored.id);
    expect(seen.at(-1)).toEqual({ sub: stored.id, userId: stored.id });

    const csrfToken = await client.csrfToken();
    const out = await client.fetch("/api/auth/signout", { form: { csrfToken } });
    expect(out.response.status).toBe(302);
    expect(count(db, "sessions")).toBe(0);
    expect(await client.session()).toBeNull();
  });

  it("finds the same user at the next sign-in of the same provider account", async () => {
    const db = freshDb();
    await signIn(new EngineClient(ORIGIN, configFor(db)));
    await signIn(new EngineClient(ORIGIN, configFor(db)));
    expect(count(db, "users")).toBe(1);
    expect(count(db, "accounts")).toBe(1);
    expect(count(db, "sessions")).toBe(2);
  });

  it("writes a new expiry at most once per updateAge", async () => {
    const db = freshDb();
    const client = new EngineClient(ORIGIN, configFor(db));
    await signIn(client);
    const expiry = () => (db.prepare("SELECT expires FROM sessions").get() as { expires: unknown }).expires;
    const before = expiry();
    await client.session();
    expect(expiry()).toEqual(before);

    const eager = new EngineClient(ORIGIN, configFor(db, { session: { updateAge: 0 } }));
    eager.jar.set("authjs.session-token", client.jar.get("authjs.session-token") ?? "");
    await new Promise((resolve) => setTimeout(resolve, 5));
    await eager.session();
    expect(expiry()).not.toEqual(before);
  });

  it("deletes an expired session and clears the cookie; an unknown token clears the cookie", async () => {
    const db = freshDb();
    const config = configFor(db);
    const client = new EngineClient(ORIGIN, config);
    await signIn(client);
    const token = client.jar.get("authjs.session-token") ?? "";
    const adapter = config.adapter;
    await adapter?.updateSession?.({ sessionToken: await storedSessionKey(token), expires: new Date(Date.now() - 1000) });
    expect(await client.session()).toBeNull();
    expect(count(db, "sessions")).toBe(0);
    expect(client.jar.has("authjs.session-token")).toBe(false);

    const stranger = new EngineClient(ORIGIN, config);
    stranger.jar.set("authjs.session-token", "f".repeat(64));
    const { cookies } = await stranger.fetch("/api/auth/session");
    expect(cookies.find((c) => c.name === "authjs.session-token")?.attributes["max-age"]).toBe("0");
  });

  it("keeps the cookie when the database is down, and answers no session instead of an error", async () => {
    const db = freshDb();
    const client = new EngineClient(ORIGIN, configFor(db));
    await signIn(client);
    db.close();
    const { response, cookies } = await client.fetch("/api/auth/session");
    expect(response.status).toBe(200);
    expect(await response.json()).toBeNull();
    expect(cookies.some((c) => c.name === "authjs.session-token")).toBe(false);
  });

  it("sends a first-time user to pages.newUser", async () => {
    const db = freshDb();
    const client = new EngineClient(ORIGIN, configFor(db, { pages: { newUser: "/welcome" } }));
    const response = await signIn(client);
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.pathname).toBe("/welcome");
    expect(location.searchParams.get("callbackUrl")).toBe(`${ORIGIN}/home`);
    const again = await signIn(new EngineClient(ORIGIN, configFor(db, { pages: { newUser: "/welcome" } })));
    expect(again.headers.get("location")).toBe(`${ORIGIN}/home`);
  });
});

describe("account linking", () => {
  it("refuses to link by email unless the provider allows it", async () => {
    const db = freshDb();
    await signIn(new EngineClient(ORIGIN, configFor(db)), "local", "alice");
    // Another provider account with the same email, from a browser with no session.
    const refused = await signIn(new EngineClient(ORIGIN, configFor(db)), "other", "alice");
    const location = new URL(refused.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("OAuthAccountNotLinked");
    expect(count(db, "accounts")).toBe(1);

    const dangerous = configFor(db, { providers: [provider("local"), provider("other", { allowDangerousEmailAccountLinking: true })] });
    const linked = await signIn(new EngineClient(ORIGIN, dangerous), "other", "alice");
    expect(linked.headers.get("location")).toBe(`${ORIGIN}/home`);
    expect(count(db, "accounts")).toBe(2);
    expect(count(db, "users")).toBe(1);
  });

  it("links a new provider account to the user signed in on this browser", async () => {
    const db = freshDb();
    const client = new EngineClient(ORIGIN, configFor(db));
    await signIn(client, "local", "alice");
    await signIn(client, "other", "alice-elsewhere");
    expect(count(db, "users")).toBe(1);
    const accounts = db.prepare('SELECT provider, "providerAccountId" AS id FROM accounts ORDER BY provider').all();
    expect(accounts).toEqual([
      { provider: "local", id: "alice" },
      { provider: "other", id: "alice-elsewhere" },
    ]);
  });

  it("gives the signIn callback the stored user of a returning account, and the provider's user the first time (as Auth.js)", async () => {
    const db = freshDb();
    const seen: Array<{ id: string | undefined; emailVerified: unknown }> = [];
    const config = configFor(db, {
      callbacks: {
        signIn({ user }) {
          seen.push({ id: user.id, emailVerified: "emailVerified" in user ? user.emailVerified : "absent" });
          return true;
        },
      },
    });
    await signIn(new EngineClient(ORIGIN, config), "local", "alice");
    await signIn(new EngineClient(ORIGIN, config), "local", "alice");
    const stored = db.prepare("SELECT id FROM users").get() as { id: string };
    expect(seen[0]?.emailVerified, "first sign-in: the provider's user").toBe("absent");
    // The stored user: the IdP's ID token said email_verified, so latch stored the address verified.
    expect(seen[1]).toEqual({ id: stored.id, emailVerified: expect.any(Date) as unknown });
  });

  it("links nothing to a session that has ended: a revoked JWT session's copy, an expired database session", async () => {
    // JWT sessions with a revocation store: the cookie still decrypts after sign-out, but is revoked.
    const jwtDb = freshDb();
    const jwtConfig = configFor(jwtDb, { session: { strategy: "jwt" }, revocation: MemoryRevocationStore() });
    const browser = new EngineClient(ORIGIN, jwtConfig);
    await signIn(browser, "local", "alice");
    const stolen = new EngineClient(ORIGIN, jwtConfig);
    for (const [name, value] of browser.jar) stolen.jar.set(name, value);
    await browser.fetch("/api/auth/signout", { form: { csrfToken: await browser.csrfToken() } });
    await signIn(stolen, "other", "mallory");
    expect(count(jwtDb, "users"), "mallory's account became a user of its own").toBe(2);
    expect(jwtDb.prepare("SELECT provider FROM accounts WHERE \"userId\" = (SELECT \"userId\" FROM accounts WHERE provider = 'local')").all()).toEqual([{ provider: "local" }]);

    // Database sessions: a row past its expiry is no session, even before it is deleted.
    const db = freshDb();
    const client = new EngineClient(ORIGIN, configFor(db));
    await signIn(client, "local", "alice");
    db.prepare("UPDATE sessions SET expires = ?").run(Date.now() - 1000);
    await signIn(client, "other", "mallory");
    expect(count(db, "users")).toBe(2);
  });

  it("refuses a provider account that belongs to another user while signed in", async () => {
    const db = freshDb();
    await signIn(new EngineClient(ORIGIN, configFor(db)), "other", "bob");
    const client = new EngineClient(ORIGIN, configFor(db));
    await signIn(client, "local", "alice");
    const refused = await signIn(client, "other", "bob");
    expect(new URL(refused.headers.get("location") ?? "").searchParams.get("error")).toBe("OAuthAccountNotLinked");
  });

  it("uses the stored user's id as token.sub with JWT sessions and an adapter", async () => {
    const db = freshDb();
    const client = new EngineClient(ORIGIN, configFor(db, { session: { strategy: "jwt" }, callbacks: { session: ({ session, token }) => ({ ...session, sub: token.sub }) } }));
    await signIn(client);
    expect(client.jar.get("authjs.session-token")?.split(".")).toHaveLength(5);
    const stored = db.prepare("SELECT id FROM users").get() as { id: string };
    expect(((await client.session()) as { sub: string }).sub).toBe(stored.id);
    expect(count(db, "sessions")).toBe(0);
  });
});

describe("session rows are stored under a hash of the token", () => {
  it("keeps no cookie token in the table, and a stolen key used as a cookie is no session", async () => {
    const db = freshDb();
    const config = configFor(db);
    const client = new EngineClient(ORIGIN, config);
    await signIn(client);
    const token = client.jar.get("authjs.session-token") ?? "";
    const stored = db.prepare('SELECT "sessionToken" AS key FROM sessions').all() as Array<{ key: string }>;
    expect(stored).toEqual([{ key: await storedSessionKey(token) }]);
    expect(JSON.stringify(db.prepare("SELECT * FROM sessions").all())).not.toContain(token);
    expect(await client.session()).toMatchObject({ user: { name: "Alice" } });

    // A leaked table (a backup, an injection) holds keys; presented as cookies they open nothing.
    const thief = new EngineClient(ORIGIN, config);
    thief.jar.set("authjs.session-token", stored[0]?.key ?? "");
    expect(await thief.session()).toBeNull();
    expect(count(db, "sessions"), "the owner's row is untouched").toBe(1);
  });

  it("reads a row stored under its raw token (next-auth, or latch before hashing), moves it to its hashed key, and signs it out", async () => {
    const db = freshDb();
    const adapter = SQLiteAdapter(db);
    const config = configFor(db, { adapter });
    const user = await adapter.createUser!({ id: "legacy-user", email: "legacy@example.com", name: "Legacy", emailVerified: null });
    // What next-auth v5 wrote: the cookie's token itself as the row's key.
    const legacyToken = crypto.randomUUID();
    await adapter.createSession!({ sessionToken: legacyToken, userId: user.id, expires: new Date(Date.now() + 3600_000) });
    const client = new EngineClient(ORIGIN, config);
    client.jar.set("authjs.session-token", legacyToken);

    expect(await client.session(), "still signed in after the migration").toMatchObject({ user: { name: "Legacy" } });
    expect(db.prepare('SELECT "sessionToken" AS key FROM sessions').all()).toEqual([{ key: await storedSessionKey(legacyToken) }]);
    expect(client.jar.get("authjs.session-token"), "the cookie keeps its token").toBe(legacyToken);
    expect(await client.session()).toMatchObject({ user: { name: "Legacy" } });

    await client.fetch("/api/auth/signout", { form: { csrfToken: await client.csrfToken() } });
    expect(count(db, "sessions")).toBe(0);
  });

  it("keeps a legacy session when moving it fails, and signs nobody out", async () => {
    const db = freshDb();
    const base = SQLiteAdapter(db);
    let creates = 0;
    const adapter = {
      ...base,
      createSession: async (session: Parameters<NonNullable<typeof base.createSession>>[0]) => {
        creates += 1;
        throw new Error(`the database refused the insert (${session.userId})`);
      },
    };
    const user = await base.createUser!({ id: "legacy-2", email: "legacy2@example.com", name: "Legacy Two", emailVerified: null });
    const legacyToken = crypto.randomUUID();
    await base.createSession!({ sessionToken: legacyToken, userId: user.id, expires: new Date(Date.now() + 3600_000) });
    const client = new EngineClient(ORIGIN, configFor(db, { adapter }));
    client.jar.set("authjs.session-token", legacyToken);
    expect(await client.session()).toMatchObject({ user: { name: "Legacy Two" } });
    expect(creates).toBe(1);
    expect(db.prepare('SELECT "sessionToken" AS key FROM sessions').all()).toEqual([{ key: legacyToken }]);
  });
});

describe("moving legacy rows never brings a session back", () => {
  async function legacySetup(wrap: (base: ReturnType<typeof SQLiteAdapter>) => ReturnType<typeof SQLiteAdapter>) {
    const db = freshDb();
    const base = SQLiteAdapter(db);
    const user = await base.createUser!({ id: `legacy-${crypto.randomUUID()}`, email: `${crypto.randomUUID()}@example.com`, name: "Legacy", emailVerified: null });
    const token = crypto.randomUUID();
    await base.createSession!({ sessionToken: token, userId: user.id, expires: new Date(Date.now() + 3600_000) });
    const config = configFor(db, { adapter: wrap(base) });
    const client = new EngineClient(ORIGIN, config);
    client.jar.set("authjs.session-token", token);
    return { db, config, client, token };
  }

  it("sign-out deletes a raw twin a failed delete left behind, so a copied cookie stays dead", async () => {
    let failDeletes = 1;
    const { db, config, client, token } = await legacySetup((base) => ({
      ...base,
      deleteSession: async (key: string): Promise<void> => {
        if (failDeletes > 0 && key === token) {
          failDeletes -= 1;
          throw new Error("the database dropped the delete");
        }
        await base.deleteSession!(key);
      },
    }));
    expect(await client.session()).toMatchObject({ user: { name: "Legacy" } });
    expect(count(db, "sessions"), "the hashed row and its raw twin").toBe(2);
    const copy = new EngineClient(ORIGIN, config);
    copy.jar.set("authjs.session-token", token);
    await client.fetch("/api/auth/signout", { form: { csrfToken: await client.csrfToken() } });
    expect(count(db, "sessions")).toBe(0);
    expect(await copy.session()).toBeNull();
  });

  it("a sign-out that lands while a read moves the row wins: the moved row is removed again", async () => {
    let release: () => void = () => undefined;
    const paused = new Promise<void>((resolve) => (release = resolve));
    let pausedOnce = false;
    const { db, config, client, token } = await legacySetup((base) => ({
      ...base,
      createSession: async (session: Parameters<NonNullable<typeof base.createSession>>[0]) => {
        if (!pausedOnce) {
          pausedOnce = true;
          await paused;
        }
        return base.createSession!(session);
      },
    }));
    const reading = client.session();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Meanwhile, the same session signs out from another tab.
    const other = new EngineClient(ORIGIN, config);
    other.jar.set("authjs.session-token", token);
    await other.fetch("/api/auth/signout", { form: { csrfToken: await other.csrfToken() } });
    release();
    expect(await reading).toBeNull();
    expect(count(db, "sessions")).toBe(0);
    expect(await client.session()).toBeNull();
  });

  it("a stored key in another letter case is no cookie, even where the database compares keys case-insensitively", async () => {
    const db = freshDb();
    const base = SQLiteAdapter(db);
    // A stand-in for MySQL's default collations: keys compared without regard to case.
    const caseInsensitive = { ...base, getSessionAndUser: (key: string) => base.getSessionAndUser!(key.toLowerCase()) };
    const config = configFor(db, { adapter: caseInsensitive });
    const owner = new EngineClient(ORIGIN, config);
    await signIn(owner);
    const { key } = db.prepare('SELECT "sessionToken" AS key FROM sessions').get() as { key: string };
    for (const spelling of [key, `H1${key.slice(2)}`, key.toUpperCase()]) {
      const thief = new EngineClient(ORIGIN, config);
      thief.jar.set("authjs.session-token", spelling);
      expect(await thief.session(), spelling.slice(0, 6)).toBeNull();
    }
    expect(await owner.session()).toMatchObject({ user: { name: "Alice" } });
  });
});
