/**
 * Refresh-token stores: rotation with reuse detection (a used token that comes back revokes its
 * family), one atomic step per use so concurrent uses of one token give exactly one successor, in
 * memory, SQLite (in memory and in a file), PostgreSQL and Redis — one suite for all of them.
 * Expiry is waited out for real: the stores use their server's clock, which fake timers cannot move.
 */
import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MemoryRefreshTokenStore } from "../src/refresh-tokens/memory.js";
import { PostgresRefreshTokenStore } from "../src/refresh-tokens/postgres.js";
import { RedisRefreshTokenStore } from "../src/refresh-tokens/redis.js";
import { SQLiteRefreshTokenStore } from "../src/refresh-tokens/sqlite.js";
import type { RefreshFamily, RefreshTokenStore, RotateOptions, RotateResult } from "../src/refresh-tokens/types.js";
import { postgresUrl, requirePostgres } from "./helpers/services.js";
import { useStoreBackends } from "./helpers/store-backends.js";

const backends = useStoreBackends("refresh-tokens");
const { openSQLite, sqliteFile, sqliteReader } = backends;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
const HOUR = 60 * 60 * 1000;
/** A date `ms` from now, to the millisecond (what every store keeps). */
const inMs = (ms: number) => new Date(Date.now() + ms);
/** A token hash no other test uses: the SQLite file, the PostgreSQL tables and the Redis prefix are shared by the whole file. */
const newHash = () => randomBytes(32).toString("hex");
const redisPrefix = () => `${backends.redis.prefix}rt:`;

/** A family with every field set, claims of every JSON shape a store might mangle. */
function fullFamily(overrides: Partial<RefreshFamily> = {}): RefreshFamily {
  return {
    id: randomUUID(),
    userId: `user-${randomUUID()}`,
    sid: `sid-${randomUUID()}`,
    sessionToken: `session-${randomUUID()}`,
    authTime: Math.floor(Date.now() / 1000) - 60,
    claims: {
      name: "Ada Lovelace",
      email: "ada@example.com",
      picture: null,
      email_verified: true,
      roles: ["admin", "dev"],
      none: [],
      nothing: {},
      nested: { depth: { ratio: 1.5, big: Number.MAX_SAFE_INTEGER, negative: -42 } },
      text: 'é ü 🔑 "quoted" \\ <tag> \n line',
    },
    expiresAt: inMs(HOUR),
    ...overrides,
  };
}

/** A family with only the required fields. */
function bareFamily(overrides: Partial<RefreshFamily> = {}): RefreshFamily {
  return { id: randomUUID(), userId: `user-${randomUUID()}`, claims: {}, expiresAt: inMs(HOUR), ...overrides };
}

/** Creates `family` with a first token expiring in `tokenMs`; returns the token's hash. */
async function begin(store: RefreshTokenStore, family: RefreshFamily, tokenMs = HOUR): Promise<string> {
  const first = newHash();
  await store.createFamily(family, { tokenHash: first, expiresAt: inMs(tokenMs) });
  return first;
}

/** Uses `hash`, offering a fresh successor expiring in `tokenMs`; returns the result and the successor's hash. */
async function use(store: RefreshTokenStore, hash: string, tokenMs = HOUR, options?: RotateOptions): Promise<{ result: RotateResult; next: string }> {
  const next = newHash();
  return { result: await store.rotate(hash, { tokenHash: next, expiresAt: inMs(tokenMs) }, options), next };
}

async function statusOf(store: RefreshTokenStore, hash: string): Promise<RotateResult["status"]> {
  return (await use(store, hash)).result.status;
}

const tally = (results: RotateResult[]) => {
  const counts = { rotated: 0, reused: 0, invalid: 0 };
  for (const result of results) counts[result.status] += 1;
  return counts;
};

interface StoreCase {
  name: string;
  make: () => RefreshTokenStore;
  /** Whether separate store instances see the same families. */
  shared: boolean;
}

const stores: StoreCase[] = [
  { name: "memory", make: () => MemoryRefreshTokenStore(), shared: false },
  { name: "SQLite in memory", make: () => SQLiteRefreshTokenStore(openSQLite(":memory:")), shared: false },
  { name: "SQLite in a file", make: () => SQLiteRefreshTokenStore(openSQLite(sqliteFile())), shared: true },
  { name: "PostgreSQL", make: () => PostgresRefreshTokenStore(backends.postgres.pool), shared: true },
  { name: "Redis", make: () => RedisRefreshTokenStore(backends.redis.client, { prefix: redisPrefix() }), shared: true },
];

