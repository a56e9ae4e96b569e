import { existsSync } from "node:fs";
import type BetterSqlite3 from "better-sqlite3";
import { migrateSQLite } from "../../adapters/sqlite.js";
import type { Finding } from "./types.js";

/** The schema a database should have: latch's current migration version and each table's columns. */
export interface SchemaReference {
  version: number;
  tables: Record<string, string[]>;
}

type Database = BetterSqlite3.Database;
type DatabaseConstructor = typeof BetterSqlite3;

function tablesOf(db: Database): Record<string, string[]> {
  const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'latch_migrations' ORDER BY name").all() as Array<{ name: string }>;
  const tables: Record<string, string[]> = {};
  for (const { name } of names) {
    tables[name] = (db.prepare("SELECT name FROM pragma_table_info(?)").all(name) as Array<{ name: string }>).map((c) => c.name);
  }
  return tables;
}

/**
 * latch's current SQLite schema, read from the library itself: `migrateSQLite` run on an
 * in-memory database, so doctor never carries a second copy of the version number.
 */
export function sqliteReference(Database: DatabaseConstructor): SchemaReference {
  const db = new Database(":memory:");
  try {
    migrateSQLite(db);
    const row = db.prepare("SELECT max(version) AS version FROM latch_migrations").get() as { version: number | null };
    return { version: Number(row.version ?? 0), tables: tablesOf(db) };
  } finally {
    db.close();
  }
}

function recordedVersion(db: Database): number | undefined {
  const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'latch_migrations'").get();
  if (!table) return undefined;
  const row = db.prepare("SELECT max(version) AS version FROM latch_migrations").get() as { version: number | bigint | null };
  return Number(row.version ?? 0);
}

/** Tables or columns latch needs that the database lacks, e.g. `users`, `accounts.scope`. */
export function missingParts(actual: Record<string, string[]>, reference: SchemaReference): string[] {
  const missing: string[] = [];
  for (const [table, columns] of Object.entries(reference.tables)) {
    const present = actual[table];
    if (!present) {
      missing.push(table);
      continue;
    }
    for (const column of columns) if (!present.includes(column)) missing.push(`${table}.${column}`);
  }
  return missing;
}

/**
 * Opens a SQLite file read-only and compares its recorded schema version and its tables with
 * latch's. Never writes: the fix it prints is `npx latch migrate sqlite <file>`. A database found
 * through DATABASE_URL that latch never migrated is a warning (another adapter's, maybe), as for
 * PostgreSQL.
 *
 * @example
 * ```ts
 * const { default: Database } = await import("better-sqlite3");
 * checkSQLiteSchema(Database, { file: "/app/.data/latch.db", shown: ".data/latch.db", explicit: true, from: "--database" });
 * ```
 */
export function checkSQLiteSchema(
  Database: DatabaseConstructor,
  target: { file: string; shown: string; explicit: boolean; from: string },
  reference: SchemaReference = sqliteReference(Database),
): Finding[] {
  const migrate = `Run \`npx latch migrate sqlite ${target.shown}\` (or call migrateSQLite(db) at start-up), then run doctor again.`;
  const name = `${target.shown} (${target.from})`;
  // DATABASE_URL may name another adapter's database (as checkPostgresSchema treats it); --database
  // and LATCH_DB_FILE name latch's.
  const shared = !target.explicit && target.from === "DATABASE_URL";
  if (!existsSync(target.file)) {
    return [
      {
        code: "database-missing",
        severity: target.explicit ? "error" : "warn",
        area: "database",
        message: `The SQLite database ${name} does not exist. Unless the app creates and migrates it at start (the example's db.ts does), the adapter's first query fails.`,
        fix: migrate,
      },
    ];
  }
  let db: Database;
  try {
    db = new Database(target.file, { readonly: true, fileMustExist: true });
  } catch (error) {
    return [{ code: "database-unreachable", severity: "error", area: "database", message: `${name} could not be opened: ${error instanceof Error ? error.message : String(error)}.`, fix: "Check the path and its permissions." }];
  }
  try {
    const version = recordedVersion(db);
    const missing = missingParts(tablesOf(db), reference);
    if (version === undefined) {
      if (missing.length === 0) {
        return [{ code: "schema-unrecorded", severity: "warn", area: "database", message: `${name} has latch's tables but no latch_migrations record, so a later release cannot tell which migrations it needs.`, fix: migrate }];
      }
      return [
        {
          code: "schema-not-migrated",
          severity: shared ? "warn" : "error",
          area: "database",
          message: `${name} is not migrated: it has no latch_migrations table and lacks ${missing.slice(0, 6).join(", ")}${missing.length > 6 ? ", …" : ""}. Sign-in fails with "no such table".${shared ? " If another adapter (Prisma, Drizzle) owns this database, ignore this or pass --database for latch's." : ""}`,
          fix: migrate,
        },
      ];
    }
    if (version < reference.version) {
      return [{ code: "schema-behind", severity: "error", area: "database", message: `${name} is at schema version ${version}; this latch needs version ${reference.version}.`, fix: migrate }];
    }
    if (version > reference.version) {
      return [
        {
          code: "schema-ahead",
          severity: "error",
          area: "database",
          message: `${name} is at schema version ${version}, newer than this latch knows (${reference.version}): it was migrated by a later release.`,
          fix: "Upgrade latch in this project to the release that migrated the database (npm install latch@latest).",
        },
      ];
    }
    if (missing.length > 0) {
      return [
        {
          code: "schema-drift",
          severity: "error",
          area: "database",
          message: `${name} records schema version ${version} but lacks ${missing.join(", ")}: something changed the tables after migrating.`,
          fix: "Restore the missing tables or columns from latch's schema (`sqliteSchema` in latch/adapters/sqlite), or migrate a fresh database.",
        },
      ];
    }
    return [{ code: "schema-ok", severity: "ok", area: "database", message: `${name} is at schema version ${version}, latch's current one, with every table and column latch uses.` }];
  } catch (error) {
    return [{ code: "database-unreachable", severity: "error", area: "database", message: `${name} could not be read: ${error instanceof Error ? error.message : String(error)}.`, fix: "Check that the file is a SQLite database." }];
  } finally {
    db.close();
  }
}
