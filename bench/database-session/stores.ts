/**
 * The three stores of the database-session benchmark, each loaded with the same SESSIONS
 * sessions of USERS users through SQL or pipelines (not the adapter, which would take minutes),
 * in the exact layout the adapter writes, then read through latch's adapter. Each store removes
 * what it wrote in `close()`; exit.ts does it when the process ends first.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { createClient } from "redis";
import { PostgresAdapter, migratePostgres } from "../../packages/latch/src/adapters/postgres.js";
import { RedisAdapter } from "../../packages/latch/src/adapters/redis.js";
import { SQLiteAdapter, migrateSQLite } from "../../packages/latch/src/adapters/sqlite.js";
import type { Adapter } from "../../packages/latch/src/adapters/types.js";
import { round } from "../stats.js";
import { deleteBenchKeys, dropSchema, releaseRedisLock } from "./cleanup.js";
import { expiresOf, LOCK_NAME, POSTGRES_URL, PREFIX, REDIS_LOCK_KEY, REDIS_URL, SCHEMA, SESSIONS, sessionsOf, sessionToken, USERS, userOf, userProfile, uuidOf } from "./dataset.js";
import { pending } from "./exit.js";

/** A loaded store, read through latch's adapter. */
export interface Store {
  adapter: Required<Pick<Adapter, "getSessionAndUser">>;
  /** The id the adapter must return for the user of session `i`. */
  userIdOf(i: number): string;
  /** Rows or keys and sizes, as the store reports them. */
  tables: Record<string, unknown>;
  /** Server version and settings that bear on the figures. */
  server: Record<string, unknown>;
  loadMs: number;
  /** Removes everything the store wrote; safe to call twice. */
  close(): Promise<void>;
}

const MB = 1024 * 1024;
const toMB = (bytes: number): number => round(bytes / MB, 1);

