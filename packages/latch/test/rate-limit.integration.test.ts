/**
 * Rate-limit stores: fixed windows that start at the first hit, increment-then-compare counting
 * that stays exact under concurrency, in memory, SQLite (in memory and in a file), PostgreSQL and
 * Redis — one suite for all of them. Windows are short and waited out for real: the stores use
 * their server's clock, which fake timers cannot move.
 */
import { randomUUID } from "node:crypto";

import pg from "pg";
import { describe, expect, it } from "vitest";
import { MemoryRateLimitStore } from "../src/rate-limit/memory.js";
import { PostgresRateLimitStore } from "../src/rate-limit/postgres.js";
import { RedisRateLimitStore } from "../src/rate-limit/redis.js";
import { SQLiteRateLimitStore } from "../src/rate-limit/sqlite.js";
import type { RateLimitHit, RateLimitStore } from "../src/rate-limit/types.js";
import { postgresUrl, requirePostgres } from "./helpers/services.js";
import { useStoreBackends } from "./helpers/store-backends.js";

const backends = useStoreBackends("rate-limit");
const { openSQLite, sqliteFile, sqliteReader } = backends;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
/** A key no other test uses: the SQLite file, the PostgreSQL table and the Redis prefix are shared by the whole file. */
const newKey = (label = "key") => `${label}:${randomUUID()}`;
const countsOf = (hits: RateLimitHit[]) => hits.map((hit) => hit.count).sort((a, b) => a - b);
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const spread = (hits: RateLimitHit[]) => {
  const ends = hits.map((hit) => hit.resetAt.getTime());
  return Math.max(...ends) - Math.min(...ends);
};

/** How far a server's clock may be from this process's, in ms (same machine: rounding only). */
const CLOCK_SLACK = 20;

interface StoreCase {
  name: string;
  make: () => RateLimitStore;
  /** Whether separate store instances see the same counts. */
  shared: boolean;
  /**
   * How much the reported end of one window may vary between hits, in ms: 0 where the end is
   * stored; Redis adds the time left to its clock in milliseconds, each rounded down.
   */
  drift: number;
}

const stores: StoreCase[] = [
  { name: "memory", make: () => MemoryRateLimitStore(), shared: false, drift: 0 },
  { name: "SQLite in memory", make: () => SQLiteRateLimitStore(openSQLite(":memory:")), shared: false, drift: 0 },
  { name: "SQLite in a file", make: () => SQLiteRateLimitStore(openSQLite(sqliteFile())), shared: true, drift: 0 },
  { name: "PostgreSQL", make: () => PostgresRateLimitStore(backends.postgres.pool), shared: true, drift: 0 },
  { name: "Redis", make: () => RedisRateLimitStore(backends.redis.client, { prefix: `${backends.redis.prefix}rl:` }), shared: true, drift: 2 },
];