describe.each(stores)("refresh tokens in $name", ({ make }) => {
  it("rotates the first token, returning the family with every field as it was given", async () => {
    const store = make();
    const family = fullFamily();
    const expected = structuredClone(family);
    const first = await begin(store, family);
    // The store keeps its own copy: changing the object afterwards changes nothing stored.
    family.claims["name"] = "changed";
    family.expiresAt.setTime(0);
    const { result } = await use(store, first);
    expect(result).toStrictEqual({ status: "rotated", family: expected });
    if (result.status !== "rotated") throw new Error("unreachable");
    expect(result.family.expiresAt).toBeInstanceOf(Date);
    expect(result.family.authTime).toBeTypeOf("number");
  });

  it("round-trips a family without its optional fields, adding none", async () => {
    const store = make();
    const family = bareFamily({ claims: { scope: "read" } });
    const { result } = await use(store, await begin(store, family));
    expect(result).toStrictEqual({ status: "rotated", family: structuredClone(family) });
    if (result.status !== "rotated") throw new Error("unreachable");
    expect(Object.keys(result.family).sort()).toEqual(["claims", "expiresAt", "id", "userId"]);
  });

  it("rotates each successor in turn, every time with the same family", async () => {
    const store = make();
    const family = fullFamily();
    let token = await begin(store, family);
    for (let i = 0; i < 4; i++) {
      const { result, next } = await use(store, token);
      expect(result).toStrictEqual({ status: "rotated", family });
      token = next;
    }
  });

  it("revokes the family when a used token comes back: its successor stops working, and a second reuse is merely invalid", async () => {
    const store = make();
    const family = fullFamily();
    const first = await begin(store, family);
    const { next: second } = await use(store, first);
    const reuse = await use(store, first);
    expect(reuse.result).toStrictEqual({ status: "reused", family });
    // The reuse wrote no successor, and revoked the family: the legitimate successor is dead too.
    expect(await statusOf(store, reuse.next)).toBe("invalid");
    expect(await statusOf(store, second)).toBe("invalid");
    expect(await statusOf(store, first)).toBe("invalid");
  });

  it("recognizes a used token as reused even after its own expiry, while the family lives", async () => {
    const store = make();
    const family = bareFamily();
    const first = await begin(store, family, 300);
    const { result, next } = await use(store, first);
    expect(result.status).toBe("rotated");
    await sleep(500);
    expect((await use(store, first)).result).toStrictEqual({ status: "reused", family });
    expect(await statusOf(store, next)).toBe("invalid");
  });

  it("peeks at the family of a token it would rotate, without using it; any other token peeks as null", async () => {
    const store = make();
    expect(typeof store.peek, "every built-in store can peek").toBe("function");
    const peek = (hash: string) => store.peek?.(hash);
    const family = fullFamily();
    const first = await begin(store, family);
    expect(await peek(first)).toStrictEqual(family);
    expect(await peek(first)).toStrictEqual(family);
    // Peeking used nothing up: the token still rotates, once.
    const { result, next } = await use(store, first);
    expect(result).toStrictEqual({ status: "rotated", family });
    expect(await peek(first), "a used token").toBeNull();
    expect(await peek(next)).toStrictEqual(family);
    expect(await peek(newHash()), "a token it never issued").toBeNull();
    const expiring = await begin(store, bareFamily(), 250);
    await sleep(400);
    expect(await peek(expiring), "an expired token").toBeNull();
    await store.revokeFamily(family.id);
    expect(await peek(next), "a token of a revoked family").toBeNull();
  });

  it.each([
    ["a NUL character", { name: "Ada\u0000Lovelace" }],
    ["an unpaired surrogate", { name: "Ada \ud800 Lovelace", nickname: "\udc00" }],
    ["the text of such an escape", { name: "Ada \\u0000 Lovelace" }],
    ["the key the PostgreSQL store wraps such claims under", { "$latch.claims.json": '{"name":"x"}' }],
  ])("keeps claims holding %s, as the other stores do", async (_what, claims) => {
    const store = make();
    const family = bareFamily({ claims });
    const { result } = await use(store, await begin(store, family));
    expect(result).toStrictEqual({ status: "rotated", family: structuredClone(family) });
  });

  it("refuses a token it never issued", async () => {
    const store = make();
    await begin(store, fullFamily());
    expect((await use(store, newHash())).result).toStrictEqual({ status: "invalid" });
    expect(await statusOf(store, "")).toBe("invalid");
  });

  it("refuses an expired token without revoking its family or counting it as used", async () => {
    const store = make();
    const family = bareFamily();
    const expiredFirst = await begin(store, bareFamily(), 250);
    const first = await begin(store, family);
    const { next: second } = await use(store, first, 250);
    await sleep(400);
    expect((await use(store, expiredFirst)).result).toStrictEqual({ status: "invalid" });
    expect((await use(store, second)).result).toStrictEqual({ status: "invalid" });
    // Still unused (presenting it again is not a reuse), and the family is still live.
    expect(await statusOf(store, second)).toBe("invalid");
    expect((await use(store, first)).result).toStrictEqual({ status: "reused", family });
  });

  it("refuses every token of a family that has ended, fresh or used, without reporting reuse", async () => {
    const store = make();
    const family = bareFamily({ expiresAt: inMs(300) });
    const first = await begin(store, family);
    // The successor's own expiry is past the family's end: the family's end still wins.
    const { result, next } = await use(store, first);
    expect(result.status).toBe("rotated");
    await sleep(450);
    expect((await use(store, next)).result).toStrictEqual({ status: "invalid" });
    expect((await use(store, first)).result).toStrictEqual({ status: "invalid" });
  });

  it("stops every token of a revoked family, and ignores unknown or repeated revocations", async () => {
    const store = make();
    const family = fullFamily();
    const first = await begin(store, family);
    const { next } = await use(store, first);
    await store.revokeFamily(family.id);
    await store.revokeFamily(family.id);
    await expect(store.revokeFamily(randomUUID())).resolves.toBeUndefined();
    expect((await use(store, next)).result).toStrictEqual({ status: "invalid" });
    expect((await use(store, first)).result).toStrictEqual({ status: "invalid" });
  });

  it("keeps families apart, even of one user", async () => {
    const store = make();
    const userId = `user-${randomUUID()}`;
    const [a, b, c] = [fullFamily({ userId }), fullFamily({ userId }), fullFamily({ userId })];
    const [firstA, firstB, firstC] = [await begin(store, a), await begin(store, b), await begin(store, c)];
    await use(store, firstA);
    expect((await use(store, firstA)).result).toStrictEqual({ status: "reused", family: a });
    await store.revokeFamily(b.id);
    expect(await statusOf(store, firstB)).toBe("invalid");
    expect((await use(store, firstC)).result).toStrictEqual({ status: "rotated", family: c });
  });

  it("gives 10 concurrent uses of one token exactly one successor; the others count as reuse and revoke the family", async () => {
    const store = make();
    const family = fullFamily();
    const first = await begin(store, family);
    const attempts = await Promise.all(Array.from({ length: 10 }, () => use(store, first)));
    const results = attempts.map((attempt) => attempt.result);
    expect(tally(results)).toEqual({ rotated: 1, reused: 1, invalid: 8 });
    for (const result of results) if (result.status !== "invalid") expect(result.family).toStrictEqual(family);
    for (const { next } of attempts) expect(await statusOf(store, next)).toBe("invalid");
  });

  it("fails a rotation whose successor hash is taken, leaving the token unused", async () => {
    const store = make();
    const family = bareFamily();
    const taken = await begin(store, bareFamily());
    const first = await begin(store, family);
    await expect(store.rotate(first, { tokenHash: taken, expiresAt: inMs(HOUR) })).rejects.toThrow();
    expect((await use(store, first)).result).toStrictEqual({ status: "rotated", family });
  });

  it("refuses a family id or token hash it already has", async () => {
    const store = make();
    const family = bareFamily();
    const first = await begin(store, family);
    await expect(store.createFamily({ ...bareFamily(), id: family.id }, { tokenHash: newHash(), expiresAt: inMs(HOUR) })).rejects.toThrow();
    await expect(store.createFamily(bareFamily(), { tokenHash: first, expiresAt: inMs(HOUR) })).rejects.toThrow();
    expect((await use(store, first)).result).toStrictEqual({ status: "rotated", family });
  });

  it("refuses invalid dates", async () => {
    const store = make();
    const invalid = new Date(Number.NaN);
    await expect(store.createFamily(bareFamily({ expiresAt: invalid }), { tokenHash: newHash(), expiresAt: inMs(HOUR) })).rejects.toThrow(RangeError);
    await expect(store.createFamily(bareFamily(), { tokenHash: newHash(), expiresAt: invalid })).rejects.toThrow(RangeError);
    const first = await begin(store, bareFamily());
    await expect(store.rotate(first, { tokenHash: newHash(), expiresAt: invalid })).rejects.toThrow(RangeError);
    expect(await statusOf(store, first)).toBe("rotated");
  });
});

