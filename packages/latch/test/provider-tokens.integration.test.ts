/**
 * Provider-token stores: compare-and-set writes on a version, so of concurrent writers with the
 * same expected version exactly one wins, and a refresh lock that only its holder can release, in
 * memory, SQLite (in memory and in a file), PostgreSQL and Redis — one suite for all of them.
 * Lock expiry is waited out for real: the stores use their server's clock, which fake timers
 * cannot move.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { MemoryProviderTokenStore } from "../src/provider-tokens/memory.js";
import { PostgresProviderTokenStore } from "../src/provider-tokens/postgres.js";
import { RedisProviderTokenStore } from "../src/provider-tokens/redis.js";
import { SQLiteProviderTokenStore } from "../src/provider-tokens/sqlite.js";
import type { ProviderTokenLock, ProviderTokens, ProviderTokenStore } from "../src/provider-tokens/types.js";
import { postgresUrl, requirePostgres } from "./helpers/services.js";
import { useStoreBackends } from "./helpers/store-backends.js";

const backends = useStoreBackends("provider-tokens");
const { openSQLite, sqliteFile, sqliteReader } = backends;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
/** A user no other test uses: the SQLite file, the PostgreSQL tables and the Redis prefix are shared by the whole file. */
const newUser = () => `user-${randomUUID()}`;
const redisPrefix = () => `${backends.redis.prefix}pt:`;
const HOUR = 60 * 60 * 1000;

/** Tokens with every field set, in characters a store might mangle. */
function fullTokens(overrides: Partial<ProviderTokens> = {}): ProviderTokens {
  return {
    accessToken: `ya29.${"a".repeat(2000)}.${randomUUID()}`,
    refreshToken: `1//refresh-é-🔑-"quoted"-\\-${randomUUID()}`,
    expiresAt: Math.floor(Date.now() / 1000) + 3599,
    scope: "openid email https://www.googleapis.com/auth/calendar.readonly",
    tokenType: "Bearer",
    error: "RefreshTokenError",
    ...overrides,
  };
}

/** Tokens with only the access token, each call different. */
const bareTokens = (): ProviderTokens => ({ accessToken: `access-${randomUUID()}` });

/** How many of `values` satisfy `predicate`. */
const count = <T>(values: T[], predicate: (value: T) => boolean) => values.filter(predicate).length;

interface StoreCase {
  name: string;
  make: () => ProviderTokenStore;
  /** Whether separate store instances see the same tokens and locks. */
  shared: boolean;
}

const stores: StoreCase[] = [
  { name: "memory", make: () => MemoryProviderTokenStore(), shared: false },
  { name: "SQLite in memory", make: () => SQLiteProviderTokenStore(openSQLite(":memory:")), shared: false },
  { name: "SQLite in a file", make: () => SQLiteProviderTokenStore(openSQLite(sqliteFile())), shared: true },
  { name: "PostgreSQL", make: () => PostgresProviderTokenStore(backends.postgres.pool), shared: true },
  { name: "Redis", make: () => RedisProviderTokenStore(backends.redis.client, { prefix: redisPrefix() }), shared: true },
];