describe.each(stores)("rate limiting in $name", ({ make, drift }) => {
  it("counts 1, 2, 3 within a window", async () => {
    const store = make();
    const key = newKey();
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) counts.push((await store.hit(key, 60_000)).count);
    expect(counts).toEqual([1, 2, 3]);
  });

  it("ends the window one window after the first hit, and later hits in it keep that end", async () => {
    const store = make();
    const key = newKey();
    const before = Date.now();
    const first = await store.hit(key, 60_000);
    const after = Date.now();
    expect(first.resetAt).toBeInstanceOf(Date);
    expect(first.resetAt.getTime()).toBeGreaterThanOrEqual(before + 60_000 - CLOCK_SLACK);
    expect(first.resetAt.getTime()).toBeLessThanOrEqual(after + 60_000 + CLOCK_SLACK);
    // A sliding window would move its end by the time between hits.
    await sleep(120);
    const second = await store.hit(key, 60_000);
    await sleep(120);
    const third = await store.hit(key, 60_000);
    expect(third.count).toBe(3);
    expect(spread([first, second, third])).toBeLessThanOrEqual(drift);
  });

  it("starts a new window at 1 once the window counted from the first hit has passed", async () => {
    const store = make();
    const key = newKey();
    const start = Date.now();
    const first = await store.hit(key, 400);
    expect(first.count).toBe(1);
    await sleep(start + 150 - Date.now());
    expect((await store.hit(key, 400)).count).toBe(2);
    // Past the first hit's window, still inside the second hit's: fixed windows restart here.
    await sleep(start + 470 - Date.now());
    const before = Date.now();
    const fresh = await store.hit(key, 400);
    const after = Date.now();
    expect(fresh.count).toBe(1);
    expect(fresh.resetAt.getTime()).toBeGreaterThanOrEqual(before + 400 - CLOCK_SLACK);
    expect(fresh.resetAt.getTime()).toBeLessThanOrEqual(after + 400 + CLOCK_SLACK);
    const next = await store.hit(key, 400);
    expect(next.count).toBe(2);
    expect(spread([fresh, next])).toBeLessThanOrEqual(drift);
  });

  it("counts every key on its own", async () => {
    const store = make();
    const base = newKey();
    // Keys that differ only in characters a store might escape.
    const [a, b] = [`${base}/a b`, `${base}/a%20b`];
    for (let i = 0; i < 3; i++) await store.hit(a, 60_000);
    expect((await store.hit(b, 60_000)).count).toBe(1);
    expect((await store.hit(a, 60_000)).count).toBe(4);
    expect((await store.hit(b, 60_000)).count).toBe(2);
  });

  it("forgets a key on reset, and only that key", async () => {
    const store = make();
    const [a, b] = [newKey("a"), newKey("b")];
    for (let i = 0; i < 3; i++) await store.hit(a, 60_000);
    await store.hit(b, 60_000);
    await sleep(120);
    await store.reset(a);
    const before = Date.now();
    const again = await store.hit(a, 60_000);
    expect(again.count).toBe(1);
    expect(again.resetAt.getTime()).toBeGreaterThanOrEqual(before + 60_000 - CLOCK_SLACK);
    expect((await store.hit(b, 60_000)).count).toBe(2);
    await expect(store.reset(newKey("never-hit"))).resolves.toBeUndefined();
  });

  it("takes one attempt back on undo, never below zero, keeping the window and every other key", async () => {
    const store = make();
    const [a, b] = [newKey("a"), newKey("b")];
    const first = await store.hit(a, 60_000);
    await store.hit(a, 60_000);
    await store.hit(b, 60_000);
    await store.undo?.(a);
    const third = await store.hit(a, 60_000);
    expect(third.count).toBe(2);
    expect(spread([first, third])).toBeLessThanOrEqual(drift);
    for (let i = 0; i < 4; i++) await store.undo?.(a);
    expect((await store.hit(a, 60_000)).count).toBe(1);
    expect((await store.hit(b, 60_000)).count).toBe(2);
    await expect(store.undo?.(newKey("never-hit"))).resolves.toBeUndefined();
    expect((await store.hit(newKey("never-hit"), 60_000)).count).toBe(1);
    expect(typeof store.undo).toBe("function");
  });

  it("counts 50 concurrent hits on one key exactly once each", async () => {
    const store = make();
    const key = newKey();
    const hits = await Promise.all(Array.from({ length: 50 }, () => store.hit(key, 60_000)));
    expect(countsOf(hits)).toEqual(oneTo(50));
    expect(spread(hits)).toBeLessThanOrEqual(drift);
    expect((await store.hit(key, 60_000)).count).toBe(51);
  });

  it("refuses a window that is not a positive number of milliseconds", async () => {
    const store = make();
    for (const windowMs of [0, -1000, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(store.hit(newKey(), windowMs)).rejects.toThrow(RangeError);
    }
  });
});

describe.each(stores.filter((store) => store.shared))("rate limiting in $name, shared by instances", ({ make, drift }) => {
  it("gives two store instances hitting one key concurrently one count", async () => {
    const [a, b] = [make(), make()];
    const key = newKey();
    const hits = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).hit(key, 60_000)));
    expect(countsOf(hits)).toEqual(oneTo(40));
    expect(spread(hits)).toBeLessThanOrEqual(drift);
    await b.reset(key);
    expect((await a.hit(key, 60_000)).count).toBe(1);
  });
});

