import type BetterSqlite3 from "better-sqlite3";
import type { DatabaseTarget } from "./database-target.js";
import { checkPostgresSchema, type PgClientConstructor } from "./schema-postgres.js";
import { checkSQLiteSchema } from "./schema-sqlite.js";
import type { Finding } from "./types.js";

/** Loads an optional peer; `undefined` when it is not installed. Injectable for tests. */
export type DriverLoader = (name: "better-sqlite3" | "pg") => Promise<unknown>;

const importDriver: DriverLoader = async (name) => {
  try {
    return (await import(name)) as unknown;
  } catch {
    return undefined;
  }
};

function defaultExport(module: unknown): unknown {
  return typeof module === "object" && module !== null && "default" in module ? module.default : undefined;
}

/**
 * Checks the adapter schema of the target database with its optional driver (better-sqlite3 or
 * pg), saying which package to install when the driver is missing.
 *
 * @example
 * ```ts
 * await checkDatabase(resolveDatabaseTarget(undefined, env, dir), { timeout: 5000 });
 * ```
 */
export async function checkDatabase(target: DatabaseTarget | string | undefined, options: { timeout: number; load?: DriverLoader }): Promise<Finding[]> {
  if (target === undefined) {
    return [
      {
        code: "database-skipped",
        severity: "skip",
        area: "database",
        message: "No database to check: pass --database sqlite:<file> or --database postgres://… (or set LATCH_DB_FILE / DATABASE_URL) to compare its schema with latch's.",
      },
    ];
  }
  if (typeof target === "string") {
    return [{ code: "database-unreachable", severity: "error", area: "database", message: target, fix: "Pass --database sqlite:./auth.db or --database postgres://user@host/db." }];
  }
  const load = options.load ?? importDriver;
  const driver = target.kind === "sqlite" ? "better-sqlite3" : "pg";
  const module = await load(driver);
  const missing: Finding = {
    code: "database-driver-missing",
    severity: target.explicit ? "error" : "warn",
    area: "database",
    message: `Checking ${target.shown} (${target.from}) needs the "${driver}" package, which is not installed here; latch's ${target.kind === "sqlite" ? "SQLite" : "PostgreSQL"} adapter needs it too.`,
    fix: `npm install ${driver}`,
  };
  if (target.kind === "sqlite") {
    const Database = defaultExport(module);
    if (typeof Database !== "function") return [missing];
    return checkSQLiteSchema(Database as typeof BetterSqlite3, target);
  }
  const pg = defaultExport(module);
  const Client = typeof pg === "object" && pg !== null && "Client" in pg ? pg.Client : undefined;
  if (typeof Client !== "function") return [missing];
  return checkPostgresSchema(Client as PgClientConstructor, target, options.timeout);
}
