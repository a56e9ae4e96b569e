/**
 * Revoking JWT sessions at once: sign-out kills every copy of the token, "sign out everywhere"
 * kills every session a user began before it — in Redis, PostgreSQL, SQLite and memory, with the real local
 * OpenID provider and the engine in between.
 */
import { loginThroughIdP, startLocalIdP, type LocalIdP } from "@latch/local-idp";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { decode } from "../src/jwt.js";
import OIDC from "../src/providers/oidc.js";
import { MemoryRevocationStore } from "../src/revocation/memory.js";
import { PostgresRevocationStore } from "../src/revocation/postgres.js";
import { RedisRevocationStore } from "../src/revocation/redis.js";
import { SQLiteRevocationStore } from "../src/revocation/sqlite.js";
import type { RevocationStore } from "../src/revocation/types.js";
import type { AuthConfig } from "../src/types.js";
import ProxyNextAuth from "../src/proxy/node.js";
import { EngineClient } from "./helpers/engine-client.js";
import { issuedSession, request as proxyRequest } from "./helpers/proxy-requests.js";
import { requirePostgres, requireRedis, type PostgresNamespace, type RedisNamespace } from "./helpers/services.js";

const ORIGIN = "http://127.0.0.1:3995";
const SECRET = "revocation-test-secret-of-enough-length-0123456789";
let idp: LocalIdP;
let redis: RedisNamespace;
let postgres: PostgresNamespace;

beforeAll(async () => {
  idp = await startLocalIdP({ clients: [{ client_id: "latch-rev", client_secret: "latch-rev-secret", redirect_uris: [`${ORIGIN}/api/auth/callback/local`] }] });
  redis = await requireRedis();
  postgres = await requirePostgres();
});

afterAll(async () => {
  await idp?.close();
  await redis?.drop();
  await postgres?.drop();
});

function configWith(revocation: RevocationStore): AuthConfig {
  return {
    secret: SECRET,
    trustHost: true,
    revocation,
    logger: { error: () => undefined },
    providers: [OIDC({ id: "local", name: "Local", issuer: idp.issuer, clientId: "latch-rev", clientSecret: "latch-rev-secret" })],
  };
}

async function signIn(config: AuthConfig): Promise<EngineClient> {
  const client = new EngineClient(ORIGIN, config);
  const csrfToken = await client.csrfToken();
  const start = await client.fetch("/api/auth/signin/local", { form: { csrfToken, callbackUrl: "/" } });
  await client.fetch(await loginThroughIdP(start.response.headers.get("location") ?? "", "alice"));
  expect(await client.session()).not.toBeNull();
  return client;
}

function copyOf(client: EngineClient, config: AuthConfig): EngineClient {
  const copy = new EngineClient(ORIGIN, config);
  for (const [name, value] of client.jar) copy.jar.set(name, value);
  return copy;
}

const stores: Array<[string, () => RevocationStore]> = [
  ["Redis", () => RedisRevocationStore(redis.client, { prefix: `${redis.prefix}revoked:` })],
  ["SQLite", () => SQLiteRevocationStore(new Database(":memory:"))],
  ["PostgreSQL", () => PostgresRevocationStore(postgres.pool)],
  ["memory", () => MemoryRevocationStore()],
];

describe.each(stores)("revocation in %s", (_name, makeStore) => {
  it("kills every copy of a token at sign-out, and only that session", async () => {
    const config = configWith(makeStore());
    const browser = await signIn(config);
    const otherDevice = await signIn(config);
    const stolen = copyOf(browser, config);
    expect(await stolen.session()).not.toBeNull();

    const csrfToken = await browser.csrfToken();
    await browser.fetch("/api/auth/signout", { form: { csrfToken } });
    const { response, cookies } = await stolen.fetch("/api/auth/session");
    expect(await response.json()).toBeNull();
    expect(cookies.find((c) => c.name === "authjs.session-token")?.attributes["max-age"]).toBe("0");
    expect(await otherDevice.session()).not.toBeNull();
  });

  it("keeps the session id across renewals, so a renewed copy is revoked too", async () => {
    const config = configWith(makeStore());
    const browser = await signIn(config);
    const old = copyOf(browser, config);
    await browser.session(); // renews: a new token with the same sid
    expect(browser.jar.get("authjs.session-token")).not.toBe(old.jar.get("authjs.session-token"));
    const csrfToken = await old.csrfToken();
    await old.fetch("/api/auth/signout", { form: { csrfToken } });
    expect(await browser.session()).toBeNull();
  });

  it("signs a user out everywhere: sessions begun before the cut-off die, later ones live", async () => {
    const store = makeStore();
    const config = configWith(store);
    const laptop = await signIn(config);
    const phone = await signIn(config);
    const sub = await readSub(laptop);
    await store.revokeUser(sub, new Date());
    expect(await laptop.session()).toBeNull();
    expect(await phone.session()).toBeNull();
    // auth_time has one-second precision: a sign-in in the same second as the cut-off is refused too.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const fresh = await signIn(config);
    expect(await fresh.session()).not.toBeNull();
  });
});