describe.each(stores)("a retry after a lost answer, in $name", ({ make }) => {
  const window: RotateOptions = { retryWindow: 10 };

  it("retires the unused successor and makes a new one current; the retired one then counts as a reuse", async () => {
    const store = make();
    const family = fullFamily();
    const first = await begin(store, family);
    const { next: lost } = await use(store, first, HOUR, window);
    const retry = await use(store, first, HOUR, window);
    expect(retry.result).toStrictEqual({ status: "rotated", family, retried: true });
    // The retry's successor is a token like any other: it rotates, without `retried`.
    const { result, next: third } = await use(store, retry.next, HOUR, window);
    expect(result).toStrictEqual({ status: "rotated", family });
    // The successor the client never received comes back (a thief had it): the family is revoked.
    expect((await use(store, lost, HOUR, window)).result).toStrictEqual({ status: "reused", family });
    expect(await statusOf(store, third)).toBe("invalid");
  });

  it("counts the first token as reused once its successor was used, even within the window", async () => {
    const store = make();
    const family = bareFamily();
    const first = await begin(store, family);
    const { next: second } = await use(store, first, HOUR, window);
    const { next: third } = await use(store, second, HOUR, window);
    expect((await use(store, first, HOUR, window)).result).toStrictEqual({ status: "reused", family });
    expect(await statusOf(store, third)).toBe("invalid");
  });

  it("lets the thief's retry cut the client off at its next refresh: the client's successor was retired", async () => {
    const store = make();
    const family = bareFamily();
    const first = await begin(store, family);
    const { next: clients } = await use(store, first, HOUR, window);
    const thief = await use(store, first, HOUR, window);
    expect(thief.result).toMatchObject({ status: "rotated", retried: true });
    expect((await use(store, clients, HOUR, window)).result).toStrictEqual({ status: "reused", family });
    expect(await statusOf(store, thief.next), "the thief's token dies with the family").toBe("invalid");
  });

  it("retries as often as the window allows, each retry retiring the one before; only the last successor lives", async () => {
    const store = make();
    const family = bareFamily();
    const first = await begin(store, family);
    const successors = [(await use(store, first, HOUR, window)).next];
    for (let i = 0; i < 3; i++) {
      const retry = await use(store, first, HOUR, window);
      expect(retry.result).toMatchObject({ status: "rotated", retried: true });
      successors.push(retry.next);
    }
    const last = successors.pop() ?? "";
    for (const retired of successors) expect(await store.peek?.(retired), "a retired successor peeks as null").toBeNull();
    expect(await store.peek?.(last)).toStrictEqual(family);
    expect((await use(store, last, HOUR, window)).result).toStrictEqual({ status: "rotated", family });
  });

  it("counts a retry after the window as a reuse; retries do not extend the window", async () => {
    const store = make();
    const family = bareFamily();
    const short: RotateOptions = { retryWindow: 0.6 };
    const first = await begin(store, family);
    await use(store, first, HOUR, short);
    await sleep(300);
    const { result, next } = await use(store, first, HOUR, short);
    expect(result).toMatchObject({ status: "rotated", retried: true });
    await sleep(500);
    // 0.8 s after the first use, 0.5 s after the retry.
    expect((await use(store, first, HOUR, short)).result).toStrictEqual({ status: "reused", family });
    expect(await statusOf(store, next)).toBe("invalid");
  });

  it.each([
    ["no options", undefined],
    ["a window of 0", { retryWindow: 0 }],
    ["a negative window", { retryWindow: -5 }],
    ["a window that is not a number", { retryWindow: Number.NaN }],
    ["an infinite window", { retryWindow: Number.POSITIVE_INFINITY }],
  ])("treats a second use as a reuse with %s", async (_what, options) => {
    const store = make();
    const family = bareFamily();
    const first = await begin(store, family);
    const { next } = await use(store, first, HOUR, options);
    expect(await store.peek?.(first, options)).toBeNull();
    expect((await use(store, first, HOUR, options)).result).toStrictEqual({ status: "reused", family });
    expect(await statusOf(store, next)).toBe("invalid");
  });

  it("peeks at a token it would retry as its family, and at nothing once the successor was used", async () => {
    const store = make();
    const family = fullFamily();
    const first = await begin(store, family);
    const { next } = await use(store, first, HOUR, window);
    expect(await store.peek?.(first, window)).toStrictEqual(family);
    expect(await store.peek?.(first), "without the window").toBeNull();
    expect(await store.peek?.(first, window), "peeking retired nothing").toStrictEqual(family);
    await use(store, next, HOUR, window);
    expect(await store.peek?.(first, window)).toBeNull();
  });

  it("retries nothing for a token whose successor expired, or whose family was revoked", async () => {
    const store = make();
    const family = bareFamily();
    const first = await begin(store, family);
    await use(store, first, 200, window);
    await sleep(350);
    expect(await store.peek?.(first, window)).toBeNull();
    expect((await use(store, first, HOUR, window)).result).toStrictEqual({ status: "reused", family });
    const other = bareFamily();
    const otherFirst = await begin(store, other);
    await use(store, otherFirst, HOUR, window);
    await store.revokeFamily(other.id);
    expect((await use(store, otherFirst, HOUR, window)).result).toStrictEqual({ status: "invalid" });
  });

  it("leaves at most one live successor when 10 uses of one token race within the window", async () => {
    const store = make();
    const family = fullFamily();
    const first = await begin(store, family);
    const attempts = await Promise.all(Array.from({ length: 10 }, () => use(store, first, HOUR, window)));
    const results = attempts.map((attempt) => attempt.result);
    expect(tally(results).rotated).toBeGreaterThanOrEqual(1);
    // A retry that races another use may fail closed, as a reuse (the family is then revoked).
    const live = [];
    for (const { next } of attempts) if ((await store.peek?.(next)) != null) live.push(next);
    expect(live.length).toBeLessThanOrEqual(1);
    if (tally(results).reused === 0) expect(live).toHaveLength(1);
  });
});

