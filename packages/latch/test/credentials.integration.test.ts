/**
 * Credentials sign-in end to end through the engine: CSRF, identical answers for an unknown user
 * and a wrong password, long passwords, throttling per account and per client address (in
 * memory, and shared through Redis by two instances), the JWT and the database strategy with the
 * real SQLite adapter, and the built-in form.
 */
import { storedSessionKey } from "../src/core/session/database-session.js";
import Database from "better-sqlite3";
import { Auth } from "../src/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import { CredentialsSignin } from "../src/errors.js";
import { decode } from "../src/jwt.js";
import { createPasswordHasher } from "../src/password.js";
import Credentials from "../src/providers/credentials.js";
import { RedisRateLimitStore } from "../src/rate-limit/redis.js";
import { MemoryRevocationStore } from "../src/revocation/memory.js";
import type { AuthConfig, CredentialsConfig, CredentialsRateLimit, RateLimitOptions, User } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";
import { requireRedis, type RedisNamespace } from "./helpers/services.js";

const ORIGIN = "http://127.0.0.1:3997";
const SECRET = "credentials-test-secret-of-enough-length-0123456789";
// A cheap hasher keeps the suite fast; the stored format and the dummy work are the same as the default's.
const passwords = createPasswordHasher({ logN: 12, unsafeLowCost: true });
const LONG_PASSWORD = "correct horse battery staple ".repeat(7).slice(0, 200);

interface StoredUser extends User {
  id: string;
  email: string;
  passwordHash: string;
}

const users = new Map<string, StoredUser>();
let redis: RedisNamespace;

beforeAll(async () => {
  users.set("alice@example.com", { id: "user-alice", email: "alice@example.com", name: "Alice", passwordHash: await passwords.hash("alice-password") });
  users.set("bob@example.com", { id: "user-bob", email: "bob@example.com", name: "Bob", passwordHash: await passwords.hash(LONG_PASSWORD) });
  redis = await requireRedis();
});

afterAll(async () => {
  await redis?.drop();
});

/** The app's authorize: look the user up, verify (a dummy hash for unknown users), count calls. */
function makeProvider(options: { rateLimit?: CredentialsRateLimit | false; lookup?: (email: string) => StoredUser | undefined } = {}) {
  const calls = { count: 0 };
  const lookup = options.lookup ?? ((email: string) => users.get(email));
  const provider = Credentials({
    credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
    ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
    async authorize({ email, password }) {
      calls.count++;
      const user = lookup(String(email));
      if (!(await passwords.verify(String(password), user?.passwordHash))) return null;
      return user ? { id: user.id, email: user.email, name: user.name ?? null } : null;
    },
  });
  return { provider, calls };
}

function config(extra: Partial<AuthConfig> & { provider?: CredentialsConfig; rateLimit?: RateLimitOptions } = {}): AuthConfig {
  const { provider, ...rest } = extra;
  return { secret: SECRET, trustHost: true, providers: [provider ?? makeProvider().provider], logger: { error: () => undefined, warn: () => undefined }, ...rest };
}

async function attempt(client: EngineClient, email: string, password: string, headers: Record<string, string> = {}) {
  const csrfToken = await client.csrfToken();
  return client.fetch("/api/auth/callback/credentials", { form: { csrfToken, email, password, callbackUrl: `${ORIGIN}/dashboard` }, headers });
}