describe("rate limiting in PostgreSQL from two pools", () => {
  it("shares one count between two stores on separate pools, both creating the table at once", async () => {
    // A schema of its own, so the table does not exist yet and both stores race to create it.
    const namespace = await requirePostgres();
    const otherPool = new pg.Pool({ connectionString: postgresUrl(), connectionTimeoutMillis: 3000, options: `-c search_path=${namespace.schema}` });
    try {
      const [a, b] = [PostgresRateLimitStore(namespace.pool), PostgresRateLimitStore(otherPool)];
      const key = newKey();
      const hits = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a : b).hit(key, 60_000)));
      expect(countsOf(hits)).toEqual(oneTo(50));
      expect(spread(hits)).toBe(0);
      const { rows } = await otherPool.query<{ count: number }>("SELECT count FROM latch_rate_limits WHERE key = $1", [key]);
      expect(rows).toEqual([{ count: 50 }]);
    } finally {
      await otherPool.end();
      await namespace.drop();
    }
  });
});

interface TableCase {
  name: string;
  /** Store instances over one table. */
  make: () => RateLimitStore;
  hasRow: (key: string) => Promise<boolean>;
}

describe.each<TableCase>([
  {
    name: "SQLite",
    make: () => SQLiteRateLimitStore(openSQLite(sqliteFile())),
    hasRow: async (key) => sqliteReader().prepare("SELECT 1 FROM latch_rate_limits WHERE key = ?").get(key) !== undefined,
  },
  {
    name: "PostgreSQL",
    make: () => PostgresRateLimitStore(backends.postgres.pool),
    hasRow: async (key) => (await backends.postgres.pool.query("SELECT 1 FROM latch_rate_limits WHERE key = $1", [key])).rowCount === 1,
  },
])("the $name rate-limit table", ({ make, hasRow }) => {
  it("loses the rows of finished windows now and then, not on every hit", async () => {
    const writer = make();
    const [expired, live] = [newKey("expired"), newKey("live")];
    await writer.hit(expired, 150);
    await writer.hit(live, 60_000);
    await sleep(250);
    expect(await hasRow(expired)).toBe(true);

    // A store purges on its first hit, then not again within a minute.
    const store = make();
    await store.hit(newKey(), 60_000);
    expect(await hasRow(expired)).toBe(false);
    expect(await hasRow(live)).toBe(true);

    const later = newKey("later");
    await store.hit(later, 150);
    await sleep(250);
    await store.hit(newKey(), 60_000);
    expect(await hasRow(later)).toBe(true);
    // The expired row still restarts at 1.
    expect((await store.hit(later, 60_000)).count).toBe(1);
  });
});

describe("the Redis rate-limit store", () => {
  const prefix = () => `${backends.redis.prefix}rl:`;

  it("keeps one expiring key per limited key, under the prefix, and deletes it on reset", async () => {
    const store = RedisRateLimitStore(backends.redis.client, { prefix: prefix() });
    const key = newKey("ip:127.0.0.1");
    await store.hit(key, 5000);
    await store.hit(key, 5000);
    const stored = `${prefix()}${encodeURIComponent(key)}`;
    expect(await backends.redis.client.get(stored)).toBe("2");
    const ttl = await backends.redis.client.pTTL(stored);
    expect(ttl).toBeGreaterThan(4000);
    expect(ttl).toBeLessThanOrEqual(5000);
    await store.reset(key);
    expect(await backends.redis.client.exists(stored)).toBe(0);
  });

  it("uses the prefix latch:rl: by default", async () => {
    const store = RedisRateLimitStore(backends.redis.client);
    const key = newKey("default-prefix");
    try {
      await store.hit(key, 2000);
      expect(await backends.redis.client.exists(`latch:rl:${encodeURIComponent(key)}`)).toBe(1);
    } finally {
      await store.reset(key);
    }
  });

  it("gives a key left without an expiry the window, keeping its count", async () => {
    const store = RedisRateLimitStore(backends.redis.client, { prefix: prefix() });
    const key = newKey();
    const stored = `${prefix()}${encodeURIComponent(key)}`;
    await backends.redis.client.set(stored, "4");
    const before = Date.now();
    const hit = await store.hit(key, 300);
    expect(hit.count).toBe(5);
    expect(hit.resetAt.getTime()).toBeGreaterThanOrEqual(before + 300 - CLOCK_SLACK);
    expect(hit.resetAt.getTime()).toBeLessThanOrEqual(Date.now() + 300 + CLOCK_SLACK);
    const ttl = await backends.redis.client.pTTL(stored);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
    await sleep(400);
    expect((await store.hit(key, 300)).count).toBe(1);
  });
});

