import { resolve } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import type { Pool, PoolConfig } from "pg";
import { migratePostgres } from "../adapters/postgres.js";
import { migrateSQLite } from "../adapters/sqlite.js";
import { redactUrl } from "./doctor/database-target.js";
import { envFileNames, envModeOf, loadProjectEnv } from "./doctor/env-files.js";
import { driverMessage } from "./doctor/schema-postgres.js";
import type { EnvMap } from "./doctor/types.js";

/** The help text of `latch migrate --help`. */
export const MIGRATE_USAGE = `usage: latch migrate sqlite <file>
       latch migrate postgres [url]

Creates latch's tables, or adds what a newer latch needs, and records the schema version.
Running it again changes nothing.

  sqlite <file>     the SQLite database file (created when missing), e.g. ./auth.db
  postgres [url]    a postgres:// URL; without one (or with ""), DATABASE_URL as the app sees it:
                    the process environment, then .env.<mode>.local, .env.local, .env.<mode>, .env
                    of the current directory (mode: production when NODE_ENV=production)
`;

/** Where `latch migrate` runs: injectable so tests run it in-process. */
export interface MigrateContext {
  env: EnvMap;
  cwd: string;
}

/**
 * Runs `latch migrate <sqlite|postgres> …`: creates or updates latch's tables and resolves to the
 * line to print; throws an Error whose message says what to do. The drivers are optional peers,
 * loaded only here, so the command says which one to install when it is missing.
 *
 * @example
 * ```ts
 * console.log(await migrate(["sqlite", "./auth.db"], { env: process.env, cwd: process.cwd() }));
 * console.log(await migrate(["postgres"], { env: process.env, cwd: process.cwd() })); // DATABASE_URL, from .env.local too
 * ```
 */
export async function migrate(argv: readonly string[], context: MigrateContext = { env: process.env, cwd: process.cwd() }): Promise<string> {
  const [kind, ...rest] = argv;
  const option = rest.find((arg) => arg.startsWith("-"));
  if (option !== undefined) {
    // Only the flag's name: a value after "=" may carry a password.
    throw new Error(`latch migrate: unknown option "${option.split("=")[0] ?? option}". Run \`latch migrate --help\`; a file whose name starts with "-" is written ./${option}.`);
  }
  if (rest.length > 1) throw new Error(`latch migrate ${kind ?? ""} takes one ${kind === "sqlite" ? "file" : "URL"}, not ${rest.length}. Run \`latch migrate --help\`.`);
  const target = rest[0] === "" ? undefined : rest[0];
  if (kind === "sqlite") {
    if (target === undefined) throw new Error("latch migrate sqlite needs the database file, e.g. `latch migrate sqlite ./auth.db`.");
    const { default: Database } = await importDriver<{ default: typeof BetterSqlite3 }>("better-sqlite3");
    try {
      const db = new Database(resolve(context.cwd, target));
      try {
        migrateSQLite(db);
      } finally {
        db.close();
      }
    } catch (error) {
      throw new Error(`latch migrate sqlite: could not migrate ${target}: ${driverMessage(error)}. Check the path (its directory must exist), its permissions, and that it is a SQLite database.`, { cause: error });
    }
    return `SQLite schema is up to date in ${target}.`;
  }
  if (kind === "postgres") {
    const { url, from } = target === undefined ? databaseUrlOf(context) : { url: target, from: undefined };
    const named = from ?? "the URL given";
    if (!isPostgresUrl(url)) {
      const sqlite = /^(sqlite|file):/i.test(url) ? " It names a SQLite database: run `latch migrate sqlite <file>` instead." : "";
      throw new Error(`latch migrate postgres: ${named} is not a PostgreSQL URL; pass one like postgres://user:password@host:5432/db.${sqlite}`);
    }
    const pg = await importDriver<{ default: { Pool: new (config: PoolConfig) => Pool } }>("pg");
    const pool = new pg.default.Pool({ connectionString: url, max: 1 });
    try {
      await migratePostgres(pool);
    } catch (error) {
      throw new Error(`latch migrate postgres: could not migrate ${redactUrl(url)}${from ? ` (${from})` : ""}: ${driverMessage(error)}.`, { cause: error });
    } finally {
      await pool.end().catch(() => undefined);
    }
    return `PostgreSQL schema is up to date in ${new URL(url).pathname.slice(1) || "the default database"}${from ? ` (${from})` : ""}.`;
  }
  throw new Error('latch migrate needs "sqlite <file>" or "postgres <url>". Run `latch migrate --help`.');
}

/** DATABASE_URL as `latch doctor` finds it: the process environment, then the project's env files. */
function databaseUrlOf(context: MigrateContext): { url: string; from: string } {
  const mode = envModeOf(context.env);
  const { env, sources } = loadProjectEnv(context.cwd, mode, [], context.env);
  const url = env.DATABASE_URL;
  if (url === undefined || url === "") {
    throw new Error(`latch migrate postgres needs a connection URL: \`latch migrate postgres postgres://user@host/db\`, or DATABASE_URL in the environment or in ${envFileNames(mode).join(", ")}.`);
  }
  return { url, from: `DATABASE_URL from ${sources.DATABASE_URL ?? "the environment"}` };
}

function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text) && URL.canParse(text);
}

async function importDriver<T>(name: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    throw new Error(`latch migrate needs the "${name}" package: npm install ${name}`, { cause: error });
  }
}
