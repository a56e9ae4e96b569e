import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { migrateSQLite } from "latch/adapters/sqlite";

/**
 * The example's database: one SQLite file (LATCH_DB_FILE, default .data/latch.db), created and
 * migrated on first use. SQLite is latch's embedded default; an app on several machines uses
 * PostgreSQL or Redis instead.
 */
export function openDatabase(): Database.Database {
  const file = resolve(process.env.LATCH_DB_FILE ?? ".data/latch.db");
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  migrateSQLite(db);
  return db;
}