describe.each(stores.filter((store) => store.shared))("refresh tokens in $name, shared by instances", ({ make }) => {
  it("rotates in one instance what another created, and gives concurrent uses from both one successor", async () => {
    const [a, b] = [make(), make()];
    const family = fullFamily();
    const first = await begin(a, family);
    const { result, next } = await use(b, first);
    expect(result).toStrictEqual({ status: "rotated", family });
    const attempts = await Promise.all(Array.from({ length: 10 }, (_, i) => use(i % 2 === 0 ? a : b, next)));
    expect(tally(attempts.map((attempt) => attempt.result))).toEqual({ rotated: 1, reused: 1, invalid: 8 });
    for (const attempt of attempts) expect(await statusOf(a, attempt.next)).toBe("invalid");
  });

  it("stops in one instance a family another revoked", async () => {
    const [a, b] = [make(), make()];
    const family = bareFamily();
    const first = await begin(a, family);
    await b.revokeFamily(family.id);
    expect(await statusOf(a, first)).toBe("invalid");
  });
});

describe("refresh tokens in PostgreSQL from two pools", () => {
  it("works from two stores on separate pools, both creating the tables at once", async () => {
    // A schema of its own, so the tables do not exist yet and both stores race to create them.
    const namespace = await requirePostgres();
    const otherPool = new pg.Pool({ connectionString: postgresUrl(), connectionTimeoutMillis: 3000, options: `-c search_path=${namespace.schema}` });
    try {
      const [a, b] = [PostgresRefreshTokenStore(namespace.pool), PostgresRefreshTokenStore(otherPool)];
      const families = Array.from({ length: 6 }, () => fullFamily());
      const firsts = await Promise.all(families.map((family, i) => begin(i % 2 === 0 ? a : b, family)));
      for (const [i, first] of firsts.entries()) {
        const attempts = await Promise.all(Array.from({ length: 6 }, (_, j) => use(j % 2 === 0 ? a : b, first)));
        expect(tally(attempts.map((attempt) => attempt.result))).toEqual({ rotated: 1, reused: 1, invalid: 4 });
        const { rows } = await otherPool.query<{ revoked: boolean }>("SELECT revoked_at IS NOT NULL AS revoked FROM latch_refresh_families WHERE id = $1", [families[i]?.id]);
        expect(rows).toEqual([{ revoked: true }]);
      }
    } finally {
      await otherPool.end();
      await namespace.drop();
    }
  });
});