/** SQLite: a file in a fresh temp dir, left in WAL mode, opened anew for the reads (default page cache). */
export async function openSQLite(loadedAt: number): Promise<Store> {
  const began = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "latch-bench-"));
  pending.sqliteDir(dir, true);
  const file = join(dir, "auth.db");
  try {
    const loader = new Database(file);
    try {
      migrateSQLite(loader);
      // A bulk load into a throwaway file: no journal, no fsync, the whole file in the page cache,
      // foreign keys unchecked (the rows are consistent by construction), and the sessions' plain
      // indexes built after the rows rather than row by row. Reads get a fresh connection below.
      loader.pragma("journal_mode = OFF");
      loader.pragma("synchronous = OFF");
      loader.pragma("cache_size = -1048576");
      loader.pragma("foreign_keys = OFF");
      const userIds = Array.from({ length: USERS + 1 }, (_, n) => uuidOf("user", n));
      loader.function("bench_token", { deterministic: true }, (i) => sessionToken(Number(i)));
      loader.function("bench_user_id", { deterministic: true }, (n) => userIds[Number(n)] ?? null);
      const indexes = loader.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sessions' AND sql IS NOT NULL").all() as { name: string; sql: string }[];
      const series = "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ?)";
      // Session ids are random v4-shaped UUIDs, as the adapter's crypto.randomUUID() makes them.
      const randomUuid = `lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-a' || substr(h, 18, 3) || '-' || substr(h, 21, 12))`;
      loader.transaction(() => {
        for (const index of indexes) loader.exec(`DROP INDEX "${index.name.replace(/"/g, '""')}"`);
        loader
          .prepare(
            `${series} INSERT INTO users (id, name, email, "emailVerified", image)
             SELECT bench_user_id(n), 'Bench User ' || n, 'user' || n || '@bench.example',
                    CASE WHEN n % 3 = 0 THEN NULL ELSE ? - n * 60000 END, 'https://avatars.example.com/u/' || n FROM g`,
          )
          .run(USERS, loadedAt);
        loader
          .prepare(
            `${series} INSERT INTO sessions (id, "sessionToken", "userId", expires)
             SELECT ${randomUuid}, bench_token(n), bench_user_id((n % ?) + 1), ? + (2592000 - n % 2592000) * 1000
             FROM (SELECT n, hex(randomblob(16)) AS h FROM g)`,
          )
          .run(SESSIONS, USERS, loadedAt);
        for (const index of indexes) loader.exec(index.sql);
      })();
      loader.pragma("journal_mode = WAL");
    } finally {
      loader.close();
    }
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    const count = (table: string): number => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const tables = { users: count("users"), sessions: count("sessions"), fileMB: toMB(statSync(file).size), journalMode: "wal", cacheSizePragma: db.pragma("cache_size", { simple: true }) };
    let closed = false;
    return {
      adapter: SQLiteAdapter(db) as Store["adapter"],
      userIdOf: (i) => uuidOf("user", userOf(i)),
      tables,
      server: { sqlite: (db.prepare("SELECT sqlite_version() AS v").get() as { v: string }).v },
      loadMs: Math.round(performance.now() - began),
      async close() {
        if (closed) return;
        closed = true;
        db.close();
        rmSync(dir, { recursive: true, force: true });
        pending.sqliteDir(dir, false);
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    pending.sqliteDir(dir, false);
    throw error;
  }
}

/**
 * PostgreSQL: schema `latch_bench` (dropped first if a killed run left it), created by
 * `migratePostgres`, filled with one INSERT … SELECT generate_series per table. The session
 * table's constraints and indexes are dropped for the load and rebuilt after, as a bulk load
 * does (row-by-row index and foreign-key upkeep triples the time); then VACUUM ANALYZE.
 * An advisory lock keeps two runs off the schema at once.
 */
export async function openPostgres(loadedAt: number): Promise<Store> {
  const began = performance.now();
  const applicationName = `${LOCK_NAME}:${process.pid}`;
  const connection = { connectionString: POSTGRES_URL, connectionTimeoutMillis: 3_000, application_name: applicationName };
  const admin = new pg.Client(connection);
  admin.on("error", () => undefined);
  try {
    await admin.connect();
  } catch (error) {
    await admin.end().catch(() => undefined);
    const where = new URL(POSTGRES_URL);
    throw new Error(`PostgreSQL is not reachable at ${where.host} (database ${where.pathname.slice(1)})`, { cause: error });
  }
  const { rows: lock } = await admin.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS locked", [LOCK_NAME]);
  if (lock[0]?.locked !== true) {
    await admin.end();
    throw new Error(`another benchmark run holds schema ${SCHEMA} (advisory lock '${LOCK_NAME}'); skipped`);
  }
  pending.postgres(applicationName);
  const pool = new pg.Pool({ ...connection, max: 2, options: `-c search_path=${SCHEMA}` });
  pool.on("error", () => undefined);
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await pool.end().catch(() => undefined);
    await dropSchema(admin);
    await admin.end();
    pending.postgres(undefined);
  };
  try {
    await dropSchema(admin);
    await admin.query(`CREATE SCHEMA ${SCHEMA}`);
    await migratePostgres(pool);

    await admin.query(`SET search_path TO ${SCHEMA}`);
    await admin.query("SET maintenance_work_mem = '256MB'");
    await admin.query("SET statement_timeout = '120s'");
    await admin.query("BEGIN");
    const { rows: constraints } = await admin.query<{ name: string; definition: string; type: string }>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS definition, contype AS type FROM pg_constraint
       WHERE conrelid = 'sessions'::regclass AND contype IN ('p', 'u', 'f') ORDER BY contype = 'f', conname`,
    );
    const { rows: indexes } = await admin.query<{ name: string; definition: string }>(
      `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i
       WHERE i.indrelid = 'sessions'::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
    );
    const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;
    if (constraints.length > 0) await admin.query(`ALTER TABLE sessions ${constraints.map((c) => `DROP CONSTRAINT ${quote(c.name)}`).join(", ")}`);
    for (const index of indexes) await admin.query(`DROP INDEX ${index.name}`);
    const insertedUsers = await admin.query(
      `INSERT INTO users (id, name, email, "emailVerified", image)
       SELECT g, 'Bench User ' || g, 'user' || g || '@bench.example',
              CASE WHEN g % 3 = 0 THEN NULL ELSE to_timestamp($2::double precision / 1000) - g * interval '1 minute' END,
              'https://avatars.example.com/u/' || g
       FROM generate_series(1, $1::int) g`,
      [USERS, loadedAt],
    );
    await admin.query("SELECT setval(pg_get_serial_sequence('users', 'id'), $1)", [USERS]);
    const insertedSessions = await admin.query(
      `INSERT INTO sessions ("userId", expires, "sessionToken")
       SELECT (g % $2::int) + 1, to_timestamp($3::double precision / 1000) + (2592000 - g % 2592000) * interval '1 second',
              encode(sha256(convert_to('latch-bench:' || g, 'UTF8')), 'hex')
       FROM generate_series(1, $1::int) g`,
      [SESSIONS, USERS, loadedAt],
    );
    if (constraints.length > 0) await admin.query(`ALTER TABLE sessions ${constraints.map((c) => `ADD CONSTRAINT ${quote(c.name)} ${c.definition}`).join(", ")}`);
    for (const index of indexes) await admin.query(index.definition);
    await admin.query("COMMIT");
    // Hint bits and statistics, as a table that has been around a while has them.
    await admin.query("VACUUM ANALYZE users, sessions");
    const loadMs = Math.round(performance.now() - began);

    const rowCounts: Record<string, number | null> = { users: insertedUsers.rowCount, sessions: insertedSessions.rowCount };
    const { rows: sizes } = await admin.query<{ name: string; table: string; indexes: string; total: string }>(
      `SELECT c.relname AS name, pg_table_size(c.oid) AS table, pg_indexes_size(c.oid) AS indexes, pg_total_relation_size(c.oid) AS total
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname IN ('users', 'sessions') ORDER BY c.relname`,
      [SCHEMA],
    );
    const tables = Object.fromEntries(sizes.map((s) => [s.name, { rows: rowCounts[s.name] ?? null, tableMB: toMB(Number(s.table)), indexesMB: toMB(Number(s.indexes)), totalMB: toMB(Number(s.total)) }]));
    const { rows: settings } = await admin.query<{ name: string; setting: string }>(
      "SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name IN ('server_version', 'shared_buffers', 'effective_cache_size') ORDER BY name",
    );
    return {
      adapter: PostgresAdapter(pool) as Store["adapter"],
      userIdOf: (i) => String(userOf(i)),
      tables,
      server: { ...Object.fromEntries(settings.map((s) => [s.name, s.setting])), connection: "TCP 127.0.0.1, pg Pool (max 2), one query per read" },
      loadMs,
      close,
    };
  } catch (error) {
    await admin.query("ROLLBACK").catch(() => undefined);
    await close().catch(() => undefined);
    throw error;
  }
}