describe.each(stores)("provider tokens in $name", ({ make }) => {
  it("has nothing for a user and provider never written", async () => {
    const store = make();
    expect(await store.get(newUser(), "google")).toBeNull();
    expect(await store.get("", "")).toBeNull();
  });

  it("writes version 1 when nothing is stored, and gives back every field as it was given", async () => {
    const store = make();
    const user = newUser();
    const tokens = fullTokens();
    const expected = structuredClone(tokens);
    expect(await store.put(user, "google", tokens, null)).toBe(1);
    // The store keeps its own copy: changing the object afterwards changes nothing stored.
    tokens.accessToken = "changed";
    const stored = await store.get(user, "google");
    expect(stored).toStrictEqual({ ...expected, version: 1 });
    expect(stored?.expiresAt).toBeTypeOf("number");
    // Nor does changing what was handed back.
    if (stored !== null) stored.scope = "changed";
    expect(await store.get(user, "google")).toStrictEqual({ ...expected, version: 1 });
  });

  it("keeps optional fields absent, whether left out or given as undefined", async () => {
    const store = make();
    const [user1, user2] = [newUser(), newUser()];
    expect(await store.put(user1, "github", { accessToken: "gho_only" }, null)).toBe(1);
    const explicit: ProviderTokens = { accessToken: "gho_explicit", refreshToken: undefined, expiresAt: undefined, scope: undefined, tokenType: undefined, error: undefined };
    expect(await store.put(user2, "github", explicit, null)).toBe(1);
    const stored1 = await store.get(user1, "github");
    const stored2 = await store.get(user2, "github");
    expect(stored1).toStrictEqual({ accessToken: "gho_only", version: 1 });
    expect(Object.keys(stored1 ?? {}).sort()).toEqual(["accessToken", "version"]);
    expect(Object.keys(stored2 ?? {}).sort()).toEqual(["accessToken", "version"]);
    expect(stored2).toStrictEqual({ accessToken: "gho_explicit", version: 1 });
  });

  it("writes at the expected version, bumping it each time and replacing every field", async () => {
    const store = make();
    const user = newUser();
    expect(await store.put(user, "google", fullTokens(), null)).toBe(1);
    const { error: _error, ...second } = fullTokens({ expiresAt: 2_000_000_000 });
    expect(await store.put(user, "google", second, 1)).toBe(2);
    expect(await store.get(user, "google")).toStrictEqual({ ...second, version: 2 });
    expect(Object.keys((await store.get(user, "google")) ?? {})).not.toContain("error");
    // Fields the previous tokens had and these lack are gone, not kept.
    const third = bareTokens();
    expect(await store.put(user, "google", third, 2)).toBe(3);
    expect(await store.get(user, "google")).toStrictEqual({ ...third, version: 3 });
  });

  it("writes nothing at a stale or a future version, nor at a version when nothing is stored", async () => {
    const store = make();
    const user = newUser();
    const first = fullTokens();
    expect(await store.put(user, "google", first, null)).toBe(1);
    const second = fullTokens();
    expect(await store.put(user, "google", second, 1)).toBe(2);
    expect(await store.put(user, "google", bareTokens(), 1)).toBeNull();
    expect(await store.put(user, "google", bareTokens(), 3)).toBeNull();
    expect(await store.get(user, "google")).toStrictEqual({ ...second, version: 2 });
    // A missed write does not bump the version either.
    expect(await store.put(user, "google", first, 2)).toBe(3);

    const other = newUser();
    expect(await store.put(other, "google", bareTokens(), 1)).toBeNull();
    expect(await store.get(other, "google")).toBeNull();
    expect(await store.put(other, "google", bareTokens(), null)).toBe(1);
  });

  it("writes nothing with no expected version when something is stored", async () => {
    const store = make();
    const user = newUser();
    const first = fullTokens();
    expect(await store.put(user, "google", first, null)).toBe(1);
    expect(await store.put(user, "google", bareTokens(), null)).toBeNull();
    expect(await store.get(user, "google")).toStrictEqual({ ...first, version: 1 });
  });

  it("overwrites whatever is stored when forced, still bumping the version", async () => {
    const store = make();
    const user = newUser();
    const forced = fullTokens();
    expect(await store.put(user, "google", forced, null, { force: true })).toBe(1);
    expect(await store.get(user, "google")).toStrictEqual({ ...forced, version: 1 });
    const overNull = bareTokens();
    expect(await store.put(user, "google", overNull, null, { force: true })).toBe(2);
    expect(await store.get(user, "google")).toStrictEqual({ ...overNull, version: 2 });
    const overStale = fullTokens({ scope: "stale" });
    expect(await store.put(user, "google", overStale, 1, { force: true })).toBe(3);
    expect(await store.get(user, "google")).toStrictEqual({ ...overStale, version: 3 });
    // force: false is no force.
    expect(await store.put(user, "google", bareTokens(), 1, { force: false })).toBeNull();
    expect(await store.get(user, "google")).toStrictEqual({ ...overStale, version: 3 });
    // Forced with a version over nothing: version 1.
    const other = newUser();
    expect(await store.put(other, "google", overNull, 7, { force: true })).toBe(1);
  });

  it("deletes the tokens of one user at one provider, after which they start again at version 1", async () => {
    const store = make();
    const user = newUser();
    const kept = fullTokens();
    await store.put(user, "google", fullTokens(), null);
    await store.put(user, "google", fullTokens(), 1);
    await store.put(user, "github", kept, null);
    await store.delete(user, "google");
    expect(await store.get(user, "google")).toBeNull();
    expect(await store.get(user, "github")).toStrictEqual({ ...kept, version: 1 });
    // The old version is gone with the record.
    expect(await store.put(user, "google", bareTokens(), 2)).toBeNull();
    expect(await store.get(user, "google")).toBeNull();
    const fresh = bareTokens();
    expect(await store.put(user, "google", fresh, null)).toBe(1);
    expect(await store.get(user, "google")).toStrictEqual({ ...fresh, version: 1 });
    await store.delete(user, "google");
    await expect(store.delete(user, "google")).resolves.toBeUndefined();
    await expect(store.delete(newUser(), "google")).resolves.toBeUndefined();
  });

  it("keeps every user and provider apart, even ids that differ only in characters a store might escape", async () => {
    const store = make();
    const base = newUser();
    // Pairs that would collide if user and provider were joined by a separator or escaped carelessly.
    const pairs: [string, string][] = [
      [`${base}:a`, "b"],
      [base, "a:b"],
      [`${base}:a%3Ab`, "c"],
      [`${base}:a:b`, "c"],
      [`${base} é/🔑`, "google"],
      [`${base}`, "google"],
      [`${base}`, "github"],
    ];
    const written = pairs.map(() => fullTokens());
    for (const [i, [user, provider]] of pairs.entries()) expect(await store.put(user, provider, written[i] ?? bareTokens(), null)).toBe(1);
    for (const [i, [user, provider]] of pairs.entries()) expect(await store.get(user, provider)).toStrictEqual({ ...written[i], version: 1 });
    // Writes and deletes touch only their own pair.
    expect(await store.put(base, "google", bareTokens(), 1)).toBe(2);
    await store.delete(base, "a:b");
    expect(await store.get(base, "a:b")).toBeNull();
    expect(await store.get(`${base}:a`, "b")).toStrictEqual({ ...written[0], version: 1 });
    expect(await store.get(base, "github")).toStrictEqual({ ...written[6], version: 1 });
    expect(await store.get(newUser(), "google")).toBeNull();
  });

  it("lets exactly one of 20 concurrent writers with the same expected version win, the first write as any other", async () => {
    const store = make();
    const user = newUser();
    const first = Array.from({ length: 20 }, () => bareTokens());
    const created = await Promise.all(first.map((tokens) => store.put(user, "google", tokens, null)));
    expect(created.filter((version) => version !== null)).toEqual([1]);
    const creator = created.indexOf(1);
    expect(await store.get(user, "google")).toStrictEqual({ ...first[creator], version: 1 });

    const second = Array.from({ length: 20 }, () => fullTokens());
    const updated = await Promise.all(second.map((tokens) => store.put(user, "google", tokens, 1)));
    expect(updated.filter((version) => version !== null)).toEqual([2]);
    const updater = updated.indexOf(2);
    expect(await store.get(user, "google")).toStrictEqual({ ...second[updater], version: 2 });
  });

  it("refuses a second lock while the first is held, from any caller, per user and provider", async () => {
    const store = make();
    const user = newUser();
    const held = await store.lock(user, "google", 60_000);
    expect(held).not.toBeNull();
    expect(await store.lock(user, "google", 60_000)).toBeNull();
    expect(await store.lock(user, "google", 1)).toBeNull();
    // Other pairs have locks of their own.
    const other = await store.lock(user, "github", 60_000);
    const otherUser = await store.lock(newUser(), "google", 60_000);
    expect(other).not.toBeNull();
    expect(otherUser).not.toBeNull();
    await other?.release();
    await otherUser?.release();
    // Releasing another pair's lock left this one held.
    expect(await store.lock(user, "google", 60_000)).toBeNull();
    await held?.release();
  });

  it("can be locked again once released; releasing twice is harmless", async () => {
    const store = make();
    const user = newUser();
    const first = await store.lock(user, "google", 60_000);
    if (first === null) throw new Error("the first lock was refused");
    await first.release();
    const second = await store.lock(user, "google", 60_000);
    expect(second).not.toBeNull();
    // The first holder releasing again must not free the second holder's lock.
    await first.release();
    expect(await store.lock(user, "google", 60_000)).toBeNull();
    await second?.release();
    const third = await store.lock(user, "google", 60_000);
    expect(third).not.toBeNull();
    await third?.release();
  });

  it("lets a lock expire after its time, by itself", async () => {
    const store = make();
    const user = newUser();
    const start = Date.now();
    expect(await store.lock(user, "google", 300)).not.toBeNull();
    await sleep(start + 120 - Date.now());
    expect(await store.lock(user, "google", 300)).toBeNull();
    await sleep(start + 450 - Date.now());
    const next = await store.lock(user, "google", 60_000);
    expect(next).not.toBeNull();
    await next?.release();
  });

  it("does not let a holder whose lock expired release the lock another took since", async () => {
    const store = make();
    const user = newUser();
    const stale = await store.lock(user, "google", 200);
    if (stale === null) throw new Error("the first lock was refused");
    await sleep(320);
    const current = await store.lock(user, "google", 60_000);
    if (current === null) throw new Error("the expired lock was not taken over");
    await stale.release();
    expect(await store.lock(user, "google", 60_000)).toBeNull();
    await current.release();
    const after = await store.lock(user, "google", 60_000);
    expect(after).not.toBeNull();
    await after?.release();
  });

  it("gives exactly one of 10 concurrent lock attempts the lock", async () => {
    const store = make();
    const user = newUser();
    const locks = await Promise.all(Array.from({ length: 10 }, () => store.lock(user, "google", 60_000)));
    expect(count(locks, (lock) => lock !== null)).toBe(1);
    expect(await store.lock(user, "google", 60_000)).toBeNull();
    for (const lock of locks) await lock?.release();
    const again = await store.lock(user, "google", 60_000);
    expect(again).not.toBeNull();
    await again?.release();
  });

  it("refuses a lock time that is not a positive number of milliseconds, taking no lock", async () => {
    const store = make();
    const user = newUser();
    for (const ttlMs of [0, -1000, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(store.lock(user, "google", ttlMs)).rejects.toThrow(RangeError);
    }
    const lock = await store.lock(user, "google", 60_000);
    expect(lock).not.toBeNull();
    await lock?.release();
  });

  it("refuses a version that is not a positive integer and an expiry that is not whole seconds, writing nothing", async () => {
    const store = make();
    const user = newUser();
    for (const version of [0, -1, 1.5, Number.NaN]) {
      await expect(store.put(user, "google", bareTokens(), version)).rejects.toThrow(RangeError);
    }
    for (const expiresAt of [1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(store.put(user, "google", fullTokens({ expiresAt }), null)).rejects.toThrow(RangeError);
      await expect(store.put(user, "google", fullTokens({ expiresAt }), null, { force: true })).rejects.toThrow(RangeError);
    }
    expect(await store.get(user, "google")).toBeNull();
  });
});

describe.each(stores.filter((store) => store.shared))("provider tokens in $name, shared by instances", ({ make }) => {
  it("reads in one instance what another wrote, and lets one of the writers from both instances win", async () => {
    const [a, b] = [make(), make()];
    const user = newUser();
    const first = fullTokens();
    expect(await a.put(user, "google", first, null)).toBe(1);
    expect(await b.get(user, "google")).toStrictEqual({ ...first, version: 1 });
    expect(await b.put(user, "google", bareTokens(), null)).toBeNull();

    const candidates = Array.from({ length: 20 }, () => fullTokens());
    const versions = await Promise.all(candidates.map((tokens, i) => (i % 2 === 0 ? a : b).put(user, "google", tokens, 1)));
    expect(versions.filter((version) => version !== null)).toEqual([2]);
    const winner = { ...candidates[versions.indexOf(2)], version: 2 };
    expect(await a.get(user, "google")).toStrictEqual(winner);
    expect(await b.get(user, "google")).toStrictEqual(winner);
    await b.delete(user, "google");
    expect(await a.get(user, "google")).toBeNull();
  });

  it("keeps the lock one instance holds from the other until released", async () => {
    const [a, b] = [make(), make()];
    const user = newUser();
    const held = await a.lock(user, "google", 60_000);
    if (held === null) throw new Error("the first lock was refused");
    expect(await b.lock(user, "google", 60_000)).toBeNull();
    await held.release();
    const taken = await b.lock(user, "google", 60_000);
    if (taken === null) throw new Error("the released lock was not free");
    // The first holder's late release leaves the other instance's lock alone.
    await held.release();
    expect(await a.lock(user, "google", 60_000)).toBeNull();
    await taken.release();

    const locks = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).lock(user, "google", 60_000)));
    expect(count(locks, (lock) => lock !== null)).toBe(1);
    for (const lock of locks) await lock?.release();
  });

  it("lets another instance take over a lock whose holder let it expire", async () => {
    const [a, b] = [make(), make()];
    const user = newUser();
    const stale = await a.lock(user, "google", 200);
    if (stale === null) throw new Error("the first lock was refused");
    expect(await b.lock(user, "google", 60_000)).toBeNull();
    await sleep(320);
    const current = await b.lock(user, "google", 60_000);
    if (current === null) throw new Error("the expired lock was not taken over");
    await stale.release();
    expect(await a.lock(user, "google", 60_000)).toBeNull();
    await current.release();
  });
});