describe("refresh tokens in SQLite shared by processes", () => {
  // Each child process opens the file and, at one agreed instant, uses every token once.
  const CHILD = `
const [file, storeModule, start, ...tokens] = process.argv.slice(1);
const { default: Database } = await import("better-sqlite3");
const { SQLiteRefreshTokenStore } = await import(storeModule);
const { randomBytes } = await import("node:crypto");
const db = new Database(file);
db.pragma("synchronous = OFF");
const store = SQLiteRefreshTokenStore(db);
await new Promise((resolve) => setTimeout(resolve, Number(start) - Date.now()));
const statuses = [];
for (const token of tokens) {
  const result = await store.rotate(token, { tokenHash: randomBytes(32).toString("hex"), expiresAt: new Date(Date.now() + 3600000) });
  statuses.push(result.status);
}
process.stdout.write(JSON.stringify(statuses));`;

  it("gives each token one successor when four processes use the same tokens at once", async () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const storeModule = join(here, "../src/refresh-tokens/sqlite.ts");
    const file = backends.tempFile("processes.db");
    const db = openSQLite(file);
    // Durability does not matter here, speed does (locking is the same).
    db.pragma("synchronous = OFF");
    const store = SQLiteRefreshTokenStore(db);
    // Many tokens, as each race is short: a store without a transaction around the read and the
    // write gives some token two successors here, and a deferred transaction fails as busy.
    const families = Array.from({ length: 1000 }, () => bareFamily());
    const tokens: string[] = [];
    for (const family of families) tokens.push(await begin(store, family));
    const start = String(Date.now() + 1500);
    const run = promisify(execFile);
    const outputs = await Promise.all(
      Array.from({ length: 4 }, () => run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", CHILD, file, storeModule, start, ...tokens], { cwd: join(here, "..") })),
    );
    const perProcess = outputs.map(({ stdout }) => JSON.parse(stdout) as RotateResult["status"][]);
    for (const [i, token] of tokens.entries()) {
      expect(perProcess.map((statuses) => statuses[i]).sort(), `token ${token}`).toEqual(["invalid", "invalid", "reused", "rotated"]);
    }
    const live = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM latch_refresh_families WHERE revoked_at IS NULL").get();
    expect(live).toEqual({ n: 0 });
    expect(await statusOf(store, tokens[0] ?? "")).toBe("invalid");
  });
});

interface TableCase {
  name: string;
  make: () => RefreshTokenStore;
  /** Rows in the families and tokens tables for the family. */
  rowsOf: (familyId: string) => Promise<{ families: number; tokens: number }>;
}

describe.each<TableCase>([
  {
    name: "SQLite",
    make: () => {
      // better-sqlite3 enforces foreign keys by default; a connection that does not still loses the tokens.
      const db = openSQLite(sqliteFile());
      db.pragma("foreign_keys = OFF");
      return SQLiteRefreshTokenStore(db);
    },
    rowsOf: async (familyId) => {
      const count = (sql: string) => (sqliteReader().prepare<[string], { n: number }>(sql).get(familyId)?.n ?? -1);
      return {
        families: count("SELECT count(*) AS n FROM latch_refresh_families WHERE id = ?"),
        tokens: count("SELECT count(*) AS n FROM latch_refresh_tokens WHERE family_id = ?"),
      };
    },
  },
  {
    name: "PostgreSQL",
    make: () => PostgresRefreshTokenStore(backends.postgres.pool),
    rowsOf: async (familyId) => {
      const count = async (sql: string) => Number((await backends.postgres.pool.query<{ n: string }>(sql, [familyId])).rows[0]?.n ?? -1);
      return {
        families: await count("SELECT count(*) AS n FROM latch_refresh_families WHERE id = $1"),
        tokens: await count("SELECT count(*) AS n FROM latch_refresh_tokens WHERE family_id = $1"),
      };
    },
  },
])("the $name refresh-token tables", ({ make, rowsOf }) => {
  it("lose families that have ended with their tokens now and then, not on every call", async () => {
    const writer = make();
    const [ended, live] = [bareFamily({ expiresAt: inMs(200) }), bareFamily()];
    await use(writer, await begin(writer, ended));
    const liveFirst = await begin(writer, live);
    await use(writer, liveFirst);
    await sleep(300);
    expect(await rowsOf(ended.id)).toEqual({ families: 1, tokens: 2 });

    // A store purges on its first call, then not again within a minute.
    const store = make();
    await begin(store, bareFamily());
    expect(await rowsOf(ended.id)).toEqual({ families: 0, tokens: 0 });
    expect(await rowsOf(live.id)).toEqual({ families: 1, tokens: 2 });

    const later = bareFamily({ expiresAt: inMs(200) });
    await begin(store, later);
    await sleep(300);
    await begin(store, bareFamily());
    expect(await use(store, newHash())).toMatchObject({ result: { status: "invalid" } });
    expect(await rowsOf(later.id)).toEqual({ families: 1, tokens: 1 });
  });
});