const storesKeepingFor = (maxAge: number): Array<[string, () => RevocationStore]> => [
  ["Redis", () => RedisRevocationStore(redis.client, { prefix: `${redis.prefix}revoked-short:`, maxAge })],
  ["SQLite", () => SQLiteRevocationStore(new Database(":memory:"), { maxAge })],
  ["PostgreSQL", () => PostgresRevocationStore(postgres.pool, { maxAge })],
  ["memory", () => MemoryRevocationStore({ maxAge })],
];

describe.each(storesKeepingFor(1))("a user's cut-off in %s (store maxAge 1 s)", (_name, makeStore) => {
  it("is kept until `until` when latch passes one that outlasts the store's maxAge; a later cut-off without one does not shorten it", async () => {
    const store = makeStore();
    const suffix = crypto.randomUUID();
    const [kept, plain] = [`kept-${suffix}`, `plain-${suffix}`];
    const signedInBefore = Math.floor(Date.now() / 1000) - 60;
    // What revocationHorizon asks for: the longest a refresh family begun before may live.
    await store.revokeUser(kept, new Date(), new Date(Date.now() + 30_000));
    await store.revokeUser(kept, new Date());
    await store.revokeUser(plain, new Date());
    expect(await store.isRevoked({ sid: undefined, userId: plain, authTime: signedInBefore })).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(await store.isRevoked({ sid: undefined, userId: kept, authTime: signedInBefore }), "the cut-off latch asked to keep").toBe(true);
    // Control: without `until`, the store forgets after its own maxAge.
    expect(await store.isRevoked({ sid: undefined, userId: plain, authTime: signedInBefore })).toBe(false);
  });
});