describe("provider tokens in PostgreSQL from two pools", () => {
  it("works from two stores on separate pools, both creating the tables at once", async () => {
    // A schema of its own, so the tables do not exist yet and both stores race to create them.
    const namespace = await requirePostgres();
    const otherPool = new pg.Pool({ connectionString: postgresUrl(), connectionTimeoutMillis: 3000, options: `-c search_path=${namespace.schema}` });
    try {
      const [a, b] = [PostgresProviderTokenStore(namespace.pool), PostgresProviderTokenStore(otherPool)];
      const user = newUser();
      const candidates = Array.from({ length: 10 }, () => bareTokens());
      const [versions, locks] = await Promise.all([
        Promise.all(candidates.map((tokens, i) => (i % 2 === 0 ? a : b).put(user, "google", tokens, null))),
        Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? b : a).lock(user, "google", 60_000))),
      ]);
      expect(versions.filter((version) => version !== null)).toEqual([1]);
      expect(count(locks, (lock) => lock !== null)).toBe(1);
      const { rows } = await otherPool.query<{ access_token: string; version: number }>("SELECT access_token, version FROM latch_provider_tokens WHERE user_id = $1", [user]);
      expect(rows).toEqual([{ access_token: candidates[versions.indexOf(1)]?.accessToken, version: 1 }]);
    } finally {
      await otherPool.end();
      await namespace.drop();
    }
  });
});