describe.each(stores)("a retry after a lost answer, racing, in $name", ({ make }) => {
  const window: RotateOptions = { retryWindow: 10 };

  it("never leaves a live token when a thief's retries race the client's use of its successor", async () => {
    for (let round = 0; round < 10; round++) {
      const store = make();
      const first = await begin(store, bareFamily());
      const { next: clients } = await use(store, first, HOUR, window);
      const attempts = await Promise.all([use(store, first, HOUR, window), use(store, clients, HOUR, window), use(store, first, HOUR, window)]);
      for (const { next } of attempts) expect(await store.peek?.(next), `round ${round}`).toBeNull();
      expect(attempts.map((attempt) => attempt.result.status)).toContain("reused");
    }
  });
});

describe("a retry after a lost answer, at the edges of the stores", () => {
  const window: RotateOptions = { retryWindow: 10 };
  afterEach(() => {
    vi.useRealTimers();
  });

  it("PostgreSQL: two retries of one token at the same moment are both retries, leaving one live successor", async () => {
    const store = PostgresRefreshTokenStore(backends.postgres.pool);
    const first = await begin(store, bareFamily());
    await use(store, first, HOUR, window);
    // Hold the presented token's row, so that both retries wait on it and then run one after the other.
    const holder = await backends.postgres.pool.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT 1 FROM latch_refresh_tokens WHERE token_hash = $1 FOR UPDATE", [first]);
      const racing = Promise.all([use(store, first, HOUR, window), use(store, first, HOUR, window)]);
      await sleep(300);
      await holder.query("COMMIT");
      const attempts = await racing;
      expect(attempts.map((attempt) => attempt.result.status)).toEqual(["rotated", "rotated"]);
      const live = [];
      for (const { next } of attempts) if ((await store.peek?.(next)) != null) live.push(next);
      expect(live).toHaveLength(1);
    } finally {
      holder.release();
    }
  });

  it("PostgreSQL: a store starting next to an open reader of the tables answers, and so do the running ones", async () => {
    const namespace = await requirePostgres();
    const reader = new pg.Client({ connectionString: postgresUrl(), options: `-c search_path=${namespace.schema}` });
    await reader.connect();
    const timedOut = <T>(promise: Promise<T>) => Promise.race([promise.then(() => "answered"), sleep(1500).then(() => "timed out")]);
    try {
      const running = PostgresRefreshTokenStore(namespace.pool);
      const first = await begin(running, bareFamily());
      // A report, pg_dump or a BI tool reads the table in a transaction it keeps open.
      await reader.query("BEGIN");
      await reader.query("SELECT count(*) FROM latch_refresh_tokens");
      // A new instance starts (a deploy, a cold start) and runs the schema script first.
      const starting = PostgresRefreshTokenStore(namespace.pool);
      const cold = timedOut(starting.revokeFamily(randomUUID()));
      await sleep(200);
      const warm = timedOut(running.rotate(first, { tokenHash: newHash(), expiresAt: inMs(HOUR) }));
      expect({ cold: await cold, warm: await warm }).toEqual({ cold: "answered", warm: "answered" });
    } finally {
      await reader.query("ROLLBACK").catch(() => undefined);
      await reader.end();
      await namespace.drop();
    }
  });

  it("memory: remembers a retired successor past a thousand later rotations, so the client's next refresh still ends the thief's", async () => {
    const store = MemoryRefreshTokenStore();
    const family = bareFamily();
    const first = await begin(store, family);
    const { next: clients } = await use(store, first, HOUR, window);
    let thief = (await use(store, first, HOUR, window)).next;
    for (let i = 0; i < 1001; i++) thief = (await use(store, thief, HOUR, window)).next;
    expect((await use(store, clients, HOUR, window)).result).toStrictEqual({ status: "reused", family });
    expect(await statusOf(store, thief)).toBe("invalid");
  });

  it("memory: counts retries beyond a hundred in one family as a reuse", async () => {
    const store = MemoryRefreshTokenStore();
    const family = bareFamily();
    const first = await begin(store, family);
    await use(store, first, HOUR, window);
    for (let i = 0; i < 100; i++) expect((await use(store, first, HOUR, window)).result.status).toBe("rotated");
    expect((await use(store, first, HOUR, window)).result).toStrictEqual({ status: "reused", family });
  });

  it.each([
    ["memory", () => MemoryRefreshTokenStore()],
    ["SQLite", () => SQLiteRefreshTokenStore(openSQLite(":memory:"))],
  ] as const)("%s: a token used before the clock was stepped back is no retry, however long ago", async (_name, make) => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    const store = make();
    const family = bareFamily({ expiresAt: new Date(start + 10 * HOUR) });
    const first = await begin(store, family, 10 * HOUR);
    await use(store, first, 10 * HOUR, window);
    // NTP steps the clock back an hour; 30 minutes pass.
    vi.setSystemTime(start - HOUR + 30 * 60 * 1000);
    expect(await store.peek?.(first, window)).toBeNull();
    expect((await use(store, first, 10 * HOUR, window)).result).toStrictEqual({ status: "reused", family });
  });

  it("Redis: keeps a retired successor until its family ends, so it is a reuse after its own expiry", async () => {
    const store = RedisRefreshTokenStore(backends.redis.client, { prefix: redisPrefix() });
    const family = bareFamily({ expiresAt: inMs(60_000) });
    const first = await begin(store, family, 60_000);
    const { next: lost } = await use(store, first, 1000, window);
    expect(await backends.redis.client.pTTL(`${redisPrefix()}token:${lost}`)).toBeLessThanOrEqual(1000);
    expect((await use(store, first, 1000, window)).result).toMatchObject({ status: "rotated", retried: true });
    expect(await backends.redis.client.pTTL(`${redisPrefix()}token:${lost}`)).toBeGreaterThan(58_000);
    await sleep(1200);
    expect((await use(store, lost, HOUR, window)).result).toStrictEqual({ status: "reused", family });
  });
});