describe("the memory rate-limit store", () => {
  it("keeps at most maxKeys keys, forgetting windows hit once before the oldest", async () => {
    const store = MemoryRateLimitStore({ maxKeys: 3 });
    for (const key of ["a", "b", "c"]) await store.hit(key, 60_000);
    expect((await store.hit("d", 60_000)).count).toBe(1); // a goes: hit once, and the oldest
    expect((await store.hit("b", 60_000)).count).toBe(2);
    expect((await store.hit("c", 60_000)).count).toBe(2);
    expect((await store.hit("d", 60_000)).count).toBe(2);
    expect((await store.hit("a", 60_000)).count).toBe(1); // back as new; every key was hit twice, so the oldest, b, goes
    expect((await store.hit("c", 60_000)).count).toBe(3);
    expect((await store.hit("b", 60_000)).count).toBe(1); // back as new; a, hit once, goes before the older c
    expect((await store.hit("d", 60_000)).count).toBe(3);
    expect((await store.hit("c", 60_000)).count).toBe(4);
    expect((await store.hit("a", 60_000)).count).toBe(1); // back as new; b, hit once, goes
  });

  it("keeps a climbing count (guesses at one account) through a flood of keys hit once", async () => {
    const store = MemoryRateLimitStore({ maxKeys: 100 });
    for (let i = 0; i < 5; i++) await store.hit("account:victim", 60_000);
    for (let i = 0; i < 10_000; i++) await store.hit(`throw-away:${i}`, 60_000);
    expect((await store.hit("account:victim", 60_000)).count).toBe(6);
  });

  it("counts a key whose window restarted as new, not as old", async () => {
    const store = MemoryRateLimitStore({ maxKeys: 3 });
    await store.hit("a", 100);
    await store.hit("b", 60_000);
    await sleep(200);
    expect((await store.hit("a", 60_000)).count).toBe(1); // a's second window starts after b's
    await store.hit("c", 60_000);
    await store.hit("d", 60_000); // b goes
    expect((await store.hit("a", 60_000)).count).toBe(2);
    expect((await store.hit("b", 60_000)).count).toBe(1);
  });

  it("drops finished windows before live ones when full", async () => {
    const store = MemoryRateLimitStore({ maxKeys: 3 });
    await store.hit("old-live-1", 60_000);
    await store.hit("old-live-2", 60_000);
    await store.hit("short", 100);
    await sleep(200);
    await store.hit("new", 60_000);
    expect((await store.hit("old-live-1", 60_000)).count).toBe(2);
    expect((await store.hit("old-live-2", 60_000)).count).toBe(2);
    expect((await store.hit("new", 60_000)).count).toBe(2);
  });

  it("stays bounded under a flood of distinct keys", async () => {
    const store = MemoryRateLimitStore({ maxKeys: 100 });
    for (let i = 0; i < 1000; i++) await store.hit(`flood-${i}`, 60_000);
    for (let i = 900; i < 1000; i++) expect((await store.hit(`flood-${i}`, 60_000)).count).toBe(2);
    expect((await store.hit("flood-0", 60_000)).count).toBe(1);
    expect((await store.hit("flood-899", 60_000)).count).toBe(1);
  });

  it("counts in its own process only: two stores share nothing", async () => {
    const [a, b] = [MemoryRateLimitStore(), MemoryRateLimitStore()];
    await a.hit("k", 60_000);
    expect((await b.hit("k", 60_000)).count).toBe(1);
  });

  it("refuses a maxKeys that is not a positive integer", () => {
    for (const maxKeys of [0, -1, 1.5, Number.NaN]) expect(() => MemoryRateLimitStore({ maxKeys })).toThrow(RangeError);
  });
});