describe("provider tokens in SQLite shared by processes", () => {
  // Each child process opens the file and, at one agreed instant, tries to lock every pair and to
  // write every pair at version 1.
  const CHILD = `
const [file, storeModule, start, ...users] = process.argv.slice(1);
const { default: Database } = await import("better-sqlite3");
const { SQLiteProviderTokenStore } = await import(storeModule);
const db = new Database(file);
db.pragma("synchronous = OFF");
const store = SQLiteProviderTokenStore(db);
await new Promise((resolve) => setTimeout(resolve, Number(start) - Date.now()));
const results = [];
for (const user of users) {
  const lock = await store.lock(user, "google", 3600000);
  const version = await store.put(user, "google", { accessToken: String(process.pid) }, 1);
  results.push([lock !== null, version]);
}
process.stdout.write(JSON.stringify(results));`;

  it("gives each pair one lock holder and one writer when four processes race for them", async () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const storeModule = join(here, "../src/provider-tokens/sqlite.ts");
    const file = backends.tempFile("processes.db");
    const db = openSQLite(file);
    // Durability does not matter here, speed does (locking is the same).
    db.pragma("synchronous = OFF");
    const store = SQLiteProviderTokenStore(db);
    const users = Array.from({ length: 300 }, () => newUser());
    for (const user of users) await store.put(user, "google", bareTokens(), null);
    const start = String(Date.now() + 2000);
    const run = promisify(execFile);
    const outputs = await Promise.all(
      Array.from({ length: 4 }, () => run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", CHILD, file, storeModule, start, ...users], { cwd: join(here, "..") })),
    );
    const perProcess = outputs.map(({ stdout }) => JSON.parse(stdout) as [boolean, number | null][]);
    for (const [i, user] of users.entries()) {
      const results = perProcess.map((results) => results[i]);
      expect(results.map((result) => result?.[0]).sort(), `lock of ${user}`).toEqual([false, false, false, true]);
      expect(results.map((result) => result?.[1] ?? null).sort(), `write of ${user}`).toEqual([2, null, null, null]);
    }
    expect(await store.get(users[0] ?? "", "google")).toMatchObject({ version: 2 });
  });
});

