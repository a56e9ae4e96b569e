/**
 * The real backends the store suites (rate limits, refresh tokens, provider tokens) run on:
 * a Redis key prefix and a PostgreSQL schema of the calling file's own, and a temporary folder
 * for SQLite files. Registers the file's beforeAll/afterAll: connect (a missing service fails
 * with how to start it), then close every SQLite handle, delete the folder, drop the namespaces.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll } from "vitest";
import { requirePostgres, requireRedis, type PostgresNamespace, type RedisNamespace } from "./services.js";

/** What a store suite gets; the namespaces are there once the file's beforeAll has run. */
export interface StoreBackends {
  readonly redis: RedisNamespace;
  readonly postgres: PostgresNamespace;
  /** Opens a SQLite database (a file, or ":memory:") that is closed after the file's tests. */
  openSQLite: (file: string) => Database.Database;
  /** The path of the file's shared SQLite database. */
  sqliteFile: () => string;
  /** A connection of its own to that file, to look at the tables. */
  sqliteReader: () => Database.Database;
  /** A path in the file's temporary folder (deleted after its tests). */
  tempFile: (fileName: string) => string;
}

/**
 * @example
 * ```ts
 * const backends = useStoreBackends("rate-limit");
 * const store = RedisRateLimitStore(backends.redis.client, { prefix: `${backends.redis.prefix}rl:` });
 * ```
 */
export function useStoreBackends(name: string): StoreBackends {
  let redis: RedisNamespace | undefined;
  let postgres: PostgresNamespace | undefined;
  let directory: string | undefined;
  let reader: Database.Database | undefined;
  const databases: Database.Database[] = [];

  beforeAll(async () => {
    redis = await requireRedis();
    postgres = await requirePostgres();
    directory = mkdtempSync(join(tmpdir(), `latch-${name}-`));
  });

  afterAll(async () => {
    for (const db of databases) db.close();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
    await redis?.drop();
    await postgres?.drop();
  });

  const backends: StoreBackends = {
    get redis() {
      if (!redis) throw new Error("Redis is not connected yet: use it inside a test or hook");
      return redis;
    },
    get postgres() {
      if (!postgres) throw new Error("PostgreSQL is not connected yet: use it inside a test or hook");
      return postgres;
    },
    openSQLite: (file) => {
      const db = new Database(file);
      databases.push(db);
      return db;
    },
    sqliteFile: () => backends.tempFile(`${name}.db`),
    tempFile: (fileName) => {
      if (directory === undefined) throw new Error("the temporary directory is not ready");
      return join(directory, fileName);
    },
    sqliteReader: () => {
      reader ??= backends.openSQLite(backends.sqliteFile());
      return reader;
    },
  };
  return backends;
}
