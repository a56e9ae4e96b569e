/**
 * The signature counter of passkey sign-ins that arrive at the same moment. Each sign-in checks
 * the counter against the value read before verification; latch then stores it one sign-in at a
 * time per passkey (held through the rate-limit store), so concurrent sign-ins end as if they came
 * one after the other: two with the same counter (a cloned authenticator) let one in, and the
 * stored counter never goes below one already accepted. Shown with one instance (memory store,
 * SQLite) and with two instances sharing PostgreSQL, or PostgreSQL and Redis. Authenticators that
 * keep no counter (always 0) are not held; a rate-limit store that does not answer refuses.
 */
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { migratePostgres, PostgresAdapter } from "../src/adapters/postgres.js";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import Passkey from "../src/providers/passkey.js";
import { MemoryRateLimitStore } from "../src/rate-limit/memory.js";
import { PostgresRateLimitStore } from "../src/rate-limit/postgres.js";
import { RedisRateLimitStore } from "../src/rate-limit/redis.js";
import type { RateLimitStore } from "../src/rate-limit/types.js";
import type { Adapter } from "../src/adapters/types.js";
import type { AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";
import { requirePostgres, requireRedis } from "./helpers/services.js";
import { passkeyOptions, registerPasskey } from "./helpers/sign-in-flows.js";
import { StandinAuthenticator } from "./helpers/standin-authenticator.js";

const ORIGIN = "https://app.test";
const SECRET = "passkey-counter-test-secret-of-enough-length-0123456789";
const DONE = `${ORIGIN}/`;
const REFUSED = `${ORIGIN}/api/auth/signin?error=WebAuthnVerificationError`;

beforeAll(() => vi.stubEnv("AUTH_URL", ORIGIN));
afterAll(() => vi.unstubAllEnvs());

/** A site: a browser of one of its instances, the stored counter of its only passkey, and the errors logged. */
interface Site {
  client: () => EngineClient;
  counter: () => Promise<number>;
  errors: Error[];
  close: () => Promise<void>;
}

function config(adapter: Adapter, store: RateLimitStore | undefined, errors: Error[]): AuthConfig {
  return {
    secret: SECRET,
    adapter,
    providers: [Passkey({})],
    ...(store ? { rateLimit: { store } } : {}),
    logger: { error: (error) => void errors.push(error), warn: () => undefined },
  };
}

/** One instance: SQLite and the default in-memory rate-limit store (or `store`). */
function sqliteSite(store?: RateLimitStore): Site {
  const db = new Database(":memory:");
  migrateSQLite(db);
  const errors: Error[] = [];
  const settings = config(SQLiteAdapter(db), store, errors);
  return {
    client: () => new EngineClient(ORIGIN, settings),
    counter: async () => (db.prepare("SELECT counter FROM authenticators").get() as { counter: number }).counter,
    errors,
    close: async () => undefined,
  };
}

/** Two instances sharing PostgreSQL (adapter and, by default, the rate-limit store); browsers alternate between them. */
async function postgresSite(rateLimit: "postgres" | "redis"): Promise<Site> {
  const ns = await requirePostgres();
  await migratePostgres(ns.pool);
  const redis = rateLimit === "redis" ? await requireRedis() : undefined;
  const storeOf = () => (redis ? RedisRateLimitStore(redis.client, { prefix: `${redis.prefix}rl:` }) : PostgresRateLimitStore(ns.pool));
  const errors: Error[] = [];
  const instances = [config(PostgresAdapter(ns.pool), storeOf(), errors), config(PostgresAdapter(ns.pool), storeOf(), errors)] as const;
  let next = 0;
  return {
    client: () => new EngineClient(ORIGIN, instances[next++ % 2]!),
    counter: async () => Number((await ns.pool.query<{ counter: number }>("SELECT counter FROM authenticators")).rows[0]?.counter),
    errors,
    close: async () => {
      await redis?.drop();
      await ns.drop();
    },
  };
}

/** Signs in once per counter, each in a browser of its own with its own challenge, all posted at once; the redirects, in order. */
async function signInAtOnce(site: Site, device: StandinAuthenticator, counters: number[]): Promise<Array<string | null>> {
  const ready = await Promise.all(
    counters.map(async (counter) => {
      const browser = site.client();
      const options = (await passkeyOptions(browser, "authenticate")).options!;
      return { browser, csrfToken: await browser.csrfToken(), assertion: device.authenticate(options, { counter }) };
    }),
  );
  const answers = await Promise.all(ready.map(({ browser, csrfToken, assertion }) => browser.fetch("/api/auth/callback/passkey", { form: { csrfToken, action: "authenticate", data: JSON.stringify(assertion) } })));
  return answers.map(({ response }) => response.headers.get("location"));
}

async function signInWithCounter(site: Site, device: StandinAuthenticator, counter: number): Promise<string | null> {
  const [location] = await signInAtOnce(site, device, [counter]);
  return location ?? null;
}

describe.each([
  ["one instance (SQLite, memory rate-limit store)", async () => sqliteSite()],
  ["two instances sharing PostgreSQL", async () => postgresSite("postgres")],
  ["two instances sharing PostgreSQL and a Redis rate-limit store", async () => postgresSite("redis")],
])("concurrent passkey sign-ins, %s", (_, makeSite) => {
  it("let in only one of two sign-ins that carry the same counter (a cloned authenticator)", async () => {
    const site = await makeSite();
    try {
      const device = new StandinAuthenticator(ORIGIN);
      await registerPasskey(site.client(), device, "clone@example.com");
      const locations = await signInAtOnce(site, device, [5, 5]);
      expect(locations.filter((l) => l === DONE)).toHaveLength(1);
      expect(locations.filter((l) => l === REFUSED)).toHaveLength(1);
      expect(await site.counter()).toBe(5);
    } finally {
      await site.close();
    }
  });

  it.each([
    [10, 6],
    [6, 10],
  ])("sign-ins with counters %i and %i at once: the higher one is let in and stored, and a later lower one refused", async (first, second) => {
    const site = await makeSite();
    try {
      const device = new StandinAuthenticator(ORIGIN);
      await registerPasskey(site.client(), device, "rollback@example.com");
      const locations = await signInAtOnce(site, device, [first, second]);
      expect(locations[[first, second].indexOf(10)]).toBe(DONE);
      expect(await site.counter()).toBe(10);
      expect(await signInWithCounter(site, device, 7)).toBe(REFUSED);
      expect(await signInWithCounter(site, device, 11)).toBe(DONE);
    } finally {
      await site.close();
    }
  });

  it("let every sign-in of an authenticator without a counter (always 0) in, at once or one after the other", async () => {
    const site = await makeSite();
    try {
      const device = new StandinAuthenticator(ORIGIN, 0);
      await registerPasskey(site.client(), device, "synced@example.com");
      expect(await signInAtOnce(site, device, [0, 0, 0])).toEqual([DONE, DONE, DONE]);
      expect(await signInWithCounter(site, device, 0)).toBe(DONE);
      expect(await site.counter()).toBe(0);
    } finally {
      await site.close();
    }
  });
});

describe("a rate-limit store that does not answer when the counter is stored", () => {
  it("refuses the sign-in as WebAuthnVerificationError, stores no counter, and logs why", async () => {
    const memory = MemoryRateLimitStore();
    const failing: RateLimitStore = {
      hit: (key, windowMs) => (key.startsWith("webauthn:counter:") ? Promise.reject(new Error("store unreachable")) : memory.hit(key, windowMs)),
      reset: (key) => memory.reset(key),
    };
    const site = sqliteSite(failing);
    const device = new StandinAuthenticator(ORIGIN);
    await registerPasskey(site.client(), device, "unanswered@example.com");
    const browser = site.client();
    const options = (await passkeyOptions(browser, "authenticate")).options!;
    const csrfToken = await browser.csrfToken();
    const { response } = await browser.fetch("/api/auth/callback/passkey", { form: { csrfToken, action: "authenticate", data: JSON.stringify(device.authenticate(options)) } });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(REFUSED);
    expect(await browser.session()).toBeNull();
    expect(await site.counter()).toBe(0);
    const logged = site.errors.at(-1);
    expect(logged?.message).toMatch(/rate-limit store did not answer/);
    expect(logged?.cause).toMatchObject({ message: "store unreachable" });
  });
});