// Stores that keep time by the process's clock, which the test moves; Redis and PostgreSQL expire
// entries by their own.
describe.each(stores.filter(([name]) => name === "SQLite" || name === "memory"))("revocation in %s, over weeks", (_name, makeStore) => {
  it("a sign-out with an old copy of the cookie still ends a copy renewed since, after the old one would have expired", async () => {
    const config = configWith(makeStore());
    const stale = await signIn(config);
    const renewed = copyOf(stale, config);
    const start = Date.now();
    vi.useFakeTimers({ toFake: ["Date"], now: start });
    try {
      // 25 days on, the thief's copy is renewed (30 more days); the owner's copy has 5 days left.
      vi.setSystemTime(start + 25 * 86_400_000);
      expect(await renewed.session()).not.toBeNull();
      expect(renewed.jar.get("authjs.session-token")).not.toBe(stale.jar.get("authjs.session-token"));
      const csrfToken = await stale.csrfToken();
      await stale.fetch("/api/auth/signout", { form: { csrfToken } });
      // Each read from a copy of the renewed cookie: a refused read clears the jar it came from.
      expect(await copyOf(renewed, config).session()).toBeNull();
      // Past the owner's copy's expiry, the revocation must still be remembered.
      vi.setSystemTime(start + 31 * 86_400_000);
      expect(await copyOf(renewed, config).session()).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it("a copy renewed just before the sign-out stays refused through the clock tolerance past its expiry", async () => {
    const config = configWith(makeStore());
    const owner = await signIn(config);
    const start = Date.now();
    vi.useFakeTimers({ toFake: ["Date"], now: start });
    try {
      // The thief renews a copy, and the owner signs out, in the same instant.
      const thief = copyOf(owner, config);
      vi.setSystemTime(start + 86_400_000);
      expect(await thief.session()).not.toBeNull();
      const csrfToken = await owner.csrfToken();
      await owner.fetch("/api/auth/signout", { form: { csrfToken } });
      // The copy expires 30 days on and is read with 15 s of tolerance: the revocation must last as long.
      vi.setSystemTime(start + 86_400_000 + 30 * 86_400_000 + 10_000);
      expect(await copyOf(thief, config).session()).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});

/**
 * latch/proxy as docs/protected-routes.md sets it up next to an engine with a store: the shared
 * config without `revocation`. It renews cookies without asking the store.
 */
function leanProxy() {
  const { auth } = ProxyNextAuth({ secret: SECRET, trustHost: true, providers: [], callbacks: { authorized: ({ auth: session }) => !!session } });
  return async (token: string): Promise<{ status: number; renewed: string | undefined }> => {
    const response = await auth(proxyRequest("/dashboard", { cookie: `authjs.session-token=${token}` }));
    return { status: response.status, renewed: issuedSession(response) };
  };
}

/** A browser holding `token` as its session cookie. */
function holding(config: AuthConfig, token: string): EngineClient {
  const client = new EngineClient(ORIGIN, config);
  client.jar.set("authjs.session-token", token);
  return client;
}

const DAY = 86_400_000;

describe("revocation behind latch/proxy, over weeks (memory store)", () => {
  it("a revoked cookie the lean proxy kept renewing stays refused after the store forgot the revocation", async () => {
    const store = MemoryRevocationStore();
    const config = configWith(store);
    const browser = await signIn(config);
    let token = browser.jar.get("authjs.session-token") ?? "";
    const proxy = leanProxy();
    const start = Date.now();
    vi.useFakeTimers({ toFake: ["Date"], now: start });
    try {
      await store.revokeUser(await readSub(copyOf(browser, config)), new Date());
      expect(await holding(config, token).session()).toBeNull();
      for (const day of [20, 40]) {
        vi.setSystemTime(start + day * DAY);
        const { status, renewed } = await proxy(token);
        expect(status, `day ${day}: the lean proxy does not ask the store`).toBe(200);
        token = renewed ?? "";
        expect((await decode({ token, secret: SECRET, salt: "authjs.session-token" }))?.iat, "the proxy keeps iat").toBeLessThan(start / 1000 + 1);
      }
      // Day 40: the store kept the cut-off for 30 days; the cookie is alive only by the proxy.
      expect(await holding(config, token).session()).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it("a session renewed by latch's engine lives on; one renewed only by the lean proxy for longer than a token lives must sign in again", async () => {
    const config = configWith(MemoryRevocationStore());
    const proxy = leanProxy();
    const engineRenewed = await signIn(config);
    const proxyOnly = (await signIn(config)).jar.get("authjs.session-token") ?? "";
    const start = Date.now();
    vi.useFakeTimers({ toFake: ["Date"], now: start });
    try {
      let token = proxyOnly;
      for (const day of [20, 40]) {
        vi.setSystemTime(start + day * DAY);
        expect(await engineRenewed.session(), `day ${day}: the session route renews`).not.toBeNull();
        token = (await proxy(token)).renewed ?? "";
      }
      expect(await holding(config, token).session()).toBeNull();
      // Without a store there is nothing the proxy could have missed: the same cookie is a session.
      expect(await holding({ ...config, revocation: undefined }, token).session()).not.toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});

async function readSub(client: EngineClient): Promise<string> {
  const token = await decode({ token: client.jar.get("authjs.session-token"), secret: SECRET, salt: "authjs.session-token" });
  expect(typeof token?.sub).toBe("string");
  expect(typeof token?.sid).toBe("string");
  expect(typeof token?.auth_time).toBe("number");
  return String(token?.sub);
}

describe("a revocation store that fails", () => {
  it("gives no session and keeps the cookie (fail closed, nobody signed out for good)", async () => {
    const db = new Database(":memory:");
    const config = configWith(SQLiteRevocationStore(db));
    const browser = await signIn(config);
    db.close();
    const { response, cookies } = await browser.fetch("/api/auth/session");
    expect(response.status).toBe(200);
    expect(await response.json()).toBeNull();
    expect(cookies.some((c) => c.name === "authjs.session-token")).toBe(false);
  });
});
