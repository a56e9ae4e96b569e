import type BetterSqlite3 from "better-sqlite3";
import type { Pool, PoolConfig } from "pg";
import { migratePostgres } from "../adapters/postgres.js";
import { migrateSQLite } from "../adapters/sqlite.js";

/**
 * Creates or updates latch's tables. The drivers are optional peers, loaded only here, so the
 * command says which one to install when it is missing.
 */
export async function migrate(kind: string | undefined, target: string | undefined): Promise<string> {
  if (kind === "sqlite") {
    if (!target) throw new Error("latch migrate sqlite needs the database file, e.g. `latch migrate sqlite ./auth.db`.");
    const { default: Database } = await importDriver<{ default: typeof BetterSqlite3 }>("better-sqlite3");
    const db = new Database(target);
    try {
      migrateSQLite(db);
    } finally {
      db.close();
    }
    return `SQLite schema is up to date in ${target}.`;
  }
  if (kind === "postgres") {
    const url = target ?? process.env.DATABASE_URL;
    if (!url) throw new Error("latch migrate postgres needs a connection URL: `latch migrate postgres postgres://user@host/db`, or DATABASE_URL.");
    const pg = await importDriver<{ default: { Pool: new (config: PoolConfig) => Pool } }>("pg");
    const pool = new pg.default.Pool({ connectionString: url, max: 1 });
    try {
      await migratePostgres(pool);
    } finally {
      await pool.end();
    }
    return `PostgreSQL schema is up to date in ${new URL(url).pathname.slice(1) || "the default database"}.`;
  }
  throw new Error('latch migrate needs "sqlite <file>" or "postgres <url>".');
}

async function importDriver<T>(name: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    throw new Error(`latch migrate needs the "${name}" package: npm install ${name}`, { cause: error });
  }
}