// The tables as the stores created them before retries existed (no `successor` column).
const TOKENS_BEFORE_RETRIES = {
  sqlite: `CREATE TABLE latch_refresh_families (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, sid TEXT, session_token TEXT, auth_time INTEGER, claims TEXT NOT NULL, expires_at INTEGER NOT NULL, revoked_at INTEGER);
    CREATE TABLE latch_refresh_tokens (token_hash TEXT PRIMARY KEY, family_id TEXT NOT NULL REFERENCES latch_refresh_families (id) ON DELETE CASCADE, expires_at INTEGER NOT NULL, used_at INTEGER)`,
  postgres: `CREATE TABLE latch_refresh_families (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, sid TEXT, session_token TEXT, auth_time BIGINT, claims JSONB NOT NULL, expires_at TIMESTAMPTZ NOT NULL, revoked_at TIMESTAMPTZ);
    CREATE TABLE latch_refresh_tokens (token_hash TEXT PRIMARY KEY, family_id TEXT NOT NULL REFERENCES latch_refresh_families (id) ON DELETE CASCADE, expires_at TIMESTAMPTZ NOT NULL, used_at TIMESTAMPTZ)`,
};

describe("refresh-token tables created before retries existed", () => {
  it("SQLite: gain the successor column, keep their families, and retry", async () => {
    const db = openSQLite(backends.tempFile("before-retries.db"));
    db.exec(TOKENS_BEFORE_RETRIES.sqlite);
    const family = bareFamily();
    const first = newHash();
    db.prepare("INSERT INTO latch_refresh_families (id, user_id, claims, expires_at) VALUES (?, ?, '{}', ?)").run(family.id, family.userId, family.expiresAt.getTime());
    db.prepare("INSERT INTO latch_refresh_tokens (token_hash, family_id, expires_at) VALUES (?, ?, ?)").run(first, family.id, Date.now() + HOUR);
    // Two stores on the file, as two processes would start: the second finds the column there.
    SQLiteRefreshTokenStore(openSQLite(backends.tempFile("before-retries.db")));
    const store = SQLiteRefreshTokenStore(db);
    const { next: lost } = await use(store, first, HOUR, { retryWindow: 10 });
    expect((await use(store, first, HOUR, { retryWindow: 10 })).result).toStrictEqual({ status: "rotated", family, retried: true });
    expect((await use(store, lost)).result).toStrictEqual({ status: "reused", family });
  });

  it("PostgreSQL: gain the successor column from stores starting at once, keep their families, and retry", async () => {
    const namespace = await requirePostgres();
    try {
      await namespace.pool.query(TOKENS_BEFORE_RETRIES.postgres);
      const family = bareFamily();
      const first = newHash();
      await namespace.pool.query("INSERT INTO latch_refresh_families (id, user_id, claims, expires_at) VALUES ($1, $2, '{}', $3)", [family.id, family.userId, family.expiresAt]);
      await namespace.pool.query("INSERT INTO latch_refresh_tokens (token_hash, family_id, expires_at) VALUES ($1, $2, now() + interval '1 hour')", [first, family.id]);
      const starting = Array.from({ length: 4 }, () => PostgresRefreshTokenStore(namespace.pool));
      await Promise.all(starting.map((store) => store.revokeFamily(randomUUID())));
      const store = PostgresRefreshTokenStore(namespace.pool);
      const { next: lost } = await use(store, first, HOUR, { retryWindow: 10 });
      expect((await use(store, first, HOUR, { retryWindow: 10 })).result).toStrictEqual({ status: "rotated", family, retried: true });
      expect((await use(store, lost)).result).toStrictEqual({ status: "reused", family });
    } finally {
      await namespace.drop();
    }
  });
});