describe("credentials sign-in with JWT sessions", () => {
  it("signs in with the right password: 303 to the callbackUrl, a session whose sub is the user's id", async () => {
    const client = new EngineClient(ORIGIN, config());
    const { response } = await attempt(client, "alice@example.com", "alice-password");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    const session = (await client.session()) as { user: { email: string; name: string } };
    expect(session.user).toMatchObject({ email: "alice@example.com", name: "Alice" });
    const token = await decode({ token: client.jar.get("authjs.session-token"), secret: SECRET, salt: "authjs.session-token" });
    expect(token?.sub).toBe("user-alice");
    expect(typeof token?.sid).toBe("string");
  });

  it("answers an unknown user and a wrong password identically, and sets no session", async () => {
    const wrong = await attempt(new EngineClient(ORIGIN, config()), "alice@example.com", "not-her-password");
    const unknown = await attempt(new EngineClient(ORIGIN, config()), "nobody@example.com", "not-her-password");
    for (const { response, cookies } of [wrong, unknown]) {
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe(`${ORIGIN}/api/auth/signin?error=CredentialsSignin&code=credentials`);
      expect(cookies.some((c) => c.name === "authjs.session-token")).toBe(false);
    }
    expect(await wrong.response.text()).toBe(await unknown.response.text());
    expect(wrong.cookies.map((c) => c.name)).toEqual(unknown.cookies.map((c) => c.name));
    expect([...wrong.response.headers.keys()]).toEqual([...unknown.response.headers.keys()]);
  });

  it("accepts a 200-character password and does not truncate it", async () => {
    const client = new EngineClient(ORIGIN, config());
    expect(LONG_PASSWORD).toHaveLength(200);
    const truncated = await attempt(client, "bob@example.com", LONG_PASSWORD.slice(0, 199));
    expect(truncated.response.headers.get("location")).toContain("error=CredentialsSignin");
    const changedLast = await attempt(client, "bob@example.com", `${LONG_PASSWORD.slice(0, 199)}X`);
    expect(changedLast.response.headers.get("location")).toContain("error=CredentialsSignin");
    const full = await attempt(client, "bob@example.com", LONG_PASSWORD);
    expect(full.response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    expect(await client.session()).toMatchObject({ user: { email: "bob@example.com" } });
  });

  it("requires the CSRF token: without it authorize is never called", async () => {
    const { provider, calls } = makeProvider();
    const client = new EngineClient(ORIGIN, config({ provider }));
    await client.csrfToken();
    const forged = await client.fetch("/api/auth/callback/credentials", { form: { email: "alice@example.com", password: "alice-password" } });
    expect(forged.response.status).toBe(303);
    expect(forged.response.headers.get("location")).toBe(`${ORIGIN}/api/auth/signin?error=MissingCSRF`);
    const wrongToken = await client.fetch("/api/auth/callback/credentials", { form: { csrfToken: "x".repeat(64), email: "alice@example.com", password: "alice-password" } });
    expect(wrongToken.response.headers.get("location")).toBe(`${ORIGIN}/api/auth/signin?error=MissingCSRF`);
    expect(calls.count).toBe(0);
    expect(await client.session()).toBeNull();
  });

  it("refuses GET on the credentials callback with 405 and Allow: POST", async () => {
    const { response } = await new EngineClient(ORIGIN, config()).fetch("/api/auth/callback/credentials?email=a&password=b");
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  it("answers JSON for next-auth/react clients (X-Auth-Return-Redirect)", async () => {
    const client = new EngineClient(ORIGIN, config());
    const failed = await attempt(client, "alice@example.com", "nope", { "x-auth-return-redirect": "1" });
    expect(failed.response.status).toBe(200);
    expect(await failed.response.json()).toEqual({ url: `${ORIGIN}/api/auth/signin?error=CredentialsSignin&code=credentials`, error: "CredentialsSignin" });
    const ok = await attempt(client, "alice@example.com", "alice-password", { "x-auth-return-redirect": "1" });
    expect(await ok.response.json()).toEqual({ url: `${ORIGIN}/dashboard` });
  });

  it("passes a CredentialsSignin subclass's code to the URL; any other throw is a configuration error, never a 500", async () => {
    class LockedAccount extends CredentialsSignin {
      override code = "locked";
    }
    const throwing = (error: Error) =>
      Credentials({
        credentials: { email: { type: "email" } },
        authorize() {
          throw error;
        },
      });
    const locked = await attempt(new EngineClient(ORIGIN, config({ provider: throwing(new LockedAccount()) })), "a@example.com", "x");
    expect(locked.response.headers.get("location")).toBe(`${ORIGIN}/api/auth/signin?error=CredentialsSignin&code=locked`);
    const broken = await attempt(new EngineClient(ORIGIN, config({ provider: throwing(new Error("database password is hunter2")) })), "a@example.com", "x");
    expect(broken.response.status).toBe(303);
    expect(broken.response.headers.get("location")).toBe(`${ORIGIN}/api/auth/error?error=Configuration`);
  });

  it("gives the signIn callback the credentials and a credentials account; false refuses", async () => {
    const seen: unknown[] = [];
    const client = new EngineClient(
      ORIGIN,
      config({
        callbacks: {
          signIn: ({ account, credentials }) => {
            seen.push({ account, credentials });
            return false;
          },
        },
      }),
    );
    const { response } = await attempt(client, "alice@example.com", "alice-password");
    expect(response.headers.get("location")).toBe(`${ORIGIN}/api/auth/error?error=AccessDenied`);
    expect(seen).toEqual([
      {
        account: { provider: "credentials", type: "credentials", providerAccountId: "user-alice" },
        credentials: { email: "alice@example.com", password: "alice-password", callbackUrl: `${ORIGIN}/dashboard` },
      },
    ]);
    expect(await client.session()).toBeNull();
  });

  it("gives the jwt callback the user and account at sign-in", async () => {
    const client = new EngineClient(
      ORIGIN,
      config({
        callbacks: {
          jwt: ({ token, user, account, trigger }) => (trigger === "signIn" ? { ...token, role: `${String(account?.type)}:${String(user?.id)}` } : token),
          session: ({ session, token }) => ({ ...session, role: token.role }),
        },
      }),
    );
    await attempt(client, "alice@example.com", "alice-password");
    expect(await client.session()).toMatchObject({ role: "credentials:user-alice" });
  });

  it("gives authorize a request it can read: the submitted form as JSON, at the callback's URL, as next-auth does", async () => {
    let seen: { url: string; method: string; body: unknown } | undefined;
    const provider = Credentials({
      credentials: { email: { type: "email" }, password: { type: "password" } },
      async authorize(_credentials, request) {
        // latch read the original request's body: reading it again threw "Body is unusable".
        seen = { url: request.url, method: request.method, body: await request.json() };
        return null;
      },
    });
    const client = new EngineClient(ORIGIN, config({ provider }));
    const { response } = await attempt(client, "a@example.com", "pw", { "user-agent": "latch-test" });
    expect(response.headers.get("location")).toBe(`${ORIGIN}/api/auth/signin?error=CredentialsSignin&code=credentials`);
    expect(seen).toMatchObject({ url: `${ORIGIN}/api/auth/callback/credentials`, method: "POST", body: { email: "a@example.com", password: "pw", callbackUrl: `${ORIGIN}/dashboard` } });
  });

  it("keeps the original request's headers for authorize (the client's address, its user agent)", async () => {
    let headers: Headers | undefined;
    const provider = Credentials({
      credentials: { email: { type: "email" }, password: { type: "password" } },
      authorize(_credentials, request) {
        headers = request.headers;
        return null;
      },
    });
    await attempt(new EngineClient(ORIGIN, config({ provider })), "a@example.com", "pw", { "user-agent": "latch-test", "x-forwarded-for": "203.0.113.7" });
    expect(headers?.get("user-agent")).toBe("latch-test");
    expect(headers?.get("x-forwarded-for")).toBe("203.0.113.7");
    expect(headers?.get("content-type")).toBe("application/json");
  });
});

describe("a numeric id from authorize (an integer primary key) becomes a string, as in next-auth", () => {
  const rowWithIntegerId = { id: 42, email: "int@example.com", name: "Int" } as unknown as User;
  const integerIdProvider = () =>
    Credentials({
      credentials: { email: { type: "email" }, password: { type: "password" } },
      authorize: ({ password }) => (password === "right" ? { ...rowWithIntegerId } : null),
    });

  it("gives the callbacks, the account and the token's sub the string id", async () => {
    const seen: unknown[] = [];
    const client = new EngineClient(
      ORIGIN,
      config({
        provider: integerIdProvider(),
        callbacks: {
          signIn: ({ user, account }) => {
            seen.push(user.id, account?.providerAccountId);
            return true;
          },
          jwt: ({ token, user }) => {
            if (user) seen.push(user.id);
            return token;
          },
        },
      }),
    );
    await attempt(client, "int@example.com", "right");
    // @auth/core (lib/actions/callback/index.ts): `user.id = user.id?.toString() ?? crypto.randomUUID()`.
    expect(seen).toEqual(["42", "42", "42"]);
    const token = await decode({ token: client.jar.get("authjs.session-token"), secret: SECRET, salt: "authjs.session-token" });
    expect(token?.sub).toBe("42");
  });

  it("lets revokeUser('42') end the JWT session of the user whose row id is 42", async () => {
    const revocation = MemoryRevocationStore();
    const client = new EngineClient(ORIGIN, config({ provider: integerIdProvider(), revocation }));
    expect((await attempt(client, "int@example.com", "right")).response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    expect(await client.session()).toMatchObject({ user: { email: "int@example.com" } });
    // Revocation names users by string ids: with sub the number 42 the session lived on.
    await revocation.revokeUser("42", new Date(Date.now() + 5000));
    expect(await client.session()).toBeNull();
  });
});

describe("throttling", () => {
  it("refuses an account over its limit with 429 and Retry-After — even with the right password — and other accounts go on", async () => {
    const { provider } = makeProvider({ rateLimit: { account: { max: 3, window: 60 }, source: false } });
    const cfg = config({ provider });
    const client = new EngineClient(ORIGIN, cfg);
    for (let i = 0; i < 3; i++) expect((await attempt(client, "alice@example.com", `guess-${i}`)).response.status).toBe(303);
    const blocked = await attempt(client, "alice@example.com", "alice-password");
    expect(blocked.response.status).toBe(429);
    const retryAfter = Number(blocked.response.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(blocked.response.headers.get("content-type")).toContain("text/html");
    expect(await blocked.response.text()).toContain("Too many attempts");
    expect(await client.session()).toBeNull();
    // The account key is normalized: case and full-width spellings are the same account.
    expect((await attempt(client, "ALICE@example.com", "alice-password")).response.status).toBe(429);
    expect((await attempt(client, "ａｌｉｃｅ@example.com", "alice-password")).response.status).toBe(429);
    expect((await attempt(client, "bob@example.com", LONG_PASSWORD)).response.status).toBe(303);
    const json = await attempt(client, "alice@example.com", "alice-password", { "x-auth-return-redirect": "1" });
    expect(json.response.status).toBe(429);
    expect(await json.response.json()).toEqual({ url: `${ORIGIN}/api/auth/signin?error=RateLimited` });
  });

  it("gives no fresh guesses to spellings of a locked account that an accent-insensitive database takes for the same row", async () => {
    // MySQL's default collation (utf8mb4_0900_ai_ci) ignores case and accents: the app's
    // `WHERE email = ?` finds alice for "àlice@example.com" too, so each spelling would be 10
    // more guesses at her password if it had a count of its own.
    const { provider, calls } = makeProvider({ rateLimit: { account: { max: 3, window: 60 }, source: false } });
    const client = new EngineClient(ORIGIN, config({ provider }));
    for (let i = 0; i < 3; i++) expect((await attempt(client, "alice@example.com", `guess-${i}`)).response.status).toBe(303);
    expect((await attempt(client, "alice@example.com", "guess-3")).response.status).toBe(429);
    const spellings = [
      "àlice@example.com",
      "álice@example.com",
      "alicé@example.com",
      "ålice@example.com",
      "a\u0301lice@example.com", // a + combining acute accent
      "ALİCE@example.com", // capital I with dot above
      "a\u00adlice@example.com", // a soft hyphen
      "al\u200bice@example.com", // a zero-width space
    ];
    for (const spelling of spellings) expect((await attempt(client, spelling, `guess-${spelling}`)).response.status, spelling).toBe(429);
    expect(calls.count).toBe(3);
  });

  it("counts ß and ss as one account, as case-folding collations compare them", async () => {
    const { provider, calls } = makeProvider({ rateLimit: { account: { max: 2, window: 60 }, source: false } });
    const client = new EngineClient(ORIGIN, config({ provider }));
    await attempt(client, "strasse@example.com", "guess-1");
    await attempt(client, "STRASSE@example.com", "guess-2");
    expect((await attempt(client, "straße@example.com", "guess-3")).response.status).toBe(429);
    expect(calls.count).toBe(2);
  });

  it("counts failures only: a sign-in that succeeds takes back its own attempt and clears none of the failures before it", async () => {
    const { provider } = makeProvider({ rateLimit: { account: { max: 3, window: 60 }, source: false } });
    const cfg = config({ provider });
    const client = new EngineClient(ORIGIN, cfg);
    await attempt(client, "alice@example.com", "wrong-1");
    await attempt(client, "alice@example.com", "wrong-2");
    for (let i = 0; i < 3; i++) expect((await attempt(client, "alice@example.com", "alice-password")).response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    // From a browser the account never signed in from: the two failures still count.
    const elsewhere = new EngineClient(ORIGIN, cfg);
    expect((await attempt(elsewhere, "alice@example.com", "wrong-3")).response.status).toBe(303);
    expect((await attempt(elsewhere, "alice@example.com", "wrong-4")).response.status).toBe(429);
  });

  it("cannot be locked out of a browser it signed in from: guesses from elsewhere use up only their own count (no attacker-induced lockout)", async () => {
    const { provider, calls } = makeProvider({ rateLimit: { account: { max: 3, window: 60 }, source: false } });
    const cfg = config({ provider });
    const owner = new EngineClient(ORIGIN, cfg);
    expect((await attempt(owner, "alice@example.com", "alice-password")).response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    const trusted = [...owner.jar.keys()].find((name) => name.endsWith("latch.trusted"));
    expect(trusted, "the sign-in leaves a trusted-accounts cookie").toBeDefined();
    expect(owner.jar.get(trusted!)).not.toContain("alice");
    // Someone else guesses until the account's count refuses them, and goes on being refused.
    const attacker = new EngineClient(ORIGIN, cfg);
    for (let i = 0; i < 3; i++) expect((await attempt(attacker, "alice@example.com", `guess-${i}`)).response.status).toBe(303);
    expect((await attempt(attacker, "alice@example.com", "alice-password")).response.status).toBe(429);
    // A stranger's browser with the right password is refused too: the lock holds where it should.
    expect((await attempt(new EngineClient(ORIGIN, cfg), "alice@example.com", "alice-password")).response.status).toBe(429);
    // The owner's browser signs in.
    const before = calls.count;
    expect((await attempt(owner, "alice@example.com", "alice-password")).response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    expect(calls.count).toBe(before + 1);
    // Its own count still limits guesses made with its cookie.
    for (let i = 0; i < 3; i++) expect((await attempt(owner, "alice@example.com", `typo-${i}`)).response.status).toBe(303);
    expect((await attempt(owner, "alice@example.com", "typo-3")).response.status).toBe(429);
  });

  it("trusts a browser for the account it signed in to only: not another account, not a copied cookie under another secret, not a made-up one", async () => {
    const { provider } = makeProvider({ rateLimit: { account: { max: 1, window: 60 }, source: false } });
    const cfg = config({ provider });
    const owner = new EngineClient(ORIGIN, cfg);
    expect((await attempt(owner, "alice@example.com", "alice-password")).response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    const name = [...owner.jar.keys()].find((cookie) => cookie.endsWith("latch.trusted"))!;
    // bob@ is locked by someone else; alice's browser is no one special for bob@.
    const attacker = new EngineClient(ORIGIN, cfg);
    await attempt(attacker, "bob@example.com", "guess");
    expect((await attempt(attacker, "bob@example.com", "guess-2")).response.status).toBe(429);
    expect((await attempt(owner, "bob@example.com", "guess-3")).response.status).toBe(429);
    // alice@ is locked by someone else; a made-up cookie, or alice's under another secret, does not help.
    await attempt(attacker, "alice@example.com", "guess");
    for (const value of ["A".repeat(22), (owner.jar.get(name) ?? "").replace(/^./, (c) => (c === "A" ? "B" : "A"))]) {
      const forger = new EngineClient(ORIGIN, cfg);
      forger.jar.set(name, value);
      expect((await attempt(forger, "alice@example.com", "alice-password")).response.status).toBe(429);
    }
    // One config object (its own rate-limit store), the same accounts, another secret.
    const rotated = { ...cfg, secret: "another-secret-of-enough-length-0123456789abcdef" };
    await attempt(new EngineClient(ORIGIN, rotated), "alice@example.com", "guess");
    const otherSecret = new EngineClient(ORIGIN, rotated);
    otherSecret.jar.set(name, owner.jar.get(name) ?? "");
    expect((await attempt(otherSecret, "alice@example.com", "alice-password")).response.status).toBe(429);
  });

  it("signs in a user whose authorize() returns a numeric id (an integer primary key), throttled or not", async () => {
    // JavaScript apps pass SQL or Prisma rows on as they are; next-auth signs them in.
    const rowWithIntegerId = { id: 42, email: "alice@example.com", name: "Alice" } as unknown as User;
    for (const rateLimit of [false, { account: { max: 3, window: 60 }, source: false }] as const) {
      const provider = Credentials({
        credentials: { email: { type: "email" }, password: { type: "password" } },
        rateLimit,
        authorize: ({ email, password }) => (email === "alice@example.com" && password === "alice-password" ? rowWithIntegerId : null),
      });
      const client = new EngineClient(ORIGIN, config({ provider }));
      await attempt(client, "alice@example.com", "wrong-1");
      await attempt(client, "alice@example.com", "wrong-2");
      expect((await attempt(client, "alice@example.com", "alice-password")).response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
      expect(await client.session()).toMatchObject({ user: { email: "alice@example.com" } });
    }
  });

  it("lets exactly `max` of 20 parallel guesses reach authorize", async () => {
    const { provider, calls } = makeProvider({ rateLimit: { account: { max: 5, window: 60 }, source: false } });
    const cfg = config({ provider });
    const clients = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const client = new EngineClient(ORIGIN, cfg);
        return { client, csrfToken: await client.csrfToken() };
      }),
    );
    const results = await Promise.all(
      clients.map(({ client, csrfToken }, i) => client.fetch("/api/auth/callback/credentials", { form: { csrfToken, email: "alice@example.com", password: `parallel-${i}` } })),
    );
    expect(results.filter((r) => r.response.status === 429)).toHaveLength(15);
    expect(calls.count).toBe(5);
  });

  it("throttles a client address across accounts; IPv6 counts by /64 and IPv4-mapped IPv6 as IPv4", async () => {
    const { provider } = makeProvider({ rateLimit: { account: false, source: { max: 2, window: 60 } } });
    const client = new EngineClient(ORIGIN, config({ provider }));
    const from = (address: string) => ({ "x-forwarded-for": address });
    expect((await attempt(client, "a@example.com", "x", from("203.0.113.7"))).response.status).toBe(303);
    expect((await attempt(client, "b@example.com", "x", from("::ffff:203.0.113.7"))).response.status).toBe(303);
    expect((await attempt(client, "c@example.com", "x", from("203.0.113.7"))).response.status).toBe(429);
    expect((await attempt(client, "c@example.com", "x", from("203.0.113.8"))).response.status).toBe(303);

    expect((await attempt(client, "d@example.com", "x", from("2001:db8:1:2::1"))).response.status).toBe(303);
    expect((await attempt(client, "e@example.com", "x", from("2001:db8:1:2:ffff:ffff:ffff:fffe"))).response.status).toBe(303);
    expect((await attempt(client, "f@example.com", "x", from("[2001:0db8:0001:0002::9]:443"))).response.status).toBe(429);
    expect((await attempt(client, "f@example.com", "x", from("2001:db8:1:3::1"))).response.status).toBe(303);
  });

  it("reads the address the trusted proxy recorded, not what the client prepended", async () => {
    const { provider } = makeProvider({ rateLimit: { account: false, source: { max: 1, window: 60 } } });
    const client = new EngineClient(ORIGIN, config({ provider }));
    expect((await attempt(client, "a@example.com", "x", { "x-forwarded-for": "1.1.1.1, 198.51.100.9" })).response.status).toBe(303);
    // A spoofed leftmost entry changes nothing: the proxy appended the same real address.
    expect((await attempt(client, "b@example.com", "x", { "x-forwarded-for": "9.9.9.9, 198.51.100.9" })).response.status).toBe(429);

    const twoHops = makeProvider({ rateLimit: { account: false, source: { max: 1, window: 60 } } });
    const behindCdn = new EngineClient(ORIGIN, config({ provider: twoHops.provider, rateLimit: { trustedProxies: 2 } }));
    expect((await attempt(behindCdn, "a@example.com", "x", { "x-forwarded-for": "198.51.100.20, 10.0.0.1" })).response.status).toBe(303);
    expect((await attempt(behindCdn, "b@example.com", "x", { "x-forwarded-for": "198.51.100.21, 10.0.0.1" })).response.status).toBe(303);
    expect((await attempt(behindCdn, "c@example.com", "x", { "x-forwarded-for": "spoofed, 198.51.100.20, 10.0.0.1" })).response.status).toBe(429);

    const custom = makeProvider({ rateLimit: { account: false, source: { max: 1, window: 60 } } });
    const platform = new EngineClient(ORIGIN, config({ provider: custom.provider, rateLimit: { clientAddress: (request) => request.headers.get("x-platform-ip") } }));
    expect((await attempt(platform, "a@example.com", "x", { "x-platform-ip": "192.0.2.1", "x-forwarded-for": "1.1.1.1" })).response.status).toBe(303);
    expect((await attempt(platform, "b@example.com", "x", { "x-platform-ip": "192.0.2.1", "x-forwarded-for": "2.2.2.2" })).response.status).toBe(429);
  });

  it("shares counts between instances through Redis", async () => {
    const store = RedisRateLimitStore(redis.client, { prefix: `${redis.prefix}rl:` });
    const rateLimit: CredentialsRateLimit = { account: { max: 2, window: 60 }, source: false };
    const first = new EngineClient(ORIGIN, config({ provider: makeProvider({ rateLimit }).provider, rateLimit: { store } }));
    const second = new EngineClient(ORIGIN, config({ provider: makeProvider({ rateLimit }).provider, rateLimit: { store: RedisRateLimitStore(redis.client, { prefix: `${redis.prefix}rl:` }) } }));
    expect((await attempt(first, "alice@example.com", "wrong-a")).response.status).toBe(303);
    expect((await attempt(second, "alice@example.com", "wrong-b")).response.status).toBe(303);
    expect((await attempt(first, "alice@example.com", "alice-password")).response.status).toBe(429);
    expect((await attempt(second, "alice@example.com", "alice-password")).response.status).toBe(429);
    // Account names are stored hashed, never in the clear.
    const keys = await redis.client.keys(`${redis.prefix}rl:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(" ")).not.toContain("alice");
  });

  it("fails closed when the rate-limit store is down: no sign-in, an error page, no 500", async () => {
    const store = {
      hit: () => Promise.reject(new Error("connection refused")),
      reset: () => Promise.resolve(),
    };
    const { provider, calls } = makeProvider();
    const client = new EngineClient(ORIGIN, config({ provider, rateLimit: { store } }));
    const { response } = await attempt(client, "alice@example.com", "alice-password", { "x-forwarded-for": "192.0.2.50" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/api/auth/error?error=Configuration`);
    expect(calls.count).toBe(0);
    expect(await client.session()).toBeNull();
  });
});

describe("credentials sign-in with database sessions (where Auth.js fails silently)", () => {
  function databaseSetup() {
    const db = new Database(":memory:");
    migrateSQLite(db);
    const adapter = SQLiteAdapter(db);
    return { db, adapter };
  }

  it("creates a session row for the stored user; the session reads it; sign-out deletes it", async () => {
    const { db, adapter } = databaseSetup();
    const stored = await adapter.createUser!({ id: "db-user-1", email: "alice@example.com", name: "Alice", emailVerified: null });
    const { provider } = makeProvider({ lookup: (email) => (email === "alice@example.com" ? { ...users.get(email)!, id: stored.id } : undefined) });
    const client = new EngineClient(ORIGIN, config({ provider, adapter }));
    const { response } = await attempt(client, "alice@example.com", "alice-password");
    expect(response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    const token = client.jar.get("authjs.session-token");
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const row = db.prepare('SELECT "userId" FROM sessions WHERE "sessionToken" = ?').get(await storedSessionKey(token ?? "")) as { userId: string } | undefined;
    expect(row?.userId).toBe("db-user-1");
    expect(await client.session()).toMatchObject({ user: { email: "alice@example.com", name: "Alice" } });

    await client.fetch("/api/auth/signout", { form: { csrfToken: await client.csrfToken() } });
    expect(db.prepare("SELECT count(*) AS n FROM sessions").get()).toEqual({ n: 0 });
    expect(await client.session()).toBeNull();
  });

  it("looks a numeric id up as its string, and starts the session for that stored user", async () => {
    const { db, adapter } = databaseSetup();
    await adapter.createUser!({ id: "42", email: "int@example.com", name: "Int", emailVerified: null });
    const looked: unknown[] = [];
    const getUser = adapter.getUser!.bind(adapter);
    // An adapter keyed by strings (a Map, a document store) finds no user under the number 42.
    const strictAdapter = {
      ...adapter,
      getUser: (id: string) => {
        looked.push(id);
        return typeof id === "string" ? getUser(id) : null;
      },
    };
    const provider = Credentials({
      credentials: { email: { type: "email" }, password: { type: "password" } },
      authorize: ({ password }) => (password === "right" ? ({ id: 42, email: "int@example.com" } as unknown as User) : null),
    });
    const client = new EngineClient(ORIGIN, config({ provider, adapter: strictAdapter }));
    const { response } = await attempt(client, "int@example.com", "right");
    expect(response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    expect(looked[0]).toBe("42");
    expect(db.prepare('SELECT "userId" FROM sessions').all()).toEqual([{ userId: "42" }]);
    expect(await client.session()).toMatchObject({ user: { email: "int@example.com", name: "Int" } });
  });

  it("refuses clearly when authorize returns a user the adapter does not store", async () => {
    const { db, adapter } = databaseSetup();
    const errors: Error[] = [];
    const client = new EngineClient(ORIGIN, { ...config({ adapter }), logger: { error: (e) => errors.push(e), warn: () => undefined } });
    const { response, cookies } = await attempt(client, "alice@example.com", "alice-password");
    expect(response.headers.get("location")).toBe(`${ORIGIN}/api/auth/error?error=Configuration`);
    expect(cookies.some((c) => c.name === "authjs.session-token")).toBe(false);
    expect(db.prepare("SELECT count(*) AS n FROM sessions").get()).toEqual({ n: 0 });
    expect(errors.map((e) => e.message).join("\n")).toContain("does not store");
  });
});

describe("the built-in sign-in page", () => {
  it("renders the credentials form with labels, the CSRF token and the callbackUrl, escaping what the app declared", async () => {
    const provider = Credentials({
      name: 'Acme <script>alert("x")</script>',
      credentials: { username: { label: "User name", placeholder: '"><img src=x>' }, password: { label: "Password", type: "password" } },
      authorize: () => null,
    });
    const client = new EngineClient(ORIGIN, config({ provider }));
    const { response } = await client.fetch("/api/auth/signin?callbackUrl=%2Fafter");
    const html = await response.text();
    expect(html).toContain(`action="${ORIGIN}/api/auth/callback/credentials" method="POST"`);
    expect(html).toMatch(/<label for="credentials-0">User name<\/label><input id="credentials-0" name="username" type="text"[^>]*autocomplete="username"/);
    expect(html).toMatch(/<input id="credentials-1" name="password" type="password"[^>]*autocomplete="current-password"/);
    expect(html).toContain(`name="callbackUrl" value="${ORIGIN}/after"`);
    expect(html).toMatch(/name="csrfToken" value="[0-9a-f]{64}"/);
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain('"><img src=x>');
  });

  it("sends POST /signin/credentials back to the form instead of starting anything", async () => {
    const client = new EngineClient(ORIGIN, config());
    const csrfToken = await client.csrfToken();
    const { response } = await client.fetch("/api/auth/signin/credentials", { form: { csrfToken, callbackUrl: "/x" } });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/api/auth/signin?callbackUrl=${encodeURIComponent(`${ORIGIN}/x`)}`);
  });
});

describe("a JSON body nested deeper than JSON.stringify can go (found by the handler fuzzer)", () => {
  it("is refused as a wrong password, and logs no other error: authorize's request carries the string fields only", async () => {
    const errors: unknown[] = [];
    const { provider } = makeProvider({ rateLimit: false });
    const cfg = { ...config({ provider }), logger: { error: (error: unknown) => void errors.push(error), warn: () => undefined } };
    const client = new EngineClient(ORIGIN, cfg);
    const csrfToken = await client.csrfToken();
    // As deep as fits the 64 KiB body limit: deeper than JSON.stringify recurses.
    const depth = 7_000;
    const body = `{"csrfToken":${JSON.stringify(csrfToken)},"email":"alice@example.com","password":"wrong","data":${'{"data":'.repeat(depth)}1${"}".repeat(depth)}}`;
    const response = await Auth(
      new Request(`${ORIGIN}/api/auth/callback/credentials`, { method: "POST", body, headers: { host: new URL(ORIGIN).host, cookie: client.cookieHeader(), "content-type": "application/json" } }),
      cfg,
    );
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toContain("error=CredentialsSignin");
    // The refusal itself is logged as such; nothing else is.
    expect(errors.filter((error) => !(error instanceof CredentialsSignin))).toEqual([]);
  });
});