describe("the PostgreSQL provider-token tables", () => {
  it("hold one row per user and provider in the documented columns, and one lock row while a lock is held", async () => {
    const store = PostgresProviderTokenStore(backends.postgres.pool);
    const user = newUser();
    const tokens = fullTokens({ expiresAt: 4_102_444_800 });
    await store.put(user, "google", tokens, null);
    await store.put(user, "github", { accessToken: "gho" }, null);
    const { rows } = await backends.postgres.pool.query("SELECT * FROM latch_provider_tokens WHERE user_id = $1 ORDER BY provider", [user]);
    expect(rows).toEqual([
      { user_id: user, provider: "github", access_token: "gho", refresh_token: null, expires_at: null, scope: null, token_type: null, error: null, version: 1 },
      {
        user_id: user,
        provider: "google",
        access_token: tokens.accessToken,
        refresh_token: tokens.refreshToken,
        expires_at: "4102444800",
        scope: tokens.scope,
        token_type: "Bearer",
        error: "RefreshTokenError",
        version: 1,
      },
    ]);

    const lock = await store.lock(user, "google", 60_000);
    const held = await backends.postgres.pool.query<{ owner: string; ms: number }>(
      "SELECT owner, EXTRACT(EPOCH FROM expires_at - now()) * 1000 AS ms FROM latch_provider_token_locks WHERE user_id = $1 AND provider = $2",
      [user, "google"],
    );
    expect(held.rows).toHaveLength(1);
    expect(Number(held.rows[0]?.ms)).toBeGreaterThan(58_000);
    expect(Number(held.rows[0]?.ms)).toBeLessThanOrEqual(60_000);
    await lock?.release();
    const after = await backends.postgres.pool.query("SELECT 1 FROM latch_provider_token_locks WHERE user_id = $1", [user]);
    expect(after.rowCount).toBe(0);
  });
});

