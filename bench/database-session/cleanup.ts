/**
 * Removing what the database-session benchmark wrote: the PostgreSQL schema `latch_bench` and
 * the Redis keys under `latch_bench:`, never anything else. The benchmark calls these at the end
 * of a run; when it exits early (an error, Ctrl-C) its "exit" handler runs this file as a child
 * process, synchronously. Run by hand, it cleans up after a run that was killed outright:
 * `node --import tsx bench/database-session/cleanup.ts` (it leaves alone a schema or prefix that
 * a live run holds).
 */
import { pathToFileURL } from "node:url";
import pg from "pg";
import { createClient } from "redis";
import { describeError, LOCK_NAME, POSTGRES_URL, PREFIX, REDIS_LOCK_KEY, REDIS_URL, SCHEMA } from "./dataset.js";

/** What the exit handler passes: the run's connections to end and its Redis lock, to release. */
export interface CleanupJob {
  /** `application_name` of the run's PostgreSQL connections, terminated before the schema is dropped. */
  postgresApplicationName?: string;
  /** The value the run set its Redis lock to; the prefix is left alone if someone else holds it. */
  redisLockValue?: string;
  postgres: boolean;
  redis: boolean;
}

const UNLOCK_IF_MINE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/** Minimal node-redis surface the key deletion needs. */
export interface RedisKeysClient {
  scan(cursor: string, options: { MATCH: string; COUNT: number }): Promise<{ cursor: string | number; keys: string[] }>;
  unlink(keys: string[]): Promise<unknown>;
}

/**
 * Deletes every key under the benchmark's prefix except the lock, with SCAN (never KEYS, so a
 * shared server is not blocked); returns how many it deleted.
 */
export async function deleteBenchKeys(client: RedisKeysClient): Promise<number> {
  let cursor = "0";
  let deleted = 0;
  do {
    const reply = await client.scan(cursor, { MATCH: `${PREFIX}*`, COUNT: 5_000 });
    cursor = String(reply.cursor);
    const keys = reply.keys.filter((key) => key !== REDIS_LOCK_KEY);
    if (keys.length > 0) {
      await client.unlink(keys);
      deleted += keys.length;
    }
  } while (cursor !== "0");
  return deleted;
}

/** Drops the schema on a connection that holds the advisory lock. */
export async function dropSchema(client: pg.Client): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
}

async function cleanPostgres(applicationName: string | undefined): Promise<string> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3_000, application_name: `${LOCK_NAME}:cleanup` });
  await client.connect();
  try {
    // The run's connections may be mid-statement (a load): end them so they let go of the
    // tables and of the advisory lock.
    if (applicationName) {
      await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()", [applicationName]);
    }
    const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS locked", [LOCK_NAME]);
    let locked = rows[0]?.locked === true;
    // A terminated backend takes a moment to exit; wait for it, not for another live run.
    for (let attempt = 0; !locked && applicationName && attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const retry = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS locked", [LOCK_NAME]);
      locked = retry.rows[0]?.locked === true;
    }
    if (!locked) return `schema ${SCHEMA} left alone: another run holds it`;
    await dropSchema(client);
    return `schema ${SCHEMA} dropped`;
  } finally {
    await client.end();
  }
}

async function cleanRedis(lockValue: string | undefined): Promise<string> {
  const client = createClient({ url: REDIS_URL, socket: { connectTimeout: 3_000, reconnectStrategy: false } });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const holder = await client.get(REDIS_LOCK_KEY);
    if (holder !== null && holder !== lockValue) return `prefix ${PREFIX} left alone: another run holds ${REDIS_LOCK_KEY}`;
    const deleted = await deleteBenchKeys(client);
    if (lockValue) await client.eval(UNLOCK_IF_MINE, { keys: [REDIS_LOCK_KEY], arguments: [lockValue] });
    return `${deleted} keys under ${PREFIX} deleted`;
  } finally {
    client.destroy();
  }
}

/** Releases the run's Redis lock if it still holds it. */
export async function releaseRedisLock(client: { eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown> }, value: string): Promise<void> {
  await client.eval(UNLOCK_IF_MINE, { keys: [REDIS_LOCK_KEY], arguments: [value] });
}

/** Cleans what `job` names; reports each store's outcome on stderr, never throws. */
export async function runCleanup(job: CleanupJob): Promise<void> {
  const steps: [string, boolean, () => Promise<string>][] = [
    ["postgres", job.postgres, () => cleanPostgres(job.postgresApplicationName)],
    ["redis", job.redis, () => cleanRedis(job.redisLockValue)],
  ];
  for (const [name, wanted, step] of steps) {
    if (!wanted) continue;
    try {
      process.stderr.write(`bench: database-session cleanup: ${name}: ${await step()}\n`);
    } catch (error) {
      process.stderr.write(`bench: database-session cleanup: ${name}: failed: ${describeError(error)}\n`);
    }
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const given = process.argv[2];
  await runCleanup(given ? (JSON.parse(given) as CleanupJob) : { postgres: true, redis: true });
}
