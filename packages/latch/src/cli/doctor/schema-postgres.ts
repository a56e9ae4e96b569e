import type { Client, ClientConfig } from "pg";
import { POSTGRES_SCHEMA_VERSION, postgresSchema } from "../../adapters/postgres.js";
import type { Finding } from "./types.js";

/** What doctor needs of `pg`: a client constructor. */
export type PgClientConstructor = new (config: ClientConfig) => Pick<Client, "connect" | "query" | "end">;

/** The tables `postgresSchema` creates, read from the schema itself. */
export function postgresTables(): string[] {
  return [...postgresSchema.matchAll(/CREATE TABLE IF NOT EXISTS\s+"?(\w+)"?/gi)].map((m) => m[1] ?? "").filter(Boolean);
}

/** The unique keys `postgresSchema` adds (`CREATE UNIQUE INDEX`), read from the schema itself. */
export function postgresUniqueKeys(): { table: string; columns: string[] }[] {
  return [...postgresSchema.matchAll(/CREATE UNIQUE INDEX IF NOT EXISTS\s+"?\w+"?\s+ON\s+"?(\w+)"?\s*\(([^)]*)\)/gi)].map((m) => ({
    table: m[1] ?? "",
    columns: (m[2] ?? "").split(",").map((column) => column.trim().replace(/^"|"$/g, "")),
  }));
}

// A unique index (or constraint) on exactly these columns, in any order, with no WHERE clause.
const HAS_UNIQUE_KEY = `SELECT EXISTS (
  SELECT 1 FROM pg_index i
  WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indpred IS NULL AND i.indnatts = cardinality($2::text[])
    AND ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[])) @> $2::text[]
) AS present`;

function codeOf(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" ? error.code : undefined;
}

/**
 * A driver error's text: pg's connection errors are often an AggregateError (one per address
 * tried) with an empty message, or carry only a code such as ECONNREFUSED.
 *
 * @example
 * ```ts
 * driverMessage(new AggregateError([Object.assign(new Error(""), { code: "ECONNREFUSED" })])); // "ECONNREFUSED"
 * ```
 */
export function driverMessage(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(driverMessage).join("; ");
  return error instanceof Error ? error.message || codeOf(error) || error.name : String(error);
}

/**
 * Connects to PostgreSQL (read-only queries, at most `timeout` ms to connect and per query) and
 * compares `latch_migrations`, the tables in the connection's search_path and the unique keys the
 * adapter relies on with latch's.
 *
 * @example
 * ```ts
 * const { default: pg } = await import("pg");
 * await checkPostgresSchema(pg.Client, { url, shown: redactUrl(url), explicit: true, from: "--database" }, 5000);
 * ```
 */
export async function checkPostgresSchema(
  PgClient: PgClientConstructor,
  target: { url: string; shown: string; explicit: boolean; from: string },
  timeout: number,
  currentVersion: number = POSTGRES_SCHEMA_VERSION,
): Promise<Finding[]> {
  const name = `${target.shown} (${target.from})`;
  const migrate = `Run \`npx latch migrate postgres ${target.from === "DATABASE_URL" ? '"$DATABASE_URL"' : "<url>"}\` (or call migratePostgres(pool) at start-up), then run doctor again.`;
  const client = new PgClient({ connectionString: target.url, connectionTimeoutMillis: timeout, query_timeout: timeout });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    return [
      {
        code: "database-unreachable",
        severity: target.explicit ? "error" : "warn",
        area: "database",
        message: `PostgreSQL at ${name} is unreachable: ${driverMessage(error)}.`,
        fix: "Check the URL, that the server runs and that this machine may connect (or run doctor where the app runs).",
      },
    ];
  }
  try {
    const present: string[] = [];
    for (const table of postgresTables()) {
      const { rows } = await client.query<{ present: boolean }>("SELECT to_regclass($1) IS NOT NULL AS present", [table]);
      if (rows[0]?.present) present.push(table);
    }
    const missing = postgresTables().filter((table) => !present.includes(table));
    let version: number | undefined;
    try {
      const { rows } = await client.query<{ version: number | null }>("SELECT max(version)::int AS version FROM latch_migrations");
      version = rows[0]?.version ?? 0;
    } catch (error) {
      if (codeOf(error) !== "42P01") throw error;
    }
    if (version === undefined) {
      if (missing.length === 0) {
        return [{ code: "schema-unrecorded", severity: "warn", area: "database", message: `${name} has latch's tables but no latch_migrations record (made by @auth/pg-adapter's schema.sql?).`, fix: migrate }];
      }
      return [
        {
          code: "schema-not-migrated",
          severity: target.explicit ? "error" : "warn",
          area: "database",
          message: `${name} is not migrated for latch: no latch_migrations table, and ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing from the search_path.${target.explicit ? "" : " If another adapter (Prisma, Drizzle) owns this database, ignore this or pass --database for latch's."}`,
          fix: migrate,
        },
      ];
    }
    if (version < currentVersion) return [{ code: "schema-behind", severity: "error", area: "database", message: `${name} is at schema version ${version}; this latch needs version ${currentVersion}.`, fix: migrate }];
    if (version > currentVersion) {
      return [{ code: "schema-ahead", severity: "error", area: "database", message: `${name} is at schema version ${version}, newer than this latch knows (${currentVersion}).`, fix: "Upgrade latch in this project to the release that migrated the database (npm install latch@latest)." }];
    }
    if (missing.length > 0) {
      return [{ code: "schema-drift", severity: "error", area: "database", message: `${name} records schema version ${version} but lacks ${missing.join(", ")}.`, fix: "Restore the tables from `postgresSchema` (latch/adapters/postgres), or check the connection's search_path." }];
    }
    const unenforced: string[] = [];
    for (const { table, columns } of postgresUniqueKeys()) {
      const { rows } = await client.query<{ present: boolean }>(HAS_UNIQUE_KEY, [table, columns]);
      if (!rows[0]?.present) unenforced.push(`${table} (${columns.join(", ")})`);
    }
    if (unenforced.length > 0) {
      return [
        {
          code: "schema-drift",
          severity: "error",
          area: "database",
          message: `${name} has latch's tables, but no unique index on ${unenforced.join(", ")} (tables made from @auth/pg-adapter's documentation lack them): duplicate users and lost sessions follow.`,
          fix: migrate,
        },
      ];
    }
    return [{ code: "schema-ok", severity: "ok", area: "database", message: `${name} is at schema version ${version}, latch's current one, with tables ${present.join(", ")}.` }];
  } catch (error) {
    return [{ code: "database-unreachable", severity: "error", area: "database", message: `${name} could not be queried: ${driverMessage(error)}.`, fix: "Check the role's privileges and the search_path." }];
  } finally {
    await client.end().catch(() => undefined);
  }
}