describe("the SQLite provider-token tables", () => {
  it("hold one row per user and provider, and one lock row while a lock is held", async () => {
    const store = SQLiteProviderTokenStore(openSQLite(sqliteFile()));
    const user = newUser();
    const tokens = fullTokens({ expiresAt: 4_102_444_800 });
    await store.put(user, "google", tokens, null);
    await store.put(user, "google", tokens, 1);
    const row = sqliteReader().prepare<[string]>("SELECT * FROM latch_provider_tokens WHERE user_id = ?").get(user);
    expect(row).toEqual({
      user_id: user,
      provider: "google",
      access_token: tokens.accessToken,
      refresh_token: tokens.refreshToken,
      expires_at: 4_102_444_800,
      scope: tokens.scope,
      token_type: "Bearer",
      error: "RefreshTokenError",
      version: 2,
    });
    const before = Date.now();
    const lock = await store.lock(user, "google", 60_000);
    const locked = sqliteReader().prepare<[string], { expires_at: number }>("SELECT expires_at FROM latch_provider_token_locks WHERE user_id = ?").all(user);
    expect(locked).toHaveLength(1);
    expect(locked[0]?.expires_at).toBeGreaterThanOrEqual(before + 60_000);
    expect(locked[0]?.expires_at).toBeLessThanOrEqual(Date.now() + 60_000);
    await lock?.release();
    expect(sqliteReader().prepare<[string]>("SELECT 1 FROM latch_provider_token_locks WHERE user_id = ?").all(user)).toEqual([]);
  });
});