/** node-redis client, failing fast instead of reconnecting forever. */
function redisClient() {
  return createClient({ url: REDIS_URL, socket: { connectTimeout: 3_000, reconnectStrategy: false } });
}

/** Users per batch while loading Redis: 10 × as many sessions. */
const REDIS_BATCH_USERS = 200;

/**
 * Writes a batch of sessions in one call: KEYS are session keys, ARGV their value and PXAT
 * expiry, in turn. As `SET … PXAT` one command per key, without a round trip (or node-redis's
 * per-command cost, 20–50 µs here) per session; Redis is busy ~2 ms per call.
 */
const SET_SESSIONS = `
for i = 1, #KEYS do redis.call('SET', KEYS[i], ARGV[2 * i - 1], 'PXAT', ARGV[2 * i]) end
return #KEYS`;

/**
 * Redis: the keys `RedisAdapter` writes (`user:`, `user-by-email:`, `session:` with its PXAT
 * expiry, `sessions-by-user:` sorted sets) under `latch_bench:`, in batches of REDIS_BATCH_USERS
 * users: one MSET for their user and email keys, one script call for their sessions, and a
 * pipelined ZADD per user for their session index. A lock key (SET NX PX) keeps two runs off the
 * prefix at once.
 */
export async function openRedis(loadedAt: number): Promise<Store> {
  const began = performance.now();
  const client = redisClient();
  // Without a listener node-redis rethrows socket errors as uncaught exceptions.
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (error) {
    client.destroy();
    throw new Error(`Redis is not reachable at ${new URL(REDIS_URL).host}`, { cause: error });
  }
  const lockValue = `${process.pid}:${randomBytes(8).toString("hex")}`;
  if ((await client.sendCommand(["SET", REDIS_LOCK_KEY, lockValue, "NX", "PX", "600000"])) === null) {
    client.destroy();
    throw new Error(`another benchmark run holds ${REDIS_LOCK_KEY}; skipped`);
  }
  pending.redis(lockValue);
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await deleteBenchKeys(client);
    await releaseRedisLock(client, lockValue);
    client.destroy();
    pending.redis(undefined);
  };
  try {
    const leftover = await deleteBenchKeys(client);
    const usedMemory = async (): Promise<number> => Number(/used_memory:(\d+)/.exec(await client.info("memory"))?.[1] ?? 0);
    const memoryBefore = await usedMemory();

    const keys = { users: 0, emails: 0, sessions: 0, sessionIndexes: 0 };
    for (let first = 1; first <= USERS; first += REDIS_BATCH_USERS) {
      const records: string[] = ["MSET"];
      const sessionKeys: string[] = [];
      const sessionArgs: string[] = [];
      const pipeline = client.multi();
      for (let n = first; n < first + REDIS_BATCH_USERS && n <= USERS; n++) {
        const id = uuidOf("user", n);
        const profile = userProfile(n, loadedAt);
        const user = { id, name: profile.name, email: profile.email, emailVerified: profile.emailVerified === null ? null : new Date(profile.emailVerified), image: profile.image };
        records.push(`${PREFIX}user:${id}`, JSON.stringify(user), `${PREFIX}user-by-email:${profile.email}`, id);
        const index: string[] = [];
        for (const i of sessionsOf(n)) {
          const token = sessionToken(i);
          const expires = expiresOf(i, loadedAt);
          const sessionKey = `${PREFIX}session:${token}`;
          sessionKeys.push(sessionKey);
          sessionArgs.push(JSON.stringify({ sessionToken: token, userId: id, expires: new Date(expires) }), String(expires));
          index.push(String(expires), sessionKey);
        }
        pipeline.addCommand(["ZADD", `${PREFIX}sessions-by-user:${id}`, ...index]);
        keys.users++;
        keys.emails++;
        keys.sessionIndexes++;
      }
      await Promise.all([client.sendCommand(records), client.eval(SET_SESSIONS, { keys: sessionKeys, arguments: sessionArgs }), pipeline.execAsPipeline()]);
      keys.sessions += sessionKeys.length;
    }
    const loadMs = Math.round(performance.now() - began);
    const memoryAfter = await usedMemory();
    const version = /redis_version:([\d.]+)/.exec(await client.info("server"))?.[1] ?? "unknown";
    return {
      adapter: RedisAdapter(client, { prefix: PREFIX }) as Store["adapter"],
      userIdOf: (i) => uuidOf("user", userOf(i)),
      tables: { keys, usedMemoryGrowthMB: toMB(memoryAfter - memoryBefore), leftoverKeysDeletedFirst: leftover },
      server: { redis: version, connection: "TCP 127.0.0.1, one node-redis client, one EVAL per read" },
      loadMs,
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