describe("the Redis refresh-token store", () => {
  const pTTL = (key: string) => backends.redis.client.pTTL(key);

  it("keeps one key per family and per token hash, under the prefix, each expiring when it can no longer matter", async () => {
    const store = RedisRefreshTokenStore(backends.redis.client, { prefix: redisPrefix() });
    const family = fullFamily({ id: `id with/odd:chars ${randomUUID()}`, expiresAt: inMs(60_000) });
    const first = await begin(store, family, 10_000);
    const familyKey = `${redisPrefix()}family:${encodeURIComponent(family.id)}`;
    const tokenKey = (hash: string) => `${redisPrefix()}token:${hash}`;
    expect(await pTTL(familyKey)).toBeGreaterThan(58_000);
    expect(await pTTL(familyKey)).toBeLessThanOrEqual(60_000);
    // An unused token lasts as long as it works.
    expect(await pTTL(tokenKey(first))).toBeGreaterThan(8_000);
    expect(await pTTL(tokenKey(first))).toBeLessThanOrEqual(10_000);
    const { next } = await use(store, first, 10_000);
    // A used token lasts as long as its family, for reuse detection.
    expect(await pTTL(tokenKey(first))).toBeGreaterThan(58_000);
    expect(await pTTL(tokenKey(next))).toBeLessThanOrEqual(10_000);
    // A successor never outlives its family.
    const { next: long } = await use(store, next, 10 * HOUR);
    expect(await pTTL(tokenKey(long))).toBeGreaterThan(58_000);
    expect(await pTTL(tokenKey(long))).toBeLessThanOrEqual(60_000);
    expect(await backends.redis.client.hGet(familyKey, "revoked")).toBe("0");
    await store.revokeFamily(family.id);
    expect(await backends.redis.client.hGet(familyKey, "revoked")).toBe("1");
    expect(await pTTL(familyKey)).toBeGreaterThan(58_000);
  });

  it("creates no key when revoking an unknown family", async () => {
    const store = RedisRefreshTokenStore(backends.redis.client, { prefix: redisPrefix() });
    const id = randomUUID();
    await store.revokeFamily(id);
    expect(await backends.redis.client.exists(`${redisPrefix()}family:${id}`)).toBe(0);
  });

  it("uses the prefix latch:rt: by default", async () => {
    const store = RedisRefreshTokenStore(backends.redis.client);
    const family = bareFamily({ expiresAt: inMs(5000) });
    const first = await begin(store, family);
    const keys = [`latch:rt:family:${family.id}`, `latch:rt:token:${first}`];
    try {
      expect(await backends.redis.client.exists(keys)).toBe(2);
    } finally {
      await backends.redis.client.del(keys);
    }
  });
});

describe("the memory refresh-token store", () => {
  it("keeps at most maxFamilies families, forgetting the oldest first", async () => {
    const store = MemoryRefreshTokenStore({ maxFamilies: 3 });
    const families = Array.from({ length: 4 }, () => bareFamily());
    const firsts: string[] = [];
    for (const family of families) firsts.push(await begin(store, family));
    expect(await statusOf(store, firsts[0] ?? "")).toBe("invalid");
    for (const first of firsts.slice(1)) expect(await statusOf(store, first)).toBe("rotated");
  });

  it("drops families that have ended before live ones when full", async () => {
    const store = MemoryRefreshTokenStore({ maxFamilies: 3 });
    const old1 = await begin(store, bareFamily());
    const old2 = await begin(store, bareFamily());
    await begin(store, bareFamily({ expiresAt: inMs(100) }));
    await sleep(200);
    const fresh = await begin(store, bareFamily());
    for (const first of [old1, old2, fresh]) expect(await statusOf(store, first)).toBe("rotated");
  });

  it("remembers a family's last 1000 used tokens", async () => {
    const store = MemoryRefreshTokenStore();
    const family = bareFamily();
    const used = [await begin(store, family)];
    for (let i = 0; i < 1001; i++) {
      const { result, next } = await use(store, used[used.length - 1] ?? "");
      expect(result.status).toBe("rotated");
      used.push(next);
    }
    // 1001 used tokens: the oldest is forgotten, the next one still revokes the family.
    expect(await statusOf(store, used[0] ?? "")).toBe("invalid");
    expect(await statusOf(store, used[1] ?? "")).toBe("reused");
  });

  it("shares nothing between two stores", async () => {
    const [a, b] = [MemoryRefreshTokenStore(), MemoryRefreshTokenStore()];
    const first = await begin(a, bareFamily());
    expect(await statusOf(b, first)).toBe("invalid");
  });

  it("refuses a maxFamilies that is not a positive integer", () => {
    for (const maxFamilies of [0, -1, 1.5, Number.NaN]) expect(() => MemoryRefreshTokenStore({ maxFamilies })).toThrow(RangeError);
  });
});