describe("the Redis provider-token store", () => {
  const pTTL = (key: string) => backends.redis.client.pTTL(key);
  const tokensKey = (prefix: string, user: string, provider: string) => `${prefix}tokens:${encodeURIComponent(user)}:${encodeURIComponent(provider)}`;
  const lockKey = (prefix: string, user: string, provider: string) => `${prefix}lock:${encodeURIComponent(user)}:${encodeURIComponent(provider)}`;

  it("keeps tokens under the prefix with no expiry, and a lock key that expires with the lock", async () => {
    const store = RedisProviderTokenStore(backends.redis.client, { prefix: redisPrefix() });
    const user = `${newUser()} with/odd:chars`;
    await store.put(user, "google", fullTokens(), null);
    const key = tokensKey(redisPrefix(), user, "google");
    expect(await backends.redis.client.hGet(key, "version")).toBe("1");
    expect(await pTTL(key)).toBe(-1);
    await store.put(user, "google", fullTokens(), 1);
    expect(await pTTL(key)).toBe(-1);

    const lock = await store.lock(user, "google", 10_000);
    const held = lockKey(redisPrefix(), user, "google");
    expect(await pTTL(held)).toBeGreaterThan(8_000);
    expect(await pTTL(held)).toBeLessThanOrEqual(10_000);
    await lock?.release();
    expect(await backends.redis.client.exists(held)).toBe(0);
    await store.delete(user, "google");
    expect(await backends.redis.client.exists(key)).toBe(0);
  });

  it("gives records a lifetime of maxAge seconds when asked, renewed by every write", async () => {
    const store = RedisProviderTokenStore(backends.redis.client, { prefix: redisPrefix(), maxAge: 60 });
    const user = newUser();
    const key = tokensKey(redisPrefix(), user, "google");
    await store.put(user, "google", bareTokens(), null);
    expect(await pTTL(key)).toBeGreaterThan(58_000);
    expect(await pTTL(key)).toBeLessThanOrEqual(60_000);
    await backends.redis.client.pExpire(key, 5_000);
    await store.put(user, "google", bareTokens(), 1);
    expect(await pTTL(key)).toBeGreaterThan(58_000);
    // A missed write renews nothing.
    await backends.redis.client.pExpire(key, 5_000);
    expect(await store.put(user, "google", bareTokens(), 1)).toBeNull();
    expect(await pTTL(key)).toBeLessThanOrEqual(5_000);
    // A store without maxAge writing the record makes it permanent again.
    await RedisProviderTokenStore(backends.redis.client, { prefix: redisPrefix() }).put(user, "google", bareTokens(), 2);
    expect(await pTTL(key)).toBe(-1);

    const short = RedisProviderTokenStore(backends.redis.client, { prefix: redisPrefix(), maxAge: 0.3 });
    const other = newUser();
    await short.put(other, "google", bareTokens(), null);
    expect(await short.get(other, "google")).not.toBeNull();
    await sleep(450);
    expect(await short.get(other, "google")).toBeNull();
  });

  it("refuses a maxAge that is not a positive number of seconds", () => {
    for (const maxAge of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => RedisProviderTokenStore(backends.redis.client, { maxAge })).toThrow(RangeError);
  });

  it("uses the prefix latch:pt: by default", async () => {
    const store = RedisProviderTokenStore(backends.redis.client);
    const user = newUser();
    let lock: ProviderTokenLock | null = null;
    const keys = [tokensKey("latch:pt:", user, "google"), lockKey("latch:pt:", user, "google")];
    try {
      await store.put(user, "google", bareTokens(), null);
      lock = await store.lock(user, "google", 5000);
      expect(await backends.redis.client.exists(keys)).toBe(2);
    } finally {
      await lock?.release();
      await backends.redis.client.del(keys);
    }
  });
});

describe("the memory provider-token store", () => {
  it("shares nothing between two stores", async () => {
    const [a, b] = [MemoryProviderTokenStore(), MemoryProviderTokenStore()];
    const user = newUser();
    await a.put(user, "google", bareTokens(), null);
    const lock = await a.lock(user, "google", HOUR);
    expect(await b.get(user, "google")).toBeNull();
    expect(await b.lock(user, "google", HOUR)).not.toBeNull();
    await lock?.release();
  });
});
