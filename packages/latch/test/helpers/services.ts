/**
 * The real services the adapter tests run against, each test file in its own namespace.
 *
 * A service that cannot be reached fails the test with a message naming what is missing and how
 * to start it: latch has no skipped tests, locally or in CI. Point the tests elsewhere with
 * `LATCH_TEST_POSTGRES_URL` / `LATCH_TEST_REDIS_URL`.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createClient } from "redis";

const POSTGRES_URL = process.env["LATCH_TEST_POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env["LATCH_TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379";

const START_POSTGRES =
  "start it with `pg_ctlcluster 15 main start` (Debian/Ubuntu; `pg_lsclusters` lists clusters), " +
  "or `docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test postgres:16`, " +
  "or set LATCH_TEST_POSTGRES_URL to a server you have";
const START_REDIS =
  "start it with `redis-server --daemonize yes` (or `service redis-server start`), " +
  "or `docker run -d -p 6379:6379 redis:7`, or set LATCH_TEST_REDIS_URL to a server you have";

/** A PostgreSQL pool whose `search_path` is a schema of its own, dropped by `drop()`. */
export interface PostgresNamespace {
  pool: pg.Pool;
  schema: string;
  /** Ends the pool and drops the schema with everything in it. */
  drop(): Promise<void>;
}

/** A Redis client and a key prefix of its own; `drop()` deletes every key under it. */
export interface RedisNamespace {
  client: RedisClient;
  prefix: string;
  /** Deletes the keys under `prefix` and closes the client. */
  drop(): Promise<void>;
}

export type RedisClient = ReturnType<typeof createRedisClient>;

/** The URL of the test PostgreSQL server (LATCH_TEST_POSTGRES_URL or the local default). */
export function postgresUrl(): string {
  return POSTGRES_URL;
}

function createRedisClient() {
  return createClient({ url: REDIS_URL, socket: { connectTimeout: 3000, reconnectStrategy: false } });
}

function describePostgres(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || "5432"} (database ${parsed.pathname.slice(1) || "postgres"}, user ${decodeURIComponent(parsed.username) || "(default)"})`;
}

function causeOf(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(causeOf).join("; ");
  if (error instanceof Error) return error.message || ("code" in error ? String(error.code) : error.name);
  return String(error);
}

function postgresHint(error: unknown, where: string): string {
  const database = new URL(POSTGRES_URL).pathname.slice(1) || "postgres";
  const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
  if (code === "3D000") return `PostgreSQL at ${where} has no such database: create it with \`createdb -h 127.0.0.1 -U postgres ${database}\``;
  if (code === "28000" || code === "28P01") return `PostgreSQL at ${where} refused the login: create the role (\`createuser -h 127.0.0.1 -U postgres -s $USER\`) or allow trust auth for 127.0.0.1 in pg_hba.conf`;
  return `PostgreSQL is not reachable at ${where}: ${START_POSTGRES}`;
}

/**
 * Connects to the test PostgreSQL and creates a fresh schema `latch_test_<random>`; every
 * connection of the returned pool has it as `search_path`, so unqualified table names land there.
 */
export async function requirePostgres(): Promise<PostgresNamespace> {
  const where = describePostgres(POSTGRES_URL);
  const schema = `latch_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
  } catch (error) {
    await admin.end().catch(() => undefined);
    throw new Error(`${postgresHint(error, where)} (${causeOf(error)})`, { cause: error });
  }
  await admin.end();
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000, options: `-c search_path=${schema}` });
  return {
    pool,
    schema,
    async drop() {
      await pool.end();
      const cleaner = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
      await cleaner.connect();
      try {
        await cleaner.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await cleaner.end();
      }
    },
  };
}

/**
 * Connects to the test Redis (6.2 or later: the adapter needs GETDEL) and picks a fresh key
 * prefix `latch_test:<random>:`.
 */
export async function requireRedis(): Promise<RedisNamespace> {
  const client = createRedisClient();
  let lastError: unknown;
  // Without a listener node-redis rethrows socket errors as uncaught exceptions.
  client.on("error", (error: unknown) => {
    lastError = error;
  });
  try {
    await client.connect();
  } catch (error) {
    client.destroy();
    const where = new URL(REDIS_URL).host;
    throw new Error(`Redis is not reachable at ${where}: ${START_REDIS} (${causeOf(lastError ?? error)})`, { cause: error });
  }
  const info = await client.info("server");
  const version = /redis_version:(\d+)\.(\d+)/.exec(info);
  const [major, minor] = [Number(version?.[1] ?? 0), Number(version?.[2] ?? 0)];
  if (major < 6 || (major === 6 && minor < 2)) {
    client.destroy();
    throw new Error(`Redis at ${REDIS_URL} is ${major}.${minor}; latch's Redis adapter needs 6.2 or later (GETDEL): upgrade it or set LATCH_TEST_REDIS_URL`);
  }
  const prefix = `latch_test:${randomBytes(6).toString("hex")}:`;
  return {
    client,
    prefix,
    async drop() {
      await deleteRedisKeys(client, prefix);
      client.destroy();
    },
  };
}

/** Deletes every key under `prefix` (SCAN, never KEYS, so a shared server is not blocked). */
export async function deleteRedisKeys(client: RedisClient, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const reply = await client.scan(cursor, { MATCH: `${escapeGlob(prefix)}*`, COUNT: 500 });
    cursor = String(reply.cursor);
    if (reply.keys.length > 0) await client.unlink(reply.keys);
  } while (cursor !== "0");
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
