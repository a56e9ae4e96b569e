/**
 * The refresh grant (`POST /token`, grant_type=refresh_token) end to end, through the engine with
 * the credentials provider:
 * - a session check that fails for a moment (the revocation store drops a connection) leaves the
 *   refresh token usable: the client, which got an error and no successor, retries with it, and
 *   that is no reuse (the store's `peek` lets latch check before it rotates);
 * - a signed-out JWT session's refresh tokens stay dead however long their client sat idle: the
 *   store keeps the revocation as long as a family can live, not only as long as the cookie;
 * - a native client that refreshes every 10 days keeps its family for 40 days without the user
 *   opening the web app again, with either strategy: with database sessions a refresh renews the
 *   row the family belongs to, as a page's request would;
 * - no bearer token outlives the family it was issued with.
 */
import Database from "better-sqlite3";
import { describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import Credentials from "../src/providers/credentials.js";
import { MemoryRefreshTokenStore } from "../src/refresh-tokens/memory.js";
import type { RefreshTokenStore } from "../src/refresh-tokens/types.js";
import { MemoryRevocationStore } from "../src/revocation/memory.js";
import { SQLiteRevocationStore } from "../src/revocation/sqlite.js";
import type { RevocationStore } from "../src/revocation/types.js";
import type { AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3971";
const SECRET = "refresh-grant-test-secret-of-enough-length-0123456789";
const DAY = 24 * 60 * 60;
const alice = { id: "user-alice", name: "Alice", email: "alice@example.com" };

function credentials() {
  return Credentials({
    credentials: { email: { type: "email" }, password: { type: "password" } },
    authorize: ({ email, password }) => (email === alice.email && password === "pw" ? { ...alice } : null),
  });
}

async function signIn(client: EngineClient): Promise<void> {
  const csrfToken = await client.csrfToken();
  const { response } = await client.fetch("/api/auth/callback/credentials", { form: { csrfToken, email: alice.email, password: "pw" } });
  expect(response.status).toBe(303);
}

/** `POST /token { offline: true }` from the signed-in browser: a bearer token and the first refresh token. */
async function offline(client: EngineClient) {
  const { response } = await client.fetch("/api/auth/token", { method: "POST", headers: { "x-latch-bearer": "1" }, json: { offline: true } });
  expect(response.status).toBe(200);
  return (await response.json()) as { token: string; refreshToken: string };
}

/** The refresh grant from a client with no cookies (a phone). */
async function refresh(cfg: AuthConfig, refreshToken: string) {
  const native = new EngineClient(ORIGIN, cfg);
  const { response } = await native.fetch("/api/auth/token", { form: { grant_type: "refresh_token", refresh_token: refreshToken } });
  return { status: response.status, body: (await response.json()) as { error?: string; token?: string; refreshToken?: string } };
}

/** Alice's credentials sign-in with refresh tokens, and for the database strategy her stored user. */
async function idleClientConfig(strategy: "jwt" | "database"): Promise<AuthConfig> {
  const base: AuthConfig = {
    secret: SECRET,
    trustHost: true,
    bearer: { refreshTokens: { store: MemoryRefreshTokenStore() } },
    logger: { error: () => undefined, warn: () => undefined },
    providers: [credentials()],
  };
  if (strategy === "jwt") return base;
  const db = new Database(":memory:");
  migrateSQLite(db);
  const adapter = SQLiteAdapter(db);
  await adapter.createUser?.({ ...alice, emailVerified: null });
  return { ...base, adapter, session: { strategy: "database" } };
}

describe("a refresh grant after a transient failure", () => {
  it("a revocation-store blip during a refresh must not turn the client's retry into 'reuse' and end its sessions", async () => {
    const real = MemoryRevocationStore();
    let failNext = false;
    const flaky: RevocationStore = {
      revokeSession: (sid, until) => real.revokeSession(sid, until),
      revokeUser: (userId, before, until) => real.revokeUser(userId, before, until),
      async isRevoked(query) {
        if (failNext) {
          failNext = false;
          throw new Error("ECONNRESET (transient)");
        }
        return real.isRevoked(query);
      },
    };
    const cfg: AuthConfig = {
      secret: SECRET,
      trustHost: true,
      providers: [credentials()],
      revocation: flaky,
      bearer: { refreshTokens: { store: MemoryRefreshTokenStore() } },
      logger: { error: () => undefined, warn: () => undefined },
    };
    const browser = new EngineClient(ORIGIN, cfg);
    await signIn(browser);
    const issued = await offline(browser);

    // One transient failure while the refresh runs: the client gets a 5xx, no successor.
    failNext = true;
    const first = await refresh(cfg, issued.refreshToken);
    expect(first.status).toBeGreaterThanOrEqual(500);
    expect(first.body.refreshToken).toBeUndefined();

    // The client retries with the only token it has. It never got a successor, so this is not theft.
    const retry = await refresh(cfg, issued.refreshToken);
    expect(retry.status, `retry answered ${retry.status} ${JSON.stringify(retry.body)}`).toBe(200);
    // And the web session it came from must still be there.
    expect(await browser.session()).not.toBeNull();
  });

  it("a store without peek (a custom one) still has the session checked, after the rotation: a signed-out session's token is refused", async () => {
    const inner = MemoryRefreshTokenStore();
    const withoutPeek: RefreshTokenStore = {
      createFamily: (family, first) => inner.createFamily(family, first),
      rotate: (hash, next) => inner.rotate(hash, next),
      revokeFamily: (id) => inner.revokeFamily(id),
    };
    const cfg: AuthConfig = {
      secret: SECRET,
      trustHost: true,
      providers: [credentials()],
      revocation: MemoryRevocationStore(),
      bearer: { refreshTokens: { store: withoutPeek } },
      logger: { error: () => undefined, warn: () => undefined },
    };
    const browser = new EngineClient(ORIGIN, cfg);
    await signIn(browser);
    const issued = await offline(browser);
    const live = await refresh(cfg, issued.refreshToken);
    expect(live.status).toBe(200);
    await browser.fetch("/api/auth/signout", { form: { csrfToken: await browser.csrfToken() } });
    const ended = await refresh(cfg, live.body.refreshToken ?? "");
    expect(ended).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(ended.body.refreshToken).toBeUndefined();
  });
});

describe.each([
  ["memory revocation store", () => MemoryRevocationStore()],
  ["SQLite revocation store", () => SQLiteRevocationStore(new Database(":memory:"))],
])("a signed-out session's refresh token (%s)", (_name, makeRevocation) => {
  it.each([
    ["refreshTokens.maxAge longer than the session (60 d vs 30 d)", { refreshTokens: { maxAge: 60 * DAY } }, {}],
    ["jwt.maxAge shorter than session.maxAge (1 d vs 30 d)", { refreshTokens: {} }, { jwt: { maxAge: DAY } }],
  ] as const)("stays dead after sign-out once the client has been idle a while: %s", async (_case, bearerExtra, extra) => {
    const start = Date.now();
    vi.useFakeTimers({ toFake: ["Date"], now: start });
    try {
      const cfg: AuthConfig = {
        secret: SECRET,
        trustHost: true,
        providers: [credentials()],
        revocation: makeRevocation(),
        bearer: { refreshTokens: { store: MemoryRefreshTokenStore(), ...bearerExtra.refreshTokens } },
        logger: { error: () => undefined, warn: () => undefined },
        ...extra,
      };
      const browser = new EngineClient(ORIGIN, cfg);
      await signIn(browser);
      const issued = await offline(browser);

      // The user signs out on the web: the session is revoked, and with it (say the docs) the app's refresh tokens.
      const out = await browser.fetch("/api/auth/signout", { form: { csrfToken: await browser.csrfToken() } });
      expect(out.response.status).toBe(302);

      // The phone is off for 31 days (or 2 days with jwt.maxAge = 1 d). Its refresh token has not idled out.
      const idle = "jwt" in extra ? 2 * DAY : 31 * DAY;
      vi.setSystemTime(start + idle * 1000);
      const later = await refresh(cfg, issued.refreshToken);
      expect(later.status, `a signed-out session's refresh token answered ${later.status}`).toBe(400);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe.each(["jwt", "database"] as const)("an active native client (%s sessions)", (strategy) => {
  it("keeps refreshing every 10 days for 40 days without the user ever opening the web app again", async () => {
    const start = Date.now();
    vi.useFakeTimers({ toFake: ["Date"], now: start });
    try {
      const cfg = await idleClientConfig(strategy);
      const browser = new EngineClient(ORIGIN, cfg);
      await signIn(browser);
      let refreshToken = (await offline(browser)).refreshToken;
      const statuses: number[] = [];
      for (let day = 10; day <= 40; day += 10) {
        vi.setSystemTime(start + day * DAY * 1000);
        const refreshed = await refresh(cfg, refreshToken);
        statuses.push(refreshed.status);
        if (refreshed.body.refreshToken) refreshToken = refreshed.body.refreshToken;
      }
      expect(statuses, "refresh at day 10, 20, 30, 40").toEqual([200, 200, 200, 200]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("a refresh family's end", () => {
  it("caps the bearer tokens issued with it: none outlives the family (refreshTokens.absoluteMaxAge shorter than bearer.maxAge)", async () => {
    const start = Date.now();
    vi.useFakeTimers({ toFake: ["Date"], now: start });
    try {
      const cfg: AuthConfig = {
        secret: SECRET,
        trustHost: true,
        providers: [credentials()],
        revocation: MemoryRevocationStore(),
        bearer: { maxAge: 600, refreshTokens: { store: MemoryRefreshTokenStore(), absoluteMaxAge: 300 } },
        logger: { error: () => undefined, warn: () => undefined },
      };
      const familyEnd = Math.floor(start / 1000) + 300;
      const expOf = (token: string) => (JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { exp: number }).exp;
      const browser = new EngineClient(ORIGIN, cfg);
      await signIn(browser);
      const issued = await offline(browser);
      expect(expOf(issued.token), "the first token").toBeLessThanOrEqual(familyEnd);

      vi.setSystemTime(start + 100_000);
      const refreshed = await refresh(cfg, issued.refreshToken);
      expect(refreshed.status).toBe(200);
      expect(expOf(refreshed.body.token ?? ""), "a token from the refresh grant").toBeLessThanOrEqual(familyEnd);
    } finally {
      vi.useRealTimers();
    }
  });
});
